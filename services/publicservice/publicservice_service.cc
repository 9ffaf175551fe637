#include "services/publicservice/publicservice_service.h"

#include <utility>

#include "common/server/commit_reactor.h"
#include "common/server/grpc_status.h"

namespace nq57::publicservice {

grpc::ServerUnaryReactor* PublicServiceStatisticsService::CreateProcedure(
    grpc::CallbackServerContext* context,
    const v1::CreateProcedureRequest* request, v1::Procedure* response) {
  return gate_->CommitAndFinish(
      context, *request, *store_,
      [&](const std::string& actor) {
        return core_->PrepareCreateProcedure(*request, actor);
      },
      response);
}

grpc::ServerUnaryReactor* PublicServiceStatisticsService::GetProcedure(
    grpc::CallbackServerContext* context,
    const v1::GetProcedureRequest* request, v1::Procedure* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->GetProcedure(*request); },
      response);
}

grpc::ServerUnaryReactor* PublicServiceStatisticsService::ListProcedures(
    grpc::CallbackServerContext* context,
    const v1::ListProceduresRequest* request,
    v1::ListProceduresResponse* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->ListProcedures(*request); },
      response);
}

grpc::ServerUnaryReactor* PublicServiceStatisticsService::UpdateProcedure(
    grpc::CallbackServerContext* context,
    const v1::UpdateProcedureRequest* request, v1::Procedure* response) {
  return gate_->CommitAndFinish(
      context, *request, *store_,
      [&](const std::string& actor) {
        return core_->PrepareUpdateProcedure(*request, actor);
      },
      response);
}

grpc::ServerUnaryReactor* PublicServiceStatisticsService::ReportDossierStats(
    grpc::CallbackServerContext* context,
    const v1::ReportDossierStatsRequest* request, v1::DossierStats* response) {
  return gate_->CommitAndFinish(
      context, *request, *store_,
      [&](const std::string& actor) {
        return core_->PrepareReportDossierStats(*request, actor);
      },
      response);
}

grpc::ServerUnaryReactor*
PublicServiceStatisticsService::BatchReportDossierStats(
    grpc::CallbackServerContext* context,
    const v1::BatchReportDossierStatsRequest* request,
    v1::BatchReportDossierStatsResponse* response) {
  return gate_->CommitAndFinish(
      context, *request, *store_,
      [&](const std::string& actor) {
        return core_->PrepareBatchReportDossierStats(*request, actor);
      },
      response);
}

grpc::ServerUnaryReactor* PublicServiceStatisticsService::GetIndicators(
    grpc::CallbackServerContext* context,
    const v1::GetIndicatorsRequest* request, v1::UnitIndicators* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->GetIndicators(*request); },
      response);
}

grpc::ServerUnaryReactor* PublicServiceStatisticsService::ListIndicators(
    grpc::CallbackServerContext* context,
    const v1::ListIndicatorsRequest* request,
    v1::ListIndicatorsResponse* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->ListIndicators(*request); },
      response);
}

}  // namespace nq57::publicservice
