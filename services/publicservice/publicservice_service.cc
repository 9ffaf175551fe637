#include "services/publicservice/publicservice_service.h"

#include <utility>

#include "common/server/commit_reactor.h"
#include "common/server/grpc_status.h"

namespace nq57::publicservice {

grpc::ServerUnaryReactor* PublicServiceStatisticsService::CreateProcedure(
    grpc::CallbackServerContext* context,
    const v1::CreateProcedureRequest* request, v1::Procedure* response) {
  return CommitAndFinish(
      context, *store_,
      core_->PrepareCreateProcedure(*request, ActorOf(*context)), response);
}

grpc::ServerUnaryReactor* PublicServiceStatisticsService::GetProcedure(
    grpc::CallbackServerContext* context,
    const v1::GetProcedureRequest* request, v1::Procedure* response) {
  return FinishRead(context, core_->GetProcedure(*request), response);
}

grpc::ServerUnaryReactor* PublicServiceStatisticsService::ListProcedures(
    grpc::CallbackServerContext* context,
    const v1::ListProceduresRequest* request,
    v1::ListProceduresResponse* response) {
  return FinishRead(context, core_->ListProcedures(*request), response);
}

grpc::ServerUnaryReactor* PublicServiceStatisticsService::UpdateProcedure(
    grpc::CallbackServerContext* context,
    const v1::UpdateProcedureRequest* request, v1::Procedure* response) {
  return CommitAndFinish(
      context, *store_,
      core_->PrepareUpdateProcedure(*request, ActorOf(*context)), response);
}

grpc::ServerUnaryReactor* PublicServiceStatisticsService::ReportDossierStats(
    grpc::CallbackServerContext* context,
    const v1::ReportDossierStatsRequest* request, v1::DossierStats* response) {
  return CommitAndFinish(
      context, *store_,
      core_->PrepareReportDossierStats(*request, ActorOf(*context)), response);
}

grpc::ServerUnaryReactor*
PublicServiceStatisticsService::BatchReportDossierStats(
    grpc::CallbackServerContext* context,
    const v1::BatchReportDossierStatsRequest* request,
    v1::BatchReportDossierStatsResponse* response) {
  return CommitAndFinish(
      context, *store_,
      core_->PrepareBatchReportDossierStats(*request, ActorOf(*context)),
      response);
}

grpc::ServerUnaryReactor* PublicServiceStatisticsService::GetIndicators(
    grpc::CallbackServerContext* context,
    const v1::GetIndicatorsRequest* request, v1::UnitIndicators* response) {
  return FinishRead(context, core_->GetIndicators(*request), response);
}

grpc::ServerUnaryReactor* PublicServiceStatisticsService::ListIndicators(
    grpc::CallbackServerContext* context,
    const v1::ListIndicatorsRequest* request,
    v1::ListIndicatorsResponse* response) {
  return FinishRead(context, core_->ListIndicators(*request), response);
}

}  // namespace nq57::publicservice
