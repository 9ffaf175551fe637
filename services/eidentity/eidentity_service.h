// EidentityService: the gRPC face of the e-identity and Project 06 metrics
// service (nq57.eidentity.v1.EidentityService), a thin adapter over
// EidentityCore.
//
// Writes hand the core's CommitRequest to the store and return at once (the
// store's writer finishes the reactor when the commit is durable); reads
// answer inline from RocksDB. absl::Status becomes grpc::Status once, in
// ToGrpcStatus.
//
// Thread-safe (gRPC calls it concurrently). The core and the store are not
// owned and must outlive the server that serves this service.
#ifndef NQ57_SERVICES_EIDENTITY_EIDENTITY_SERVICE_H_
#define NQ57_SERVICES_EIDENTITY_EIDENTITY_SERVICE_H_

#include "common/server/access_gate.h"
#include "common/store/store.h"
#include "nq57/eidentity/v1/eidentity.grpc.pb.h"
#include "services/eidentity/eidentity_core.h"

namespace nq57::eidentity {

class EidentityService final : public v1::EidentityService::CallbackService {
 public:
  // Nothing is owned; all must outlive the service's server. `gate`
  // admits each call (access_gate.h).
  EidentityService(const EidentityCore* core, Store* store,
                   const AccessGate* gate = &AccessGate::Unrestricted())
      : core_(core), store_(store), gate_(gate) {}

  grpc::ServerUnaryReactor* ListMetricDefinitions(
      grpc::CallbackServerContext* context,
      const v1::ListMetricDefinitionsRequest* request,
      v1::ListMetricDefinitionsResponse* response) override;
  grpc::ServerUnaryReactor* GetMetricDefinition(
      grpc::CallbackServerContext* context,
      const v1::GetMetricDefinitionRequest* request,
      v1::MetricDefinition* response) override;
  grpc::ServerUnaryReactor* ReportSnapshot(
      grpc::CallbackServerContext* context,
      const v1::ReportSnapshotRequest* request,
      v1::ReportSnapshotResponse* response) override;
  grpc::ServerUnaryReactor* BatchReportSnapshots(
      grpc::CallbackServerContext* context,
      const v1::BatchReportSnapshotsRequest* request,
      v1::BatchReportSnapshotsResponse* response) override;
  grpc::ServerUnaryReactor* GetUnitMetrics(
      grpc::CallbackServerContext* context,
      const v1::GetUnitMetricsRequest* request,
      v1::UnitMetrics* response) override;
  grpc::ServerUnaryReactor* RollupMetrics(
      grpc::CallbackServerContext* context,
      const v1::RollupMetricsRequest* request, v1::Rollup* response) override;
  grpc::ServerUnaryReactor* GetHistory(
      grpc::CallbackServerContext* context,
      const v1::GetHistoryRequest* request,
      v1::GetHistoryResponse* response) override;

 private:
  const EidentityCore* const core_;
  Store* const store_;
  const AccessGate* const gate_;
};

}  // namespace nq57::eidentity

#endif  // NQ57_SERVICES_EIDENTITY_EIDENTITY_SERVICE_H_
