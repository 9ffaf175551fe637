// CriteriaService: the gRPC face of the criteria tracking service
// (nq57.criteria.v1.CriteriaService), a thin adapter over CriteriaCore.
//
// Each method converts nothing but the status: writes hand the core's
// CommitRequest to the store and return at once (the store's writer finishes
// the reactor when the commit is durable); reads answer inline from RocksDB.
// absl::Status becomes grpc::Status once, in ToGrpcStatus.
//
// Thread-safe (gRPC calls it concurrently). The core and the store are not
// owned and must outlive the server that serves this service.
#ifndef NQ57_SERVICES_CRITERIA_CRITERIA_SERVICE_H_
#define NQ57_SERVICES_CRITERIA_CRITERIA_SERVICE_H_

#include "common/server/access_gate.h"
#include "common/store/store.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "services/criteria/criteria_core.h"

namespace nq57::criteria {

class CriteriaService final : public v1::CriteriaService::CallbackService {
 public:
  // Nothing is owned; all must outlive the service's server. `gate`
  // admits each call (access_gate.h).
  CriteriaService(const CriteriaCore* core, Store* store,
                  const AccessGate* gate = &AccessGate::Unrestricted())
      : core_(core), store_(store), gate_(gate) {}

  grpc::ServerUnaryReactor* CreateCriterion(
      grpc::CallbackServerContext* context,
      const v1::CreateCriterionRequest* request,
      v1::Criterion* response) override;
  grpc::ServerUnaryReactor* GetCriterion(grpc::CallbackServerContext* context,
                                         const v1::GetCriterionRequest* request,
                                         v1::Criterion* response) override;
  grpc::ServerUnaryReactor* ListCriteria(
      grpc::CallbackServerContext* context,
      const v1::ListCriteriaRequest* request,
      v1::ListCriteriaResponse* response) override;
  grpc::ServerUnaryReactor* UpdateCriterion(
      grpc::CallbackServerContext* context,
      const v1::UpdateCriterionRequest* request,
      v1::Criterion* response) override;
  grpc::ServerUnaryReactor* RetireCriterion(
      grpc::CallbackServerContext* context,
      const v1::RetireCriterionRequest* request,
      v1::Criterion* response) override;
  grpc::ServerUnaryReactor* CreateAssignment(
      grpc::CallbackServerContext* context,
      const v1::CreateAssignmentRequest* request,
      v1::Assignment* response) override;
  grpc::ServerUnaryReactor* BatchCreateAssignments(
      grpc::CallbackServerContext* context,
      const v1::BatchCreateAssignmentsRequest* request,
      v1::BatchCreateAssignmentsResponse* response) override;
  grpc::ServerUnaryReactor* ListAssignments(
      grpc::CallbackServerContext* context,
      const v1::ListAssignmentsRequest* request,
      v1::ListAssignmentsResponse* response) override;
  grpc::ServerUnaryReactor* GetAssignment(
      grpc::CallbackServerContext* context,
      const v1::GetAssignmentRequest* request,
      v1::GetAssignmentResponse* response) override;
  grpc::ServerUnaryReactor* ReportProgress(
      grpc::CallbackServerContext* context,
      const v1::ReportProgressRequest* request,
      v1::Assignment* response) override;
  grpc::ServerUnaryReactor* BatchReportProgress(
      grpc::CallbackServerContext* context,
      const v1::BatchReportProgressRequest* request,
      v1::BatchReportProgressResponse* response) override;
  grpc::ServerUnaryReactor* GetSummary(grpc::CallbackServerContext* context,
                                       const v1::GetSummaryRequest* request,
                                       v1::Summary* response) override;
  grpc::ServerUnaryReactor* ListOverdue(
      grpc::CallbackServerContext* context,
      const v1::ListOverdueRequest* request,
      v1::ListOverdueResponse* response) override;

 private:
  const CriteriaCore* const core_;
  Store* const store_;
  const AccessGate* const gate_;
};

}  // namespace nq57::criteria

#endif  // NQ57_SERVICES_CRITERIA_CRITERIA_SERVICE_H_
