// AcknowledgedMark: a small file beside a store that records how far its
// acknowledged writes reach, so that opening the store can tell a
// write-ahead log that lost acknowledged writes (truncated, replaced, a
// volume restored from an older copy) from one that merely ends where the
// last crash cut it.
//
// Why a separate file: RocksDB replays a WAL up to its last intact record
// and cannot know that records after it were acknowledged. The mark holds
// the RocksDB sequence number of the last write the store acknowledged; if
// the replayed database ends below it, acknowledged writes are missing.
//
// What it guarantees: the mark is a lower bound of what was acknowledged.
// It is written off the commit path (one fdatasync at most every
// `interval`), so it trails the acknowledgements by at most `interval` plus
// one write of the file; a loss confined to the writes acknowledged in that
// window before a crash is not detected by the mark (a flipped byte still
// is: RocksDB's record checksums catch it). Close() writes the last value,
// so after a clean stop the mark is exact.
//
// The file is one fixed-size line, rewritten in place (a write inside one
// sector) and checked by a digest, so a torn write is recognised as such.
//
// Thread-safe: Advance() may be called from any thread; it never blocks on
// I/O. Owned by its Store.
#ifndef NQ57_COMMON_STORE_ACKNOWLEDGED_MARK_H_
#define NQ57_COMMON_STORE_ACKNOWLEDGED_MARK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace nq57 {

class AcknowledgedMark {
 public:
  static constexpr char kFileName[] = "NQ57-ACKNOWLEDGED";

  // The mark stored under `dir`: nullopt if there is none (a store made
  // before marks existed, or a new one); DATA_LOSS if the file is there but
  // unreadable.
  static absl::StatusOr<std::optional<uint64_t>> Read(const std::string& dir);
  // Writes `sequence` to the mark under `dir` and syncs it.
  static absl::Status Write(const std::string& dir, uint64_t sequence);

  // Starts the background writer for the mark under `dir`, at `sequence`.
  AcknowledgedMark(std::string dir, uint64_t sequence, absl::Duration interval);
  // Close().
  ~AcknowledgedMark();
  AcknowledgedMark(const AcknowledgedMark&) = delete;
  AcknowledgedMark& operator=(const AcknowledgedMark&) = delete;

  // Acknowledged writes now reach `sequence` (ignored if not higher).
  void Advance(uint64_t sequence);
  // Writes the last value and stops the writer. Idempotent.
  void Close();

 private:
  // `written`: the mark on disk when the writer starts.
  void WriterLoop(uint64_t written);

  const std::string dir_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  uint64_t wanted_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::thread writer_;
};

}  // namespace nq57

#endif  // NQ57_COMMON_STORE_ACKNOWLEDGED_MARK_H_
