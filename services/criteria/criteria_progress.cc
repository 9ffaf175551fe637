// Progress of assignments: ReportProgress and BatchReportProgress (all or
// nothing). Each report replaces the assignment's state, completion time,
// evidence, reporter and note, and moves its counters.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/time/proto_time.h"
#include "google/protobuf/util/time_util.h"
#include "services/criteria/criteria_core.h"
#include "services/criteria/criteria_counters.h"
#include "services/criteria/criteria_names.h"
#include "services/criteria/criteria_records.h"

namespace nq57::criteria {
namespace {

using changes::v1::ChangeKind;

// Applies one validated report; field errors are relative to the report.
absl::StatusOr<v1::Assignment> ApplyReport(Transaction& txn,
                                           CriterionCache& criteria,
                                           const v1::ProgressReport& r) {
  ASSIGN_OR_RETURN(AssignmentName name,
                   ParseAssignmentName(r.assignment(), "assignment"));
  ASSIGN_OR_RETURN(v1::Assignment before,
                   LoadAssignment(txn, name.unit, name.code));
  ASSIGN_OR_RETURN(const v1::Criterion* c, criteria.Get(name.code));
  RETURN_IF_ERROR(CheckActive(*c));
  if (r.state() == v1::COMPLETED &&
      FromProtoTime(r.complete_time()) < FromProtoTime(before.assign_time())) {
    return InvalidFieldError(
        "complete_time",
        absl::StrCat(
            "is before the assignment (assigned ",
            google::protobuf::util::TimeUtil::ToString(before.assign_time()),
            ")"));
  }
  v1::Assignment after = before;
  after.set_state(r.state());
  if (r.state() == v1::COMPLETED) {
    *after.mutable_complete_time() = r.complete_time();
  } else {
    after.clear_complete_time();
  }
  if (r.has_evidence()) {
    *after.mutable_evidence() = r.evidence();
  } else {
    after.clear_evidence();
  }
  after.set_reporter(r.reporter().empty() ? txn.actor() : r.reporter());
  after.set_note(r.note());
  *after.mutable_update_time() = ToProtoTime(txn.commit_time());
  RETURN_IF_ERROR(
      ApplyChange(txn, ContributionOf(before, *c), ContributionOf(after, *c)));
  RETURN_IF_ERROR(StoreAssignment(txn, after, name.code));
  txn.RecordChange(after.name(), ChangeKind::UPDATED, &after, &before);
  after.set_deadline_status(
      CriteriaCore::DeadlineStatusAt(after, txn.commit_time()));
  return after;
}

}  // namespace

absl::StatusOr<CommitRequest> CriteriaCore::PrepareReportProgress(
    const v1::ReportProgressRequest& request, std::string actor) const {
  RETURN_IF_ERROR(PrefixFields(
      CheckReport(request.report(), *units_, clock_.Now()), "report."));
  return MakeCommit(
      request, request.request_id(), std::move(actor),
      [report = request.report()](Transaction& txn) -> absl::Status {
        CriterionCache criteria(txn);
        absl::StatusOr<v1::Assignment> a = ApplyReport(txn, criteria, report);
        if (!a.ok()) return PrefixFields(a.status(), "report.");
        txn.SetResponse(a->SerializeAsString());
        return absl::OkStatus();
      });
}

absl::StatusOr<CommitRequest> CriteriaCore::PrepareBatchReportProgress(
    const v1::BatchReportProgressRequest& request, std::string actor) const {
  if (request.items_size() == 0) return InvalidFieldError("items", "required");
  if (request.items_size() > kMaxBatchItems) {
    return InvalidFieldError(
        "items", absl::StrCat("at most ", kMaxBatchItems, " per batch"));
  }
  const absl::Time now = clock_.Now();
  for (int i = 0; i < request.items_size(); ++i) {
    RETURN_IF_ERROR(PrefixFields(CheckReport(request.items(i), *units_, now),
                                 absl::StrCat("items[", i, "].")));
  }
  return MakeCommit(
      request, request.request_id(), std::move(actor),
      [items = request.items()](Transaction& txn) -> absl::Status {
        CriterionCache criteria(txn);
        v1::BatchReportProgressResponse response;
        for (int i = 0; i < items.size(); ++i) {
          absl::StatusOr<v1::Assignment> a =
              ApplyReport(txn, criteria, items[i]);
          if (!a.ok()) {
            return PrefixFields(a.status(), absl::StrCat("items[", i, "]."));
          }
          *response.add_assignments() = std::move(*a);
        }
        txn.SetResponse(response.SerializeAsString());
        return absl::OkStatus();
      });
}

}  // namespace nq57::criteria
