// LogFollower: a server-streaming reactor that follows a ChangeLog.
//
// The lifetime protocol of a stream that waits on the change log is subtle
// (a log waiter runs on the store's acknowledging thread while gRPC delivers
// OnCancel/OnDone on its own threads), so it lives here once. A subclass
// implements Pump(): called under the lock whenever the stream may send —
// at start, after each write, and when the log has advanced — it either
// calls StartWriteLocked, WaitLocked(sequence) to sleep until the log
// reaches that sequence, or FinishLocked. The reactor deletes itself in
// OnDone, or, if a waiter is running at that moment, when the waiter
// returns.
#ifndef NQ57_COMMON_SERVER_LOG_FOLLOWER_H_
#define NQ57_COMMON_SERVER_LOG_FOLLOWER_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/server/stream_limits.h"
#include "common/store/change_log.h"
#include "grpcpp/support/server_callback.h"

namespace nq57 {

template <typename Message>
class LogFollower : public grpc::ServerWriteReactor<Message> {
 public:
  // `lease` (may be null) is the stream's slot among the server's open
  // streams (stream_limits.h), given back when the stream is destroyed.
  explicit LogFollower(ChangeLog* log,
                       std::unique_ptr<StreamLimits::Lease> lease = nullptr)
      : log_(log), lease_(std::move(lease)) {}

  // Subclasses call this at the end of their constructor.
  void Start() {
    absl::MutexLock lock(&mu_);
    Pump();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok || cancelled_) {
      FinishLocked(grpc::Status::CANCELLED);
      return;
    }
    Pump();
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

 protected:
  // Sends, waits or finishes; see the file comment.
  virtual void Pump() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;

  void StartWriteLocked(const Message* message)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    writing_ = true;
    this->StartWrite(message);
  }

  // Sleeps until the log's head reaches `sequence`. False (nothing
  // registered) when it already has, or the log is closed: pump again.
  bool WaitLocked(uint64_t sequence) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    wait_id_ = log_->WaitFor(sequence, [this] { OnLogAdvanced(); });
    return wait_id_ != 0;
  }

  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    this->Finish(status);
  }

  bool finished() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return finished_; }
  ChangeLog* log() const { return log_; }

  absl::Mutex mu_;

 private:
  // Runs on the store's acknowledging thread.
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
        Pump();
      }
    }
    if (destroy) delete this;
  }

  ChangeLog* const log_;
  const std::unique_ptr<StreamLimits::Lease> lease_;
  ChangeLog::WaitId wait_id_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_LOG_FOLLOWER_H_
