#include "common/server/change_feed_service.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "common/server/grpc_status.h"
#include "common/server/log_follower.h"

namespace nq57 {
namespace {

constexpr uint32_t kDefaultBatchRecords = 512;
constexpr uint32_t kMaxBatchRecords = 4096;
// A batch also stops at about this many bytes of records (always at least
// one record; ChangeLog::Read's bound): far below gRPC's default 4 MiB
// receive limit, so a consumer with default channel settings can read any
// feed (the aggregator's own records carry whole published reports).
constexpr size_t kMaxBatchBytes = 1 << 20;
// What all the streams of one feed read ahead together: each stream's
// batch is capped at this share of it (never below kMinBatchBytes), so 500
// consumers replaying from sequence 1 hold about as much as 32 do, instead
// of 500 full batches (each held twice: as records and serialized).
constexpr size_t kReadAheadBytes = 32 << 20;
constexpr size_t kMinBatchBytes = 16 << 10;

size_t BatchBytes(size_t streams) {
  return std::clamp(kReadAheadBytes / std::max<size_t>(streams, 1),
                    kMinBatchBytes, kMaxBatchBytes);
}

// One subscription: replays from `from`, sends a caught-up batch, then
// follows the log (see LogFollower for the lifetime protocol).
class SubscribeReactor final : public LogFollower<changes::v1::ChangeBatch> {
 public:
  SubscribeReactor(ChangeLog* log, const std::string* scope, uint64_t from,
                   uint32_t max_records,
                   std::unique_ptr<StreamLimits::Lease> lease,
                   std::shared_ptr<std::atomic<size_t>> streams)
      : LogFollower(log, std::move(lease)),
        scope_(scope),
        next_(std::max<uint64_t>(from, 1)),
        max_(max_records),
        streams_(std::move(streams)) {
    streams_->fetch_add(1, std::memory_order_relaxed);
    Start();
  }
  ~SubscribeReactor() override {
    streams_->fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  void Pump() override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    while (!finished()) {
      absl::StatusOr<std::vector<changes::v1::ChangeRecord>> records =
          log()->Read(next_, max_,
                      BatchBytes(streams_->load(std::memory_order_relaxed)));
      if (!records.ok()) {
        FinishLocked(ToGrpcStatus(records.status()));
        return;
      }
      if (records->empty() && sent_caught_up_) {
        if (WaitLocked(next_)) return;
        continue;  // advanced (or closed) meanwhile: read again
      }
      if (!records->empty()) next_ = records->back().sequence() + 1;
      batch_.Clear();
      for (auto& r : *records) *batch_.add_records() = std::move(r);
      batch_.set_head_sequence(log()->head());
      batch_.set_log_id(log()->log_id());
      batch_.set_scope(*scope_);
      if (next_ > batch_.head_sequence()) sent_caught_up_ = true;
      StartWriteLocked(&batch_);
      return;
    }
  }

  const std::string* const scope_;  // the service's; outlives the stream
  uint64_t next_ ABSL_GUARDED_BY(mu_);
  const uint32_t max_;
  changes::v1::ChangeBatch batch_ ABSL_GUARDED_BY(mu_);
  bool sent_caught_up_ ABSL_GUARDED_BY(mu_) = false;
  // The feed's open streams (shared with the service, which a stream may
  // outlive during shutdown).
  const std::shared_ptr<std::atomic<size_t>> streams_;
};

}  // namespace

grpc::ServerWriteReactor<changes::v1::ChangeBatch>*
ChangeFeedService::Subscribe(grpc::CallbackServerContext* context,
                             const changes::v1::SubscribeRequest* request) {
  absl::StatusOr<std::unique_ptr<StreamLimits::Lease>> lease =
      gate_->AdmitStream(*context, *request);
  if (!lease.ok()) {
    return new RefusedStream<changes::v1::ChangeBatch>(lease.status());
  }
  uint32_t max = request->max_batch_records();
  if (max == 0) max = kDefaultBatchRecords;
  max = std::min(max, kMaxBatchRecords);
  return new SubscribeReactor(log_, &scope_, request->from_sequence(), max,
                              *std::move(lease), streams_);
}

}  // namespace nq57
