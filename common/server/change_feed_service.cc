#include "common/server/change_feed_service.h"

#include <algorithm>

#include "absl/synchronization/mutex.h"
#include "common/server/grpc_status.h"

namespace nq57 {
namespace {

constexpr uint32_t kDefaultBatchRecords = 512;
constexpr uint32_t kMaxBatchRecords = 4096;

// One subscription. Lifetime: deleted in OnDone(), or by the change-log
// waiter if one is running when OnDone() arrives. Every state change happens
// under mu_; the waiter runs on the store's writer thread, the other
// reactions on gRPC threads.
class SubscribeReactor final
    : public grpc::ServerWriteReactor<changes::v1::ChangeBatch> {
 public:
  SubscribeReactor(ChangeLog* log, uint64_t from, uint32_t max_records)
      : log_(log), next_(std::max<uint64_t>(from, 1)), max_(max_records) {
    absl::MutexLock lock(&mu_);
    SendNextLocked();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    if (cancelled_) {
      FinishLocked(grpc::Status::CANCELLED);
      return;
    }
    SendNextLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    if (wait_id_ != 0 && log_->CancelWait(wait_id_)) wait_id_ = 0;
    // With a write in flight, OnWriteDone finishes; with a waiter running,
    // the waiter does.
    if (!writing_ && wait_id_ == 0) FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      if (wait_id_ != 0 && !log_->CancelWait(wait_id_)) {
        return;  // the waiter is running and will delete us
      }
      wait_id_ = 0;
    }
    delete this;
  }

 private:
  void OnLogAdvanced() {
    bool destroy = false;
    {
      absl::MutexLock lock(&mu_);
      wait_id_ = 0;
      if (done_) {
        destroy = true;
      } else if (cancelled_) {
        FinishLocked(grpc::Status::CANCELLED);
      } else {
        SendNextLocked();
      }
    }
    if (destroy) delete this;
  }

  void SendNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    while (!finished_) {
      absl::StatusOr<std::vector<changes::v1::ChangeRecord>> records =
          log_->Read(next_, max_);
      if (!records.ok()) {
        FinishLocked(ToGrpcStatus(records.status()));
        return;
      }
      if (records->empty() && sent_caught_up_) {
        wait_id_ = log_->WaitFor(next_, [this] { OnLogAdvanced(); });
        if (wait_id_ != 0) return;
        continue;  // advanced (or closed) meanwhile: read again
      }
      if (!records->empty()) next_ = records->back().sequence() + 1;
      batch_.Clear();
      for (auto& r : *records) *batch_.add_records() = std::move(r);
      batch_.set_head_sequence(log_->head());
      if (next_ > batch_.head_sequence()) sent_caught_up_ = true;
      writing_ = true;
      StartWrite(&batch_);
      return;
    }
  }

  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  ChangeLog* const log_;
  absl::Mutex mu_;
  uint64_t next_ ABSL_GUARDED_BY(mu_);
  const uint32_t max_;
  changes::v1::ChangeBatch batch_ ABSL_GUARDED_BY(mu_);
  ChangeLog::WaitId wait_id_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool sent_caught_up_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

grpc::ServerWriteReactor<changes::v1::ChangeBatch>*
ChangeFeedService::Subscribe(grpc::CallbackServerContext* /*context*/,
                             const changes::v1::SubscribeRequest* request) {
  uint32_t max = request->max_batch_records();
  if (max == 0) max = kDefaultBatchRecords;
  max = std::min(max, kMaxBatchRecords);
  return new SubscribeReactor(log_, request->from_sequence(), max);
}

}  // namespace nq57
