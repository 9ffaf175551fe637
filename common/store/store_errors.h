// How RocksDB's failures reach callers of a Store, and the store's record of
// damage it has seen.
//
// FromRocks maps a rocksdb::Status to the code a client can act on: a full
// disk is RESOURCE_EXHAUSTED (retry later), any other I/O error UNAVAILABLE,
// a checksum or format failure DATA_LOSS (nothing to retry: the bytes on
// disk are not what was written). Corruption is never INTERNAL, so a client
// and an operator can tell "damaged store" from "bug".
//
// DamageRecord remembers the first damage a store saw while serving (a read
// or a background job that hit a bad block), so health can say NOT_SERVING
// for the rest of the process's life: a figure computed from a store with a
// known bad block might be wrong, and a restart re-verifies the files.
// Thread-safe; owned by the Store, shared with its ChangeLog.
#ifndef NQ57_COMMON_STORE_STORE_ERRORS_H_
#define NQ57_COMMON_STORE_STORE_ERRORS_H_

#include <atomic>
#include <cstdint>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace rocksdb {
class Status;
}  // namespace rocksdb

namespace nq57 {

// `what` says which operation failed, e.g. "get" or "open store /data".
absl::Status FromRocks(const rocksdb::Status& status, std::string_view what);

class DamageRecord {
 public:
  // Keeps `status` if it is DATA_LOSS and nothing was kept before; counts
  // every DATA_LOSS. Returns `status` unchanged, so a read can
  // `return damage.Note(FromRocks(s, "get"));`.
  absl::Status Note(absl::Status status);
  // OK, or the first DATA_LOSS noted.
  absl::Status first() const;
  // How many DATA_LOSS results were noted (for the metric).
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  mutable absl::Mutex mu_;
  absl::Status first_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> count_{0};
};

}  // namespace nq57

#endif  // NQ57_COMMON_STORE_STORE_ERRORS_H_
