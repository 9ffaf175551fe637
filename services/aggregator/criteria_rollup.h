// CriteriaRollup: the adapter for the criteria service's change feed.
//
// It mirrors each criterion (block, group, level, deadline, state) and each
// assignment (state, completion time), and keeps, per province:
//   criteria.<level>.<BLOCK>.<GROUP>.assigned / .completed   (bucket "")
//     where level is "province" (the province and its agencies) or
//     "commune";
//   criteria.deadline.with_deadline / .on_time / .late        (bucket "")
//   criteria.deadline.open   in bucket "open:<deadline, RFC 3339 UTC>", so
//     overdue-at-as_of is a range over buckets below as_of;
//   criteria.units_assigned.<level>  units with at least one assignment;
// and per unit criteria.unit.assigned / .unit.completed (coverage,
// explanations; "unit." keeps them apart from the province's totals, since a
// province is also a unit).
// Only ACTIVE criteria count. A change of a criterion's state, deadline,
// block or group moves the contributions of all its assignments.
#ifndef NQ57_SERVICES_AGGREGATOR_CRITERIA_ROLLUP_H_
#define NQ57_SERVICES_AGGREGATOR_CRITERIA_ROLLUP_H_

#include <string>

#include "absl/time/time.h"
#include "services/aggregator/source_adapter.h"

namespace nq57::aggregator {

class CriteriaRollup : public SourceAdapter {
 public:
  absl::Status Apply(const changes::v1::ChangeRecord& record,
                     RollupState& state) const override;
};

// The open-deadline bucket of a deadline (sorts chronologically).
std::string OpenDeadlineBucket(absl::Time deadline);
inline constexpr char kOpenBucketPrefix[] = "open:";

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_CRITERIA_ROLLUP_H_
