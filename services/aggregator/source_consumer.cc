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

std::shared_ptr<grpc::Channel> ChannelTo(
    const std::string& address,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  // Reconnect quickly when a source restarts.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  if (credentials == nullptr) credentials = grpc::InsecureChannelCredentials();
  return grpc::CreateCustomChannel(address, std::move(credentials), args);
}

}  // namespace

SourceConsumer::SourceConsumer(RollupEngine* engine, SourceSpec source,
                               Options options)
    : engine_(engine), source_(std::move(source)), options_(options) {
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

bool SourceConsumer::known_wrong() const {
  absl::MutexLock lock(&mu_);
  return state_ == v1::LOST_BASIS || state_ == v1::REBUILDING;
}

uint64_t SourceConsumer::lost_basis_count() const {
  absl::MutexLock lock(&mu_);
  return lost_basis_count_;
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
  out.set_log_id(log_id_);
  out.set_scope(scope_);
  if (last_reachable_time_ != absl::InfinitePast()) {
    *out.mutable_last_reachable_time() = ToProtoTime(last_reachable_time_);
  }
  out.set_state(state_);
  return out;
}

void SourceConsumer::Run() {
  std::mt19937_64 rng(std::random_device{}());
  absl::Duration backoff = kMinBackoff;
  while (true) {
    const absl::Time started = absl::Now();
    const bool back_off = FollowOnce();
    absl::MutexLock lock(&mu_);
    serving_ = false;
    if (stopping_) return;
    if (!back_off) {
      backoff = kMinBackoff;
      continue;
    }
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

bool SourceConsumer::FollowOnce() {
  absl::StatusOr<v1::SourcePosition> position =
      engine_->AppliedPosition(source_.name);
  if (!position.ok()) {
    absl::MutexLock lock(&mu_);
    last_error_ = position.status().ToString();
    return true;
  }
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return true;
    context_ = &context;
    applied_ = position->sequence();
    if (log_id_.empty()) log_id_ = position->log_id();
  }
  auto stub = changes::v1::ChangeFeed::NewStub(
      ChannelTo(source_.address, options_.credentials));
  changes::v1::SubscribeRequest request;
  request.set_from_sequence(position->sequence() + 1);
  // The largest batches a feed sends: catching up, each is one commit
  // (fewer fsyncs, and more of a batch's measure changes net out); live,
  // a batch holds what was committed since the last one anyway.
  request.set_max_batch_records(4096);
  std::unique_ptr<grpc::ClientReader<changes::v1::ChangeBatch>> reader =
      stub->Subscribe(&context, request);
  changes::v1::ChangeBatch batch;
  absl::Status failure;
  uint64_t applied = position->sequence();
  while (reader->Read(&batch)) {
    {
      absl::MutexLock lock(&mu_);
      last_reachable_time_ = absl::Now();
      head_ = batch.head_sequence();
      scope_ = batch.scope();
    }
    // Nothing of a batch is applied unless it continues what was applied.
    failure = engine_->CheckBasis(source_.name, batch);
    if (failure.ok() && batch.records_size() > 0) {
      absl::StatusOr<uint64_t> now = engine_->ApplyBatch(source_.name, batch);
      if (now.ok()) {
        applied = *now;
      } else {
        failure = now.status();
      }
    }
    if (!failure.ok()) {
      context.TryCancel();
      break;
    }
    absl::MutexLock lock(&mu_);
    applied_ = applied;
    log_id_ = batch.log_id();
    if (batch.records_size() > 0) last_applied_time_ = absl::Now();
    const bool was_serving = serving_;
    serving_ = applied_ >= head_;
    state_ = serving_ ? v1::CAUGHT_UP : v1::CATCHING_UP;
    last_error_.clear();
    if (serving_ && !was_serving) {
      LogInfo("source caught up", {{"source", source_.name},
                                   {"sequence", applied_},
                                   {"log_id", log_id_}});
    }
  }
  grpc::Status status = reader->Finish();
  {
    absl::MutexLock lock(&mu_);
    context_ = nullptr;
    serving_ = false;
    if (stopping_) return true;
    if (failure.ok()) failure = FromGrpcStatus(status);
    last_error_ = failure.ToString();
    if (IsOverlappingScope(failure)) {
      if (state_ != v1::OVERLAPPING_SCOPE) {
        LogError("source refused", {{"source", source_.name},
                                    {"address", source_.address},
                                    {"error", last_error_}});
      }
      state_ = v1::OVERLAPPING_SCOPE;
      return true;
    }
    if (!IsLostBasis(failure)) {
      if (state_ != v1::NEVER_CONNECTED) state_ = v1::UNREACHABLE;
      LogWarning("source stream ended", {{"source", source_.name},
                                         {"address", source_.address},
                                         {"applied", applied_},
                                         {"error", last_error_}});
      return true;
    }
    if (state_ != v1::LOST_BASIS) ++lost_basis_count_;
    state_ = v1::LOST_BASIS;
    LogError(
        "source lost its basis",
        {{"source", source_.name},
         {"address", source_.address},
         {"applied", applied_},
         {"error", last_error_},
         {"reset", options_.reset_automatically ? "automatic" : "manual"}});
    if (!options_.reset_automatically) return true;
    state_ = v1::REBUILDING;
  }
  ResetFromSources(failure);
  absl::MutexLock lock(&mu_);
  return state_ != v1::CATCHING_UP;
}

void SourceConsumer::ResetFromSources(const absl::Status& why) {
  FeedReader reader =
      GrpcFeedReader(absl::InfiniteFuture(), options_.credentials);
  absl::StatusOr<v1::RebuildResponse> rebuilt =
      engine_->Rebuild(reader, {.replace = true});
  absl::MutexLock lock(&mu_);
  if (!rebuilt.ok()) {
    state_ = v1::LOST_BASIS;
    last_error_ = absl::StrCat(
        why.message(), "; rebuild failed: ", rebuilt.status().ToString());
    LogError("source rebuild failed",
             {{"source", source_.name}, {"error", last_error_}});
    return;
  }
  state_ = v1::CATCHING_UP;
  applied_ = rebuilt->rebuilt_to_sequence().at(source_.name);
  log_id_ = rebuilt->rebuilt_log_ids().at(source_.name);
  last_error_.clear();
  LogInfo("source rebuilt from its new log",
          {{"source", source_.name},
           {"log_id", log_id_},
           {"sequence", applied_},
           {"measures", rebuilt->measures_compared()}});
}

FeedReader GrpcFeedReader(
    absl::Time deadline,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  return [deadline, credentials](const SourceSpec& source, uint64_t from,
                                 absl::FunctionRef<absl::StatusOr<bool>(
                                     const changes::v1::ChangeBatch&)>
                                     fn) -> absl::Status {
    auto stub = changes::v1::ChangeFeed::NewStub(
        ChannelTo(source.address, credentials));
    grpc::ClientContext context;
    if (deadline != absl::InfiniteFuture()) {
      context.set_deadline(absl::ToChronoTime(deadline));
    }
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
