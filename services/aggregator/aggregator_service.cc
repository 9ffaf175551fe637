#include "services/aggregator/aggregator_service.h"

#include "common/server/commit_reactor.h"
#include "common/server/grpc_status.h"
#include "common/server/log_follower.h"

namespace nq57::aggregator {
namespace {

// Sends the current report, then a new one each time the aggregator's
// change log advances and the province's figures differ (see LogFollower
// for the lifetime protocol).
class WatchReactor final : public LogFollower<v1::Report> {
 public:
  WatchReactor(ChangeLog* log, const AggregatorCore* core,
               v1::WatchReportsRequest request,
               std::unique_ptr<StreamLimits::Lease> lease)
      : LogFollower(log, std::move(lease)),
        core_(core),
        request_(std::move(request)) {
    Start();
  }

 private:
  void Pump() override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    while (!finished()) {
      if (log()->closed()) {
        FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                  "server is shutting down"));
        return;
      }
      const uint64_t head = log()->head();
      if (head >= seen_ || !sent_any_) {
        seen_ = head + 1;
        v1::GetReportRequest get;
        get.set_province(request_.province());
        get.set_period(request_.period());
        absl::StatusOr<v1::Report> report = core_->GetReport(get);
        if (!report.ok()) {
          FinishLocked(ToGrpcStatus(report.status()));
          return;
        }
        std::string fingerprint = AggregatorCore::ContentFingerprint(*report);
        if (!sent_any_ || fingerprint != fingerprint_) {
          fingerprint_ = std::move(fingerprint);
          report_ = std::move(*report);
          sent_any_ = true;
          StartWriteLocked(&report_);
          return;
        }
      }
      if (WaitLocked(seen_)) return;
    }
  }

  const AggregatorCore* const core_;
  const v1::WatchReportsRequest request_;
  v1::Report report_ ABSL_GUARDED_BY(mu_);
  std::string fingerprint_ ABSL_GUARDED_BY(mu_);
  uint64_t seen_ ABSL_GUARDED_BY(mu_) = 0;
  bool sent_any_ ABSL_GUARDED_BY(mu_) = false;
};

// Finishes the call from whatever thread `start` hands the result to: `start`
// gets a callback taking absl::StatusOr<Response> and returns whether it
// accepted the work (an error finishes the call at once).
template <typename Response, typename Start>
grpc::ServerUnaryReactor* FinishLater(grpc::CallbackServerContext* context,
                                      Response* response, Start start) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status started =
      start([reactor, response](absl::StatusOr<Response> result) {
        if (result.ok()) *response = std::move(*result);
        reactor->Finish(ToGrpcStatus(result.status()));
      });
  if (!started.ok()) reactor->Finish(ToGrpcStatus(started));
  return reactor;
}

}  // namespace

AggregatorService::AggregatorService(Store* store, const AggregatorCore* core,
                                     Rebuilder* rebuilder,
                                     const AccessGate* gate)
    : store_(store), core_(core), rebuilder_(rebuilder), gate_(gate) {}

grpc::ServerUnaryReactor* AggregatorService::GetReport(
    grpc::CallbackServerContext* context, const v1::GetReportRequest* request,
    v1::Report* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->GetReport(*request); }, response);
}

grpc::ServerUnaryReactor* AggregatorService::ListReports(
    grpc::CallbackServerContext* context, const v1::ListReportsRequest* request,
    v1::ListReportsResponse* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->ListReports(*request); },
      response);
}

grpc::ServerUnaryReactor* AggregatorService::GetRankings(
    grpc::CallbackServerContext* context, const v1::GetRankingsRequest* request,
    v1::Rankings* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->GetRankings(*request); },
      response);
}

grpc::ServerWriteReactor<v1::Report>* AggregatorService::WatchReports(
    grpc::CallbackServerContext* context,
    const v1::WatchReportsRequest* request) {
  absl::StatusOr<std::unique_ptr<StreamLimits::Lease>> lease =
      gate_->AdmitStream(*context, *request);
  if (!lease.ok()) return new RefusedStream<v1::Report>(lease.status());
  return new WatchReactor(&store_->change_log(), core_, *request,
                          *std::move(lease));
}

grpc::ServerUnaryReactor* AggregatorService::Publish(
    grpc::CallbackServerContext* context, const v1::PublishRequest* request,
    v1::Snapshot* response) {
  return gate_->CommitAndFinish(
      context, *request, *store_,
      [&](const std::string& actor) {
        return core_->PreparePublish(*request, actor);
      },
      response);
}

grpc::ServerUnaryReactor* AggregatorService::GetSnapshot(
    grpc::CallbackServerContext* context, const v1::GetSnapshotRequest* request,
    v1::Snapshot* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->GetSnapshot(*request); },
      response);
}

grpc::ServerUnaryReactor* AggregatorService::ListSnapshots(
    grpc::CallbackServerContext* context,
    const v1::ListSnapshotsRequest* request,
    v1::ListSnapshotsResponse* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->ListSnapshots(*request); },
      response);
}

grpc::ServerUnaryReactor* AggregatorService::DiffSnapshots(
    grpc::CallbackServerContext* context,
    const v1::DiffSnapshotsRequest* request, v1::SnapshotDiff* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->DiffSnapshots(*request); },
      response);
}

grpc::ServerUnaryReactor* AggregatorService::Export(
    grpc::CallbackServerContext* context, const v1::ExportRequest* request,
    v1::ExportResponse* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->Export(*request); }, response);
}

grpc::ServerUnaryReactor* AggregatorService::Explain(
    grpc::CallbackServerContext* context, const v1::ExplainRequest* request,
    v1::Explanation* response) {
  return gate_->FinishRead(
      context, *request, [&] { return core_->Explain(*request); }, response);
}

grpc::ServerUnaryReactor* AggregatorService::Rebuild(
    grpc::CallbackServerContext* context, const v1::RebuildRequest* request,
    v1::RebuildResponse* response) {
  if (absl::StatusOr<Caller> caller = gate_->Admit(*context, *request);
      !caller.ok()) {
    return nq57::FinishRead<v1::RebuildResponse>(context, caller.status(),
                                                 response);
  }
  const absl::Time deadline =
      context->deadline() == std::chrono::system_clock::time_point::max()
          ? absl::InfiniteFuture()
          : absl::FromChrono(context->deadline());
  return FinishLater(context, response, [&](auto done) {
    return rebuilder_->Start(std::move(done), request->replace(), deadline);
  });
}

}  // namespace nq57::aggregator
