// CriteriaCore's shared parts: its column families and the deadline rule.
// The RPC methods live by concept in criteria_catalogue.cc,
// criteria_assignments.cc, criteria_progress.cc and criteria_summaries.cc.
#include "services/criteria/criteria_core.h"

#include "common/time/proto_time.h"
#include "services/criteria/criteria_records.h"

namespace nq57::criteria {

std::vector<std::string> CriteriaCore::ColumnFamilies() {
  return {kCriteria, kAssignments, kByCriterion, kOpenDeadlines, kCounters};
}

v1::DeadlineStatus CriteriaCore::DeadlineStatusAt(
    const v1::Assignment& assignment, absl::Time as_of) {
  if (!assignment.has_deadline()) return v1::NO_DEADLINE;
  const absl::Time deadline = FromProtoTime(assignment.deadline());
  if (assignment.state() == v1::COMPLETED) {
    return FromProtoTime(assignment.complete_time()) <= deadline
               ? v1::ON_TIME
               : v1::COMPLETED_LATE;
  }
  return deadline < as_of ? v1::OVERDUE : v1::PENDING;
}

}  // namespace nq57::criteria
