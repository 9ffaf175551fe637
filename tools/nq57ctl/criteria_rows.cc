#include "tools/nq57ctl/criteria_rows.h"

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "tools/nq57ctl/row_fields.h"

namespace nq57::ctl {
namespace {

namespace criteria = ::nq57::criteria::v1;

// One progress.csv row.
absl::StatusOr<criteria::ProgressReport> ProgressReportOf(const CsvRow& row) {
  criteria::ProgressReport r;
  std::string code(row.Get("criterion"));
  if (absl::StartsWith(code, "criteria/")) code = code.substr(9);
  r.set_assignment(
      absl::StrCat(AbslView(row.Get("unit")), "/assignments/", code));
  ASSIGN_OR_RETURN(auto state,
                   EnumField(row, "state", criteria::ProgressState_Parse));
  r.set_state(state);
  RETURN_IF_ERROR(SetIfGiven(row, "complete_time", TimestampField, r,
                             &criteria::ProgressReport::mutable_complete_time));
  if (!row.Get("evidence").empty()) {
    r.mutable_evidence()->set_document_number(std::string(row.Get("evidence")));
  }
  r.set_note(std::string(row.Get("note")));
  return r;
}

}  // namespace

absl::StatusOr<criteria::CreateCriterionRequest> CreateCriterionRequestOf(
    const CsvRow& row, const std::string& request_id) {
  criteria::CreateCriterionRequest req;
  req.set_request_id(request_id);
  criteria::Criterion* c = req.mutable_criterion();
  c->set_code(std::string(row.Get("code")));
  c->set_title(std::string(row.Get("title")));
  ASSIGN_OR_RETURN(auto source,
                   EnumField(row, "source", criteria::SourceDocument_Parse));
  c->set_source(source);
  c->set_source_reference(std::string(row.Get("source_reference")));
  ASSIGN_OR_RETURN(auto block, EnumField(row, "block", criteria::Block_Parse));
  c->set_block(block);
  ASSIGN_OR_RETURN(auto group, EnumField(row, "group", criteria::Group_Parse));
  c->set_group(group);
  ASSIGN_OR_RETURN(auto level,
                   EnumField(row, "level", common::v1::UnitLevel_Parse));
  c->set_level(level);
  RETURN_IF_ERROR(SetIfGiven(row, "deadline", TimestampField, *c,
                             &criteria::Criterion::mutable_deadline));
  return req;
}

absl::StatusOr<criteria::BatchCreateAssignmentsRequest>
BatchCreateAssignmentsRequestOf(const CsvRow& row,
                                const std::string& request_id) {
  criteria::BatchCreateAssignmentsRequest req;
  req.set_request_id(request_id);
  std::string criterion(row.Get("criterion"));
  if (!absl::StartsWith(criterion, "criteria/")) {
    criterion = absl::StrCat("criteria/", criterion);
  }
  req.set_criterion(criterion);
  const std::string target(row.Get("target"));
  if (absl::StrContains(target, "/communes/") ||
      absl::StrContains(target, "/agencies/")) {
    req.mutable_units()->add_units(target);
  } else {
    req.set_province(target);
  }
  RETURN_IF_ERROR(SetIfGiven(
      row, "assign_time", TimestampField, req,
      &criteria::BatchCreateAssignmentsRequest::mutable_assign_time));
  return req;
}

absl::StatusOr<criteria::BatchReportProgressRequest>
BatchReportProgressRequestOf(const Batch& batch,
                             const std::string& request_id) {
  return BatchRequestOf(
      batch, request_id, &criteria::BatchReportProgressRequest::add_items,
      [](const RowGroup& rows) { return ProgressReportOf(*rows[0]); });
}

std::vector<FileSpec> CriteriaFileSpecs(const Endpoints* endpoints) {
  using Stub = criteria::CriteriaService::Stub;
  const std::shared_ptr<Stub> stub = criteria::CriteriaService::NewStub(
      endpoints->Channel(endpoints->criteria));
  return {
      FileSpec{
          .file = "criteria.csv",
          .columns = {"code", "title", "source", "block", "group", "level"},
          .send = CreateSender(stub, &Stub::CreateCriterion, endpoints,
                               OneRow(CreateCriterionRequestOf))},
      FileSpec{.file = "assignments.csv",
               .columns = {"criterion", "target", "assign_time"},
               .aliases = {{"province", "target"}, {"units", "target"}},
               .send = BatchSender(
                   stub, &Stub::BatchCreateAssignments, endpoints,
                   OneRow(BatchCreateAssignmentsRequestOf),
                   [](const criteria::BatchCreateAssignmentsResponse& resp) {
                     return resp.assignments_size() +
                            resp.already_assigned_size();
                   })},
      FileSpec{.file = "progress.csv",
               .columns = {"unit", "criterion", "state", "complete_time"},
               .batch_size = 1000,
               .items_field = "items",
               .aliases = {{"assignment", "criterion"},
                           {"document_number", "evidence"}},
               .send = BatchSender(
                   stub, &Stub::BatchReportProgress, endpoints,
                   BatchReportProgressRequestOf,
                   &criteria::BatchReportProgressResponse::assignments_size)},
  };
}

}  // namespace nq57::ctl
