// CriteriaCore: the domain logic of the criteria tracking service, over a
// Store and the unit registry, with no gRPC.
//
// Writes are two-step: Prepare*() validates what can be checked without the
// stored state (field errors name the request field, e.g. "items[3].state")
// and returns a CommitRequest; its `apply` runs on the store's writer, reads
// the current state through the Transaction, checks the rest (unknown
// criterion or assignment -> NOT_FOUND, level mismatch -> INVALID_ARGUMENT,
// retired criterion -> FAILED_PRECONDITION) and writes the data, the change
// records and the summary counters of what changed, all in the same commit.
// A request that fails writes nothing; a batch is all or nothing. The commit
// response is the serialized response message of the RPC.
//
// Summaries never scan assignments: every write keeps per-scope counters and
// an index of open deadlines up to date (criteria_counters.h).
// "Now" (deadline statuses, "in the future" checks, the default as_of) is
// read from the injected Clock; commit times come from the store.
//
// Where it lives: the public class here; names and request rules in
// criteria_names.h; the stored layout in criteria_records.h; the aggregates
// in criteria_counters.h; the methods by concept in criteria_catalogue.cc,
// criteria_assignments.cc, criteria_progress.cc and criteria_summaries.cc.
//
// Thread-safety: all methods are const and may be called concurrently. The
// store, the registry and the clock are not owned; the registry must outlive
// the store (queued commits refer to it), the store and the clock must
// outlive the core.
//
//   CriteriaCore core(store.get(), units.get(), RealClock());
//   ASSIGN_OR_RETURN(CommitRequest commit,
//                    core.PrepareReportProgress(request, "platform"));
//   store->Commit(std::move(commit), done);
#ifndef NQ57_SERVICES_CRITERIA_CRITERIA_CORE_H_
#define NQ57_SERVICES_CRITERIA_CRITERIA_CORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/store/store.h"
#include "common/time/clock.h"
#include "common/units/unit_registry.h"
#include "nq57/criteria/v1/criteria.pb.h"

namespace nq57::criteria {

class CriteriaCore {
 public:
  // Most items in one BatchReportProgress.
  static constexpr int kMaxBatchItems = 1000;
  // Most units in one BatchCreateAssignments unit list.
  static constexpr int kMaxBatchUnits = 5000;

  // The column families the core keeps; open the store with them.
  static std::vector<std::string> ColumnFamilies();

  CriteriaCore(Store* store, const UnitRegistry* units, const Clock& clock)
      : store_(store), units_(units), clock_(clock) {}

  // Writes. The commit's response is the RPC's response message.
  absl::StatusOr<CommitRequest> PrepareCreateCriterion(
      const v1::CreateCriterionRequest& request, std::string actor) const;
  absl::StatusOr<CommitRequest> PrepareUpdateCriterion(
      const v1::UpdateCriterionRequest& request, std::string actor) const;
  absl::StatusOr<CommitRequest> PrepareRetireCriterion(
      const v1::RetireCriterionRequest& request, std::string actor) const;
  absl::StatusOr<CommitRequest> PrepareCreateAssignment(
      const v1::CreateAssignmentRequest& request, std::string actor) const;
  absl::StatusOr<CommitRequest> PrepareBatchCreateAssignments(
      const v1::BatchCreateAssignmentsRequest& request,
      std::string actor) const;
  absl::StatusOr<CommitRequest> PrepareReportProgress(
      const v1::ReportProgressRequest& request, std::string actor) const;
  absl::StatusOr<CommitRequest> PrepareBatchReportProgress(
      const v1::BatchReportProgressRequest& request, std::string actor) const;

  // Reads of committed data.
  absl::StatusOr<v1::Criterion> GetCriterion(
      const v1::GetCriterionRequest& request) const;
  absl::StatusOr<v1::ListCriteriaResponse> ListCriteria(
      const v1::ListCriteriaRequest& request) const;
  absl::StatusOr<v1::ListAssignmentsResponse> ListAssignments(
      const v1::ListAssignmentsRequest& request) const;
  absl::StatusOr<v1::GetAssignmentResponse> GetAssignment(
      const v1::GetAssignmentRequest& request) const;
  absl::StatusOr<v1::Summary> GetSummary(
      const v1::GetSummaryRequest& request) const;
  absl::StatusOr<v1::ListOverdueResponse> ListOverdue(
      const v1::ListOverdueRequest& request) const;

  // The status of `assignment` at `as_of` (the stored state, judged at that
  // instant): NO_DEADLINE, ON_TIME, COMPLETED_LATE, OVERDUE or PENDING.
  static v1::DeadlineStatus DeadlineStatusAt(const v1::Assignment& assignment,
                                             absl::Time as_of);

 private:
  Store* const store_;
  const UnitRegistry* const units_;
  const Clock& clock_;
};

}  // namespace nq57::criteria

#endif  // NQ57_SERVICES_CRITERIA_CRITERIA_CORE_H_
