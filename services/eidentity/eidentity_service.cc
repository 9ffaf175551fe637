#include "services/eidentity/eidentity_service.h"

#include <utility>

#include "common/server/commit_reactor.h"
#include "common/server/grpc_status.h"

namespace nq57::eidentity {

grpc::ServerUnaryReactor* EidentityService::ListMetricDefinitions(
    grpc::CallbackServerContext* context,
    const v1::ListMetricDefinitionsRequest* request,
    v1::ListMetricDefinitionsResponse* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->ListMetricDefinitions(*request); },
      response);
}

grpc::ServerUnaryReactor* EidentityService::GetMetricDefinition(
    grpc::CallbackServerContext* context,
    const v1::GetMetricDefinitionRequest* request,
    v1::MetricDefinition* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->GetMetricDefinition(*request); },
      response);
}

grpc::ServerUnaryReactor* EidentityService::ReportSnapshot(
    grpc::CallbackServerContext* context,
    const v1::ReportSnapshotRequest* request,
    v1::ReportSnapshotResponse* response) {
  return gate_->CommitAndFinish(
      context, *request, *store_,
      [&](const std::string& actor) {
        return core_->PrepareReportSnapshot(*request, actor);
      },
      response);
}

grpc::ServerUnaryReactor* EidentityService::BatchReportSnapshots(
    grpc::CallbackServerContext* context,
    const v1::BatchReportSnapshotsRequest* request,
    v1::BatchReportSnapshotsResponse* response) {
  return gate_->CommitAndFinish(
      context, *request, *store_,
      [&](const std::string& actor) {
        return core_->PrepareBatchReportSnapshots(*request, actor);
      },
      response);
}

grpc::ServerUnaryReactor* EidentityService::GetUnitMetrics(
    grpc::CallbackServerContext* context,
    const v1::GetUnitMetricsRequest* request, v1::UnitMetrics* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->GetUnitMetrics(*request); },
      response);
}

grpc::ServerUnaryReactor* EidentityService::RollupMetrics(
    grpc::CallbackServerContext* context,
    const v1::RollupMetricsRequest* request, v1::Rollup* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->RollupMetrics(*request); },
      response);
}

grpc::ServerUnaryReactor* EidentityService::GetHistory(
    grpc::CallbackServerContext* context, const v1::GetHistoryRequest* request,
    v1::GetHistoryResponse* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->GetHistory(*request); }, response);
}

}  // namespace nq57::eidentity
