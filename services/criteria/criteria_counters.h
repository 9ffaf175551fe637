// Criteria counters: the summary aggregates the criteria service keeps so
// that summaries never scan assignments, and the one place that writes and
// reads their keys.
//
// For every scope (a unit, a province with everything under it, the
// country: common/units/scope.h) the kCounters family keeps
//   assigned / completed          per block x group (active criteria only),
//   with_deadline, on_time, late  for criteria with a deadline,
// and kOpenDeadlines indexes every incomplete assignment with a deadline by
// (scope, deadline, assignment name), so OVERDUE at `as_of` is a range count
// over incomplete items with a deadline before `as_of`, and PENDING the
// rest. Every write subtracts the old Contribution of each assignment it
// touches and adds the new one (ApplyChange), in the same commit.
//
// Functions: thread-safe where their Transaction / Store is.
//
//   RETURN_IF_ERROR(ApplyChange(txn, ContributionOf(before, criterion),
//                               ContributionOf(after, criterion)));
#ifndef NQ57_SERVICES_CRITERIA_CRITERIA_COUNTERS_H_
#define NQ57_SERVICES_CRITERIA_CRITERIA_COUNTERS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/store/store.h"
#include "common/units/scope.h"
#include "nq57/criteria/v1/criteria.pb.h"

namespace nq57::criteria {

// What one assignment adds to the aggregates: counter keys (each +1) and
// open-deadline index keys. Empty for an assignment of a retired criterion.
struct Contribution {
  std::vector<std::string> counters;
  std::vector<std::string> open_deadlines;
};

Contribution ContributionOf(const v1::Assignment& a, const v1::Criterion& c);

// Replaces `before`'s contribution with `after`'s.
absl::Status ApplyChange(Transaction& txn, const Contribution& before,
                         const Contribution& after);

// The counters of one scope, as stored.
struct ScopeCounts {
  static constexpr int kBlocks = v1::Block_ARRAYSIZE;
  static constexpr int kGroups = v1::Group_ARRAYSIZE;
  int64_t assigned[kBlocks][kGroups] = {};
  int64_t completed[kBlocks][kGroups] = {};
  int64_t with_deadline = 0;
  int64_t on_time = 0;
  int64_t late = 0;
};

absl::StatusOr<ScopeCounts> ReadScopeCounts(const Store& store,
                                            const Scope& scope,
                                            const Snapshot* snapshot);

// The number of incomplete assignments in `scope` whose deadline is before
// `as_of`.
absl::StatusOr<int64_t> CountOverdue(const Store& store, const Scope& scope,
                                     absl::Time as_of,
                                     const Snapshot* snapshot);

// One entry of the open-deadline index.
struct OpenDeadline {
  std::string key;         // where the next page starts after
  std::string assignment;  // the assignment's name
};

// The prefix of every open-deadline key of `scope`.
std::string OpenDeadlinePrefix(const Scope& scope);

// Up to `limit` open deadlines of `scope` before `as_of`, oldest first,
// starting after `after_key` (a key returned earlier, under
// OpenDeadlinePrefix(scope)), or from the first with "".
absl::StatusOr<std::vector<OpenDeadline>> ScanOverdue(
    const Store& store, const Scope& scope, absl::Time as_of,
    std::string_view after_key, size_t limit, const Snapshot* snapshot);

}  // namespace nq57::criteria

#endif  // NQ57_SERVICES_CRITERIA_CRITERIA_COUNTERS_H_
