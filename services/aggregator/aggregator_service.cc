#include "services/aggregator/aggregator_service.h"

#include <optional>

#include "common/server/commit_reactor.h"
#include "common/server/grpc_status.h"

namespace nq57::aggregator {
namespace {

// Sends the topic's current report, then the newest one each time the hub
// has a newer one (report_watch_hub.h), skipping those that came while a
// write was in flight.
class WatchReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                           public ReportWatchHub::Watcher {
 public:
  WatchReactor(ReportWatchHub* hub, const v1::WatchReportsRequest& request,
               std::unique_ptr<StreamLimits::Lease> lease)
      : hub_(hub), lease_(std::move(lease)) {
    hub_->Subscribe(request.province(), request.period(), this);
    absl::MutexLock lock(&mu_);
    WriteNewestLocked();
  }

  // ReportWatchHub::Watcher, called under the hub's lock.
  void OnSubscribed(std::shared_ptr<ReportWatchHub::Topic> topic) override {
    absl::MutexLock lock(&mu_);
    topic_ = std::move(topic);
  }
  void OnReport() override {
    absl::MutexLock lock(&mu_);
    WriteNewestLocked();
  }
  void OnClosed(const absl::Status& why) override {
    absl::MutexLock lock(&mu_);
    closed_ = ToGrpcStatus(why);
    if (!writing_) FinishLocked(*closed_);
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    sending_.Clear();
    if (!ok || cancelled_) {
      FinishLocked(grpc::Status::CANCELLED);
    } else if (closed_.has_value()) {
      FinishLocked(*closed_);
    } else {
      WriteNewestLocked();
    }
  }
  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    if (!writing_) FinishLocked(grpc::Status::CANCELLED);
  }
  void OnDone() override {
    // Not under mu_: the hub calls watchers under its own lock, then theirs.
    if (topic_ != nullptr) hub_->Unsubscribe(topic_, this);
    delete this;
  }

 private:
  void WriteNewestLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || writing_ || cancelled_ || topic_ == nullptr) return;
    auto [bytes, version] = topic_->LatestBytes();
    // (gRPC asserts on an empty message: never write one.)
    if (version <= sent_version_ || !bytes.Valid()) return;
    sent_version_ = version;
    sending_ = std::move(bytes);
    writing_ = true;
    StartWrite(&sending_);
  }
  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  ReportWatchHub* const hub_;
  const std::unique_ptr<StreamLimits::Lease> lease_;
  absl::Mutex mu_;
  // Set once, by OnSubscribed, before anything else can happen.
  std::shared_ptr<ReportWatchHub::Topic> topic_;
  grpc::ByteBuffer sending_ ABSL_GUARDED_BY(mu_);  // the hub's bytes
  uint64_t sent_version_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<grpc::Status> closed_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
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
                                     Rebuilder* rebuilder, ReportWatchHub* hub,
                                     const AccessGate* gate)
    : store_(store),
      core_(core),
      rebuilder_(rebuilder),
      hub_(hub),
      gate_(gate) {}

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

grpc::ServerWriteReactor<grpc::ByteBuffer>* AggregatorService::WatchReports(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw) {
  // A raw method (the reports go out as the hub serialized them), so the
  // request is parsed here.
  v1::WatchReportsRequest request;
  grpc::Slice slice;
  if (!raw->DumpToSingleSlice(&slice).ok() ||
      !request.ParseFromArray(slice.begin(), static_cast<int>(slice.size()))) {
    return new RefusedStream<grpc::ByteBuffer>(
        absl::InvalidArgumentError("the request does not parse as a "
                                   "nq57.aggregator.v1.WatchReportsRequest"));
  }
  absl::StatusOr<std::unique_ptr<StreamLimits::Lease>> lease =
      gate_->AdmitStream(*context, request);
  if (!lease.ok()) return new RefusedStream<grpc::ByteBuffer>(lease.status());
  return new WatchReactor(hub_, request, *std::move(lease));
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
