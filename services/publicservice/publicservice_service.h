// PublicServiceStatisticsService: the gRPC face of the public-service
// statistics service (nq57.publicservice.v1.PublicServiceStatistics), a thin
// adapter over PublicServiceCore.
//
// Writes hand the core's CommitRequest to the store and return at once (the
// store's writer finishes the reactor when the commit is durable); reads
// answer inline from RocksDB. absl::Status becomes grpc::Status once, in
// ToGrpcStatus.
//
// Thread-safe (gRPC calls it concurrently). The core and the store are not
// owned and must outlive the server that serves this service.
#ifndef NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_SERVICE_H_
#define NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_SERVICE_H_

#include "common/server/access_gate.h"
#include "common/store/store.h"
#include "nq57/publicservice/v1/publicservice.grpc.pb.h"
#include "services/publicservice/publicservice_core.h"

namespace nq57::publicservice {

class PublicServiceStatisticsService final
    : public v1::PublicServiceStatistics::CallbackService {
 public:
  // Nothing is owned; all must outlive the service's server. `gate`
  // admits each call (access_gate.h).
  PublicServiceStatisticsService(
      const PublicServiceCore* core, Store* store,
      const AccessGate* gate = &AccessGate::Unrestricted())
      : core_(core), store_(store), gate_(gate) {}

  grpc::ServerUnaryReactor* CreateProcedure(
      grpc::CallbackServerContext* context,
      const v1::CreateProcedureRequest* request,
      v1::Procedure* response) override;
  grpc::ServerUnaryReactor* GetProcedure(grpc::CallbackServerContext* context,
                                         const v1::GetProcedureRequest* request,
                                         v1::Procedure* response) override;
  grpc::ServerUnaryReactor* ListProcedures(
      grpc::CallbackServerContext* context,
      const v1::ListProceduresRequest* request,
      v1::ListProceduresResponse* response) override;
  grpc::ServerUnaryReactor* UpdateProcedure(
      grpc::CallbackServerContext* context,
      const v1::UpdateProcedureRequest* request,
      v1::Procedure* response) override;
  grpc::ServerUnaryReactor* ReportDossierStats(
      grpc::CallbackServerContext* context,
      const v1::ReportDossierStatsRequest* request,
      v1::DossierStats* response) override;
  grpc::ServerUnaryReactor* BatchReportDossierStats(
      grpc::CallbackServerContext* context,
      const v1::BatchReportDossierStatsRequest* request,
      v1::BatchReportDossierStatsResponse* response) override;
  grpc::ServerUnaryReactor* GetIndicators(
      grpc::CallbackServerContext* context,
      const v1::GetIndicatorsRequest* request,
      v1::UnitIndicators* response) override;
  grpc::ServerUnaryReactor* ListIndicators(
      grpc::CallbackServerContext* context,
      const v1::ListIndicatorsRequest* request,
      v1::ListIndicatorsResponse* response) override;

 private:
  const PublicServiceCore* const core_;
  Store* const store_;
  const AccessGate* const gate_;
};

}  // namespace nq57::publicservice

#endif  // NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_SERVICE_H_
