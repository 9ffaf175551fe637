// ChangeLog: the ordered record of every change a Store committed.
//
// Sequences start at 1, have no gaps, never repeat and never go back, also
// across restarts (the head is recovered from the last stored record). The
// Store appends to it inside its commit path; anyone may read it.
//
// Following the log without polling: WaitFor(seq, fn) registers `fn` to run
// once the head reaches `seq` (or the log closes). It runs on the store's
// acknowledging thread right after the answers of the commit that made it
// true, so it must not block; typically it resumes a gRPC stream.
//
// Thread-safe. Owned by its Store; Close() wakes every waiter and makes
// further reads UNAVAILABLE.
#ifndef NQ57_COMMON_STORE_CHANGE_LOG_H_
#define NQ57_COMMON_STORE_CHANGE_LOG_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/store/store_errors.h"
#include "nq57/changes/v1/changes.pb.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace nq57 {

class ChangeLog {
 public:
  using WaitId = uint64_t;

  // `damage` (the store's; may be null) records the damage reads meet.
  ChangeLog(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
            std::string log_id, uint64_t head, DamageRecord* damage = nullptr)
      : db_(db),
        family_(family),
        log_id_(std::move(log_id)),
        head_(head),
        damage_(damage) {}

  // The log's identity: created once with the store and kept with its data;
  // a sequence is only meaningful together with it (see changes.proto).
  const std::string& log_id() const { return log_id_; }

  // The highest committed sequence (0 for an empty log).
  uint64_t head() const { return head_.load(std::memory_order_acquire); }

  // Up to `max_records` consecutive records starting at `from` (>= 1), fewer
  // once `max_bytes` of serialized records is reached (at least one record is
  // returned if any exists). Empty when from > head().
  absl::StatusOr<std::vector<changes::v1::ChangeRecord>> Read(
      uint64_t from, size_t max_records, size_t max_bytes = 4 << 20) const;

  // Runs `fn` once when head() >= seq or the log is closed. Returns 0 without
  // registering (and without running `fn`) if that is already the case.
  WaitId WaitFor(uint64_t seq, absl::AnyInvocable<void()> fn);
  // Unregisters a waiter. True if it was removed before running; false if it
  // has run or is running now (its `fn` will still complete).
  bool CancelWait(WaitId id);

  bool closed() const { return closed_.load(std::memory_order_acquire); }

  // Ends following: runs every waiter, and further reads are UNAVAILABLE.
  // A server calls it when it starts draining, so Subscribe streams end
  // instead of holding the drain until its deadline. Idempotent.
  void Close();

 private:
  friend class Store;
  // Called by the Store's writer after a durable commit: first the head is
  // published (so an acknowledged write is readable at once), then the
  // writes are acknowledged, then the followers are woken.
  void PublishHead(uint64_t head) {
    head_.store(head, std::memory_order_release);
  }
  void WakeWaiters() { RunReady(/*all=*/false); }
  void RunReady(bool all);
  absl::Status Damaged(absl::Status status) const {
    return damage_ != nullptr ? damage_->Note(std::move(status)) : status;
  }

  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const family_;
  const std::string log_id_;
  std::atomic<uint64_t> head_;
  std::atomic<bool> closed_{false};
  DamageRecord* const damage_;

  // Readers hold it shared; Close() takes it exclusively so no Read() is
  // inside the database when the Store deletes it.
  mutable absl::Mutex read_mu_;

  absl::Mutex mu_;
  struct Waiter {
    uint64_t seq;
    absl::AnyInvocable<void()> fn;
  };
  std::map<WaitId, Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  WaitId next_id_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace nq57

#endif  // NQ57_COMMON_STORE_CHANGE_LOG_H_
