#include "services/criteria/criteria_service.h"

#include <utility>

#include "common/server/commit_reactor.h"
#include "common/server/grpc_status.h"

namespace nq57::criteria {

grpc::ServerUnaryReactor* CriteriaService::CreateCriterion(
    grpc::CallbackServerContext* context,
    const v1::CreateCriterionRequest* request, v1::Criterion* response) {
  return CommitAndFinish(
      context, *store_,
      core_->PrepareCreateCriterion(*request, ActorOf(*context)), response);
}

grpc::ServerUnaryReactor* CriteriaService::GetCriterion(
    grpc::CallbackServerContext* context,
    const v1::GetCriterionRequest* request, v1::Criterion* response) {
  return FinishRead(context, core_->GetCriterion(*request), response);
}

grpc::ServerUnaryReactor* CriteriaService::ListCriteria(
    grpc::CallbackServerContext* context,
    const v1::ListCriteriaRequest* request,
    v1::ListCriteriaResponse* response) {
  return FinishRead(context, core_->ListCriteria(*request), response);
}

grpc::ServerUnaryReactor* CriteriaService::UpdateCriterion(
    grpc::CallbackServerContext* context,
    const v1::UpdateCriterionRequest* request, v1::Criterion* response) {
  return CommitAndFinish(
      context, *store_,
      core_->PrepareUpdateCriterion(*request, ActorOf(*context)), response);
}

grpc::ServerUnaryReactor* CriteriaService::RetireCriterion(
    grpc::CallbackServerContext* context,
    const v1::RetireCriterionRequest* request, v1::Criterion* response) {
  return CommitAndFinish(
      context, *store_,
      core_->PrepareRetireCriterion(*request, ActorOf(*context)), response);
}

grpc::ServerUnaryReactor* CriteriaService::CreateAssignment(
    grpc::CallbackServerContext* context,
    const v1::CreateAssignmentRequest* request, v1::Assignment* response) {
  return CommitAndFinish(
      context, *store_,
      core_->PrepareCreateAssignment(*request, ActorOf(*context)), response);
}

grpc::ServerUnaryReactor* CriteriaService::BatchCreateAssignments(
    grpc::CallbackServerContext* context,
    const v1::BatchCreateAssignmentsRequest* request,
    v1::BatchCreateAssignmentsResponse* response) {
  return CommitAndFinish(
      context, *store_,
      core_->PrepareBatchCreateAssignments(*request, ActorOf(*context)),
      response);
}

grpc::ServerUnaryReactor* CriteriaService::ListAssignments(
    grpc::CallbackServerContext* context,
    const v1::ListAssignmentsRequest* request,
    v1::ListAssignmentsResponse* response) {
  return FinishRead(context, core_->ListAssignments(*request), response);
}

grpc::ServerUnaryReactor* CriteriaService::GetAssignment(
    grpc::CallbackServerContext* context,
    const v1::GetAssignmentRequest* request,
    v1::GetAssignmentResponse* response) {
  return FinishRead(context, core_->GetAssignment(*request), response);
}

grpc::ServerUnaryReactor* CriteriaService::ReportProgress(
    grpc::CallbackServerContext* context,
    const v1::ReportProgressRequest* request, v1::Assignment* response) {
  return CommitAndFinish(
      context, *store_,
      core_->PrepareReportProgress(*request, ActorOf(*context)), response);
}

grpc::ServerUnaryReactor* CriteriaService::BatchReportProgress(
    grpc::CallbackServerContext* context,
    const v1::BatchReportProgressRequest* request,
    v1::BatchReportProgressResponse* response) {
  return CommitAndFinish(
      context, *store_,
      core_->PrepareBatchReportProgress(*request, ActorOf(*context)), response);
}

grpc::ServerUnaryReactor* CriteriaService::GetSummary(
    grpc::CallbackServerContext* context, const v1::GetSummaryRequest* request,
    v1::Summary* response) {
  return FinishRead(context, core_->GetSummary(*request), response);
}

grpc::ServerUnaryReactor* CriteriaService::ListOverdue(
    grpc::CallbackServerContext* context, const v1::ListOverdueRequest* request,
    v1::ListOverdueResponse* response) {
  return FinishRead(context, core_->ListOverdue(*request), response);
}

}  // namespace nq57::criteria
