#include "tools/nq57ctl/publicservice_rows.h"

#include <memory>

#include "common/base/status_macros.h"
#include "nq57/publicservice/v1/publicservice.grpc.pb.h"
#include "tools/nq57ctl/row_fields.h"

namespace nq57::ctl {

namespace publicservice = ::nq57::publicservice::v1;

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
  publicservice::BatchReportDossierStatsRequest req;
  req.set_request_id(request_id);
  for (const RowGroup& g : batch) {
    const CsvRow& row = *g[0];
    publicservice::DossierStats* s = req.add_requests()->mutable_stats();
    s->set_unit(std::string(row.Get("unit")));
    s->mutable_period()->set_month(std::string(row.Get("month")));
    if (!row.Get("procedure").empty()) {
      s->set_procedure(std::string(row.Get("procedure")));
    } else {
      s->set_field(std::string(row.Get("field")));
    }
    publicservice::DossierCounts* counts = s->mutable_counts();
    const auto* d = counts->GetDescriptor();
    const auto* r = counts->GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
      const std::string& column = d->field(i)->name();
      if (row.Get(column).empty()) continue;
      ASSIGN_OR_RETURN(int64_t v, CountField(row, column));
      r->SetInt64(counts, d->field(i), v);
    }
  }
  return req;
}

std::vector<FileSpec> PublicServiceFileSpecs(const Endpoints* endpoints) {
  using Stub = publicservice::PublicServiceStatistics::Stub;
  std::shared_ptr<Stub> stub = publicservice::PublicServiceStatistics::NewStub(
      endpoints->Channel(endpoints->publicservice));
  std::vector<FileSpec> specs;
  specs.push_back(
      {.file = "procedures.csv",
       .columns = {"unit", "code", "display_name", "field", "online_level"},
       .aliases = {{"parent", "unit"}, {"procedure_id", "code"}},
       .send = CreateSender(stub, &Stub::CreateProcedure, endpoints,
                            [](const Batch& batch, const std::string& id) {
                              return CreateProcedureRequestOf(*batch[0][0], id);
                            })});
  specs.push_back(
      {.file = "dossier_stats.csv",
       .columns = {"unit", "month"},
       .batch_size = 1000,
       .items_field = "requests",
       .aliases = {{"period", "month"}, {"procedure", "field"}},
       .send = BatchSender(
           stub, &Stub::BatchReportDossierStats, endpoints,
           BatchReportDossierStatsRequestOf,
           [](const publicservice::BatchReportDossierStatsResponse& resp) {
             return resp.stats_size();
           })});
  return specs;
}

}  // namespace nq57::ctl
