#include "services/aggregator/source_consumer.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "common/base/log.h"
#include "common/server/grpc_status.h"
#include "common/time/proto_time.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "nq57/changes/v1/changes.grpc.pb.h"

namespace nq57::aggregator {
namespace {

constexpr absl::Duration kMinBackoff = absl::Milliseconds(100);
constexpr absl::Duration kMaxBackoff = absl::Seconds(5);

std::shared_ptr<grpc::Channel> ChannelTo(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  // Reconnect quickly when a source restarts.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

}  // namespace

SourceConsumer::SourceConsumer(RollupEngine* engine, SourceSpec source)
    : engine_(engine), source_(std::move(source)) {
  thread_ = std::thread([this] { Run(); });
}

SourceConsumer::~SourceConsumer() { Stop(); }

void SourceConsumer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

bool SourceConsumer::caught_up() const {
  absl::MutexLock lock(&mu_);
  return serving_;
}

v1::SourceFreshness SourceConsumer::Status() const {
  absl::MutexLock lock(&mu_);
  v1::SourceFreshness out;
  out.set_source(source_.name);
  out.set_address(source_.address);
  out.set_serving(serving_);
  out.set_applied_sequence(applied_);
  out.set_head_sequence(head_);
  if (last_applied_time_ != absl::InfinitePast()) {
    *out.mutable_last_applied_time() = ToProtoTime(last_applied_time_);
  }
  out.set_last_error(last_error_);
  return out;
}

void SourceConsumer::Run() {
  std::mt19937_64 rng(std::random_device{}());
  absl::Duration backoff = kMinBackoff;
  while (true) {
    const absl::Time started = absl::Now();
    FollowOnce();
    absl::MutexLock lock(&mu_);
    serving_ = false;
    if (stopping_) return;
    // A stream that ran a while was healthy: start backing off afresh.
    if (absl::Now() - started > absl::Seconds(10)) backoff = kMinBackoff;
    // Full jitter: sleep uniformly in [0, backoff).
    const absl::Duration sleep =
        absl::Nanoseconds(std::uniform_int_distribution<int64_t>(
            0, absl::ToInt64Nanoseconds(backoff))(rng));
    backoff = std::min(backoff * 2, kMaxBackoff);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), sleep);
    if (stopping_) return;
  }
}

void SourceConsumer::FollowOnce() {
  absl::StatusOr<uint64_t> applied = engine_->AppliedSequence(source_.name);
  if (!applied.ok()) {
    absl::MutexLock lock(&mu_);
    last_error_ = applied.status().ToString();
    return;
  }
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    context_ = &context;
    applied_ = *applied;
  }
  auto stub = changes::v1::ChangeFeed::NewStub(ChannelTo(source_.address));
  changes::v1::SubscribeRequest request;
  request.set_from_sequence(*applied + 1);
  std::unique_ptr<grpc::ClientReader<changes::v1::ChangeBatch>> reader =
      stub->Subscribe(&context, request);
  changes::v1::ChangeBatch batch;
  absl::Status failure;
  while (reader->Read(&batch)) {
    if (batch.records_size() > 0) {
      absl::StatusOr<uint64_t> now = engine_->ApplyBatch(source_.name, batch);
      if (!now.ok()) {
        failure = now.status();
        context.TryCancel();
        break;
      }
      *applied = *now;
    }
    absl::MutexLock lock(&mu_);
    applied_ = *applied;
    head_ = std::max(head_, batch.head_sequence());
    if (batch.records_size() > 0) last_applied_time_ = absl::Now();
    const bool was_serving = serving_;
    serving_ = applied_ >= head_;
    last_error_.clear();
    if (serving_ && !was_serving) {
      LogInfo("source caught up",
              {{"source", source_.name}, {"sequence", applied_}});
    }
  }
  grpc::Status status = reader->Finish();
  absl::MutexLock lock(&mu_);
  context_ = nullptr;
  if (stopping_) return;
  if (failure.ok()) failure = FromGrpcStatus(status);
  last_error_ = failure.ToString();
  LogWarning("source stream ended", {{"source", source_.name},
                                     {"address", source_.address},
                                     {"applied", applied_},
                                     {"error", last_error_}});
}

FeedReader GrpcFeedReader() {
  return [](const SourceSpec& source, uint64_t from,
            absl::FunctionRef<absl::StatusOr<bool>(
                const changes::v1::ChangeBatch&)>
                fn) -> absl::Status {
    auto stub = changes::v1::ChangeFeed::NewStub(ChannelTo(source.address));
    grpc::ClientContext context;
    changes::v1::SubscribeRequest request;
    request.set_from_sequence(from);
    request.set_max_batch_records(4096);
    auto reader = stub->Subscribe(&context, request);
    changes::v1::ChangeBatch batch;
    absl::Status result;
    while (reader->Read(&batch)) {
      absl::StatusOr<bool> more = fn(batch);
      if (!more.ok() || !*more) {
        result = more.status();
        context.TryCancel();
        break;
      }
    }
    grpc::Status finish = reader->Finish();
    if (!result.ok()) return result;
    if (!finish.ok() && finish.error_code() != grpc::StatusCode::CANCELLED) {
      return FromGrpcStatus(finish);
    }
    return absl::OkStatus();
  };
}

}  // namespace nq57::aggregator
