#include "services/eidentity/eidentity_service.h"

#include <utility>

#include "common/server/commit_reactor.h"
#include "common/server/grpc_status.h"

namespace nq57::eidentity {

grpc::ServerUnaryReactor* EidentityService::ListMetricDefinitions(
    grpc::CallbackServerContext* context,
    const v1::ListMetricDefinitionsRequest* request,
    v1::ListMetricDefinitionsResponse* response) {
  return FinishRead(context, core_->ListMetricDefinitions(*request), response);
}

grpc::ServerUnaryReactor* EidentityService::GetMetricDefinition(
    grpc::CallbackServerContext* context,
    const v1::GetMetricDefinitionRequest* request,
    v1::MetricDefinition* response) {
  return FinishRead(context, core_->GetMetricDefinition(*request), response);
}

grpc::ServerUnaryReactor* EidentityService::ReportSnapshot(
    grpc::CallbackServerContext* context,
    const v1::ReportSnapshotRequest* request,
    v1::ReportSnapshotResponse* response) {
  return CommitAndFinish(
      context, *store_,
      core_->PrepareReportSnapshot(*request, ActorOf(*context)), response);
}

grpc::ServerUnaryReactor* EidentityService::BatchReportSnapshots(
    grpc::CallbackServerContext* context,
    const v1::BatchReportSnapshotsRequest* request,
    v1::BatchReportSnapshotsResponse* response) {
  return CommitAndFinish(
      context, *store_,
      core_->PrepareBatchReportSnapshots(*request, ActorOf(*context)),
      response);
}

grpc::ServerUnaryReactor* EidentityService::GetUnitMetrics(
    grpc::CallbackServerContext* context,
    const v1::GetUnitMetricsRequest* request, v1::UnitMetrics* response) {
  return FinishRead(context, core_->GetUnitMetrics(*request), response);
}

grpc::ServerUnaryReactor* EidentityService::RollupMetrics(
    grpc::CallbackServerContext* context,
    const v1::RollupMetricsRequest* request, v1::Rollup* response) {
  return FinishRead(context, core_->RollupMetrics(*request), response);
}

grpc::ServerUnaryReactor* EidentityService::GetHistory(
    grpc::CallbackServerContext* context, const v1::GetHistoryRequest* request,
    v1::GetHistoryResponse* response) {
  return FinishRead(context, core_->GetHistory(*request), response);
}

}  // namespace nq57::eidentity
