#include "services/criteria/criteria_service.h"

#include <utility>

#include "common/server/commit_reactor.h"
#include "common/server/grpc_status.h"

namespace nq57::criteria {

grpc::ServerUnaryReactor* CriteriaService::CreateCriterion(
    grpc::CallbackServerContext* context,
    const v1::CreateCriterionRequest* request, v1::Criterion* response) {
  return gate_->CommitAndFinish(
      context, *request, *store_,
      [&](const std::string& actor) {
        return core_->PrepareCreateCriterion(*request, actor);
      },
      response);
}

grpc::ServerUnaryReactor* CriteriaService::GetCriterion(
    grpc::CallbackServerContext* context,
    const v1::GetCriterionRequest* request, v1::Criterion* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->GetCriterion(*request); },
      response);
}

grpc::ServerUnaryReactor* CriteriaService::ListCriteria(
    grpc::CallbackServerContext* context,
    const v1::ListCriteriaRequest* request,
    v1::ListCriteriaResponse* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->ListCriteria(*request); },
      response);
}

grpc::ServerUnaryReactor* CriteriaService::UpdateCriterion(
    grpc::CallbackServerContext* context,
    const v1::UpdateCriterionRequest* request, v1::Criterion* response) {
  return gate_->CommitAndFinish(
      context, *request, *store_,
      [&](const std::string& actor) {
        return core_->PrepareUpdateCriterion(*request, actor);
      },
      response);
}

grpc::ServerUnaryReactor* CriteriaService::RetireCriterion(
    grpc::CallbackServerContext* context,
    const v1::RetireCriterionRequest* request, v1::Criterion* response) {
  return gate_->CommitAndFinish(
      context, *request, *store_,
      [&](const std::string& actor) {
        return core_->PrepareRetireCriterion(*request, actor);
      },
      response);
}

grpc::ServerUnaryReactor* CriteriaService::CreateAssignment(
    grpc::CallbackServerContext* context,
    const v1::CreateAssignmentRequest* request, v1::Assignment* response) {
  return gate_->CommitAndFinish(
      context, *request, *store_,
      [&](const std::string& actor) {
        return core_->PrepareCreateAssignment(*request, actor);
      },
      response);
}

grpc::ServerUnaryReactor* CriteriaService::BatchCreateAssignments(
    grpc::CallbackServerContext* context,
    const v1::BatchCreateAssignmentsRequest* request,
    v1::BatchCreateAssignmentsResponse* response) {
  return gate_->CommitAndFinish(
      context, *request, *store_,
      [&](const std::string& actor) {
        return core_->PrepareBatchCreateAssignments(*request, actor);
      },
      response);
}

grpc::ServerUnaryReactor* CriteriaService::ListAssignments(
    grpc::CallbackServerContext* context,
    const v1::ListAssignmentsRequest* request,
    v1::ListAssignmentsResponse* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->ListAssignments(*request); },
      response);
}

grpc::ServerUnaryReactor* CriteriaService::GetAssignment(
    grpc::CallbackServerContext* context,
    const v1::GetAssignmentRequest* request,
    v1::GetAssignmentResponse* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->GetAssignment(*request); },
      response);
}

grpc::ServerUnaryReactor* CriteriaService::ReportProgress(
    grpc::CallbackServerContext* context,
    const v1::ReportProgressRequest* request, v1::Assignment* response) {
  return gate_->CommitAndFinish(
      context, *request, *store_,
      [&](const std::string& actor) {
        return core_->PrepareReportProgress(*request, actor);
      },
      response);
}

grpc::ServerUnaryReactor* CriteriaService::BatchReportProgress(
    grpc::CallbackServerContext* context,
    const v1::BatchReportProgressRequest* request,
    v1::BatchReportProgressResponse* response) {
  return gate_->CommitAndFinish(
      context, *request, *store_,
      [&](const std::string& actor) {
        return core_->PrepareBatchReportProgress(*request, actor);
      },
      response);
}

grpc::ServerUnaryReactor* CriteriaService::GetSummary(
    grpc::CallbackServerContext* context, const v1::GetSummaryRequest* request,
    v1::Summary* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->GetSummary(*request); }, response);
}

grpc::ServerUnaryReactor* CriteriaService::ListOverdue(
    grpc::CallbackServerContext* context, const v1::ListOverdueRequest* request,
    v1::ListOverdueResponse* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->ListOverdue(*request); },
      response);
}

}  // namespace nq57::criteria
