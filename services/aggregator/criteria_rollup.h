// CriteriaRollup: the adapter for the criteria service's change feed.
//
// It mirrors each criterion (block, group, level, deadline, state) and each
// assignment (state, assign and complete times), and keeps, per province, in
// "at:" buckets by effective time (point_in_time.h):
//   criteria.<level>.<BLOCK>.<GROUP>.assigned   from assign_time
//   criteria.<level>.<BLOCK>.<GROUP>.completed  from complete_time
//     where level is "province" (the province and its agencies) or
//     "commune";
//   criteria.deadline.with_deadline (assign_time), .on_time / .late
//     (complete_time);
//   criteria.deadline.open in buckets "open:<deadline, RFC 3339 UTC>|at:<t>":
//     +1 at assign_time, -1 at complete_time, so the tasks open at as_of,
//     overdue or pending, are one range read;
// and per unit "criteria.unit.reported": one per progress report (an update
// of an assignment), at its complete_time if it completes the task, else
// when it was reported.
// Only ACTIVE criteria count. A change of a criterion's state, deadline,
// block or group moves the contributions of all its assignments (for all
// times: criteria metadata is not versioned in time).
#ifndef NQ57_SERVICES_AGGREGATOR_CRITERIA_ROLLUP_H_
#define NQ57_SERVICES_AGGREGATOR_CRITERIA_ROLLUP_H_

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "services/aggregator/source_adapter.h"

namespace nq57::aggregator {

class CriteriaRollup : public SourceAdapter {
 public:
  absl::Status Apply(const changes::v1::ChangeRecord& record,
                     RollupState& state) const override;
};

// The open-deadline bucket of a task with `deadline` whose open count
// changes at `when` (sorts by deadline, then time), and its inverse.
std::string OpenDeadlineBucket(absl::Time deadline, absl::Time when);
bool ParseOpenDeadlineBucket(std::string_view bucket, absl::Time* deadline,
                             absl::Time* when);
inline constexpr char kOpenBucketPrefix[] = "open:";

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_CRITERIA_ROLLUP_H_
