#include "tools/nq57ctl/publicservice_rows.h"

#include <memory>

#include "common/base/status_macros.h"
#include "nq57/publicservice/v1/publicservice.grpc.pb.h"
#include "tools/nq57ctl/row_fields.h"

namespace nq57::ctl {
namespace {

namespace publicservice = ::nq57::publicservice::v1;

// One dossier_stats.csv row.
absl::StatusOr<publicservice::ReportDossierStatsRequest> DossierStatsOf(
    const CsvRow& row) {
  publicservice::ReportDossierStatsRequest item;
  publicservice::DossierStats* s = item.mutable_stats();
  s->set_unit(std::string(row.Get("unit")));
  s->mutable_period()->set_month(std::string(row.Get("month")));
  if (!row.Get("procedure").empty()) {
    s->set_procedure(std::string(row.Get("procedure")));
  } else {
    s->set_field(std::string(row.Get("field")));
  }
  // A column per DossierCounts field; an empty one is not reported.
  publicservice::DossierCounts* counts = s->mutable_counts();
  const auto* d = counts->GetDescriptor();
  const auto* r = counts->GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const std::string& column = d->field(i)->name();
    if (row.Get(column).empty()) continue;
    ASSIGN_OR_RETURN(int64_t v, CountField(row, column));
    r->SetInt64(counts, d->field(i), v);
  }
  return item;
}

}  // namespace

absl::StatusOr<publicservice::CreateProcedureRequest> CreateProcedureRequestOf(
    const CsvRow& row, const std::string& request_id) {
  publicservice::CreateProcedureRequest req;
  req.set_request_id(request_id);
  req.set_parent(std::string(row.Get("unit")));
  req.set_procedure_id(std::string(row.Get("code")));
  publicservice::Procedure* p = req.mutable_procedure();
  p->set_display_name(std::string(row.Get("display_name")));
  p->set_field(std::string(row.Get("field")));
  ASSIGN_OR_RETURN(auto level, EnumField(row, "online_level",
                                         publicservice::OnlineLevel_Parse));
  p->set_online_level(level);
  const std::string_view essential = row.Get("essential");
  if (essential != "" && essential != "true" && essential != "false") {
    return RowError(row, "essential", "expected true or false");
  }
  p->set_essential(essential == "true");
  RETURN_IF_ERROR(
      SetIfGiven(row, "level_effective_from", DateField, *p,
                 &publicservice::Procedure::mutable_level_effective_from));
  return req;
}

absl::StatusOr<publicservice::BatchReportDossierStatsRequest>
BatchReportDossierStatsRequestOf(const Batch& batch,
                                 const std::string& request_id) {
  return BatchRequestOf(
      batch, request_id,
      &publicservice::BatchReportDossierStatsRequest::add_requests,
      [](const RowGroup& rows) { return DossierStatsOf(*rows[0]); });
}

std::vector<FileSpec> PublicServiceFileSpecs(const Endpoints* endpoints) {
  using Stub = publicservice::PublicServiceStatistics::Stub;
  const std::shared_ptr<Stub> stub =
      publicservice::PublicServiceStatistics::NewStub(
          endpoints->Channel(endpoints->publicservice));
  return {
      FileSpec{
          .file = "procedures.csv",
          .columns = {"unit", "code", "display_name", "field", "online_level"},
          .aliases = {{"parent", "unit"}, {"procedure_id", "code"}},
          .send = CreateSender(stub, &Stub::CreateProcedure, endpoints,
                               OneRow(CreateProcedureRequestOf))},
      FileSpec{
          .file = "dossier_stats.csv",
          .columns = {"unit", "month"},
          .batch_size = 1000,
          .items_field = "requests",
          .aliases = {{"period", "month"}, {"procedure", "field"}},
          .send = BatchSender(
              stub, &Stub::BatchReportDossierStats, endpoints,
              BatchReportDossierStatsRequestOf,
              &publicservice::BatchReportDossierStatsResponse::stats_size)},
  };
}

}  // namespace nq57::ctl
