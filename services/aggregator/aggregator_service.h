// AggregatorService: the thin gRPC adapter of nq57.aggregator.v1 over
// AggregatorCore. Reads answer inline from maintained measures; Publish goes
// through the store's commit path; WatchReports streams what the
// ReportWatchHub builds once for all of a province's watchers; Rebuild is
// handed to the Rebuilder's worker (it reads every source from sequence 0),
// which finishes the call when done.
#ifndef NQ57_SERVICES_AGGREGATOR_AGGREGATOR_SERVICE_H_
#define NQ57_SERVICES_AGGREGATOR_AGGREGATOR_SERVICE_H_

#include "common/server/access_gate.h"
#include "nq57/aggregator/v1/aggregator.grpc.pb.h"
#include "services/aggregator/aggregator_core.h"
#include "services/aggregator/rebuilder.h"
#include "services/aggregator/report_watch_hub.h"

namespace nq57::aggregator {

// WatchReports is a raw method: every stream of a province sends the bytes
// the hub serialized once (the wire format is Report's, as declared).
class AggregatorService final
    : public v1::AggregatorService::WithRawCallbackMethod_WatchReports<
          v1::AggregatorService::CallbackService> {
 public:
  // Nothing is owned; all must outlive the service's server.
  AggregatorService(Store* store, const AggregatorCore* core,
                    Rebuilder* rebuilder, ReportWatchHub* hub,
                    const AccessGate* gate = &AccessGate::Unrestricted());

  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext* context,
                                      const v1::GetReportRequest* request,
                                      v1::Report* response) override;
  grpc::ServerUnaryReactor* ListReports(
      grpc::CallbackServerContext* context,
      const v1::ListReportsRequest* request,
      v1::ListReportsResponse* response) override;
  grpc::ServerUnaryReactor* GetRankings(grpc::CallbackServerContext* context,
                                        const v1::GetRankingsRequest* request,
                                        v1::Rankings* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* WatchReports(
      grpc::CallbackServerContext* context,
      const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* context,
                                    const v1::PublishRequest* request,
                                    v1::Snapshot* response) override;
  grpc::ServerUnaryReactor* GetSnapshot(grpc::CallbackServerContext* context,
                                        const v1::GetSnapshotRequest* request,
                                        v1::Snapshot* response) override;
  grpc::ServerUnaryReactor* ListSnapshots(
      grpc::CallbackServerContext* context,
      const v1::ListSnapshotsRequest* request,
      v1::ListSnapshotsResponse* response) override;
  grpc::ServerUnaryReactor* DiffSnapshots(
      grpc::CallbackServerContext* context,
      const v1::DiffSnapshotsRequest* request,
      v1::SnapshotDiff* response) override;
  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context,
                                   const v1::ExportRequest* request,
                                   v1::ExportResponse* response) override;
  grpc::ServerUnaryReactor* Explain(grpc::CallbackServerContext* context,
                                    const v1::ExplainRequest* request,
                                    v1::Explanation* response) override;
  grpc::ServerUnaryReactor* Rebuild(grpc::CallbackServerContext* context,
                                    const v1::RebuildRequest* request,
                                    v1::RebuildResponse* response) override;

 private:
  Store* const store_;
  const AggregatorCore* const core_;
  Rebuilder* const rebuilder_;
  ReportWatchHub* const hub_;
  const AccessGate* const gate_;
};

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_AGGREGATOR_SERVICE_H_
