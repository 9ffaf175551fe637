// StoreBackups: online, consistent backups of a Store, and restores of them
// into an empty directory, with RocksDB's BackupEngine.
//
// A backup is a point-in-time copy of the whole store (every column family,
// the change log, the idempotency records) taken while the store serves
// reads and writes: BackupEngine stops file deletions, flushes, and copies
// the live files and whatever write-ahead log the flush does not cover.
// Table files shared with earlier backups in the same directory are copied
// once (incremental), and every file is checksummed in the backup's meta
// file; a restore verifies them before anything is written.
//
// Restore makes a new history: the restored store gets a new log identity
// (store.h), because nothing can tell at restore time whether the backup
// still holds the latest state (the lost volume may have acknowledged
// writes after it). Consumers (the aggregator) see the new identity, stop,
// and rebuild that source, instead of applying new records on top of ones
// the restored store no longer has.
//
// Thread-safety: Create() may run concurrently with the store's commits and
// reads, but one Create() at a time per backup directory (BackupEngine is
// not safe for concurrent writers); the caller serialises (the admin
// service does). List() and Restore() only read the backup directory.
//
//   ASSIGN_OR_RETURN(BackupInfo b,
//                    StoreBackups::Create(*store, {.dir = "/backups"}));
//   // later, into an empty directory, with the server stopped:
//   ASSIGN_OR_RETURN(BackupInfo r,
//                    StoreBackups::Restore("/backups", b.id, "/data/new"));
#ifndef NQ57_COMMON_STORE_STORE_BACKUPS_H_
#define NQ57_COMMON_STORE_STORE_BACKUPS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/store/store.h"

namespace nq57 {

struct BackupInfo {
  uint32_t id = 0;  // BackupEngine's id, 1, 2, ... per directory
  absl::Time time;  // when it was taken
  uint64_t size_bytes = 0;
  // The log identity of the store backed up, and its change-log head when
  // the backup began: the backup holds at least every record up to it.
  std::string log_id;
  uint64_t head_sequence = 0;
  // After a restore: the new log identity and the head restored.
  std::string restored_log_id;
  uint64_t restored_head = 0;
};

struct BackupOptions {
  std::string dir;  // created if missing
  // Backups kept after a new one (older ones are purged); at least 1.
  int keep = 7;
};

class StoreBackups {
 public:
  // Backs `store` up into options.dir. FAILED_PRECONDITION while the store
  // is read-only or refuses writes (a flush is needed); RESOURCE_EXHAUSTED
  // if the backup volume is full (the partial backup is removed). Failing to
  // purge old backups afterwards is logged, not an error.
  static absl::StatusOr<BackupInfo> Create(Store& store,
                                           const BackupOptions& options);
  // The backups in `dir`, oldest first.
  static absl::StatusOr<std::vector<BackupInfo>> List(const std::string& dir);
  // Verifies backup `id` of `dir` (0: the latest) and restores it into
  // `data_dir`, which must be empty or missing (FAILED_PRECONDITION
  // otherwise: a restore never mixes with live files), then opens it once
  // to give it a new log identity. Until that is done the marker
  // RestoringMarkerOf(data_dir) (store.h) exists beside it, so a failed or
  // killed restore leaves a directory every server refuses, never a store
  // with the old identity.
  // NOT_FOUND for an unknown id; DATA_LOSS if a file of the backup fails
  // its checksum (nothing is written to `data_dir` then).
  static absl::StatusOr<BackupInfo> Restore(const std::string& dir, uint32_t id,
                                            const std::string& data_dir);
};

}  // namespace nq57

#endif  // NQ57_COMMON_STORE_STORE_BACKUPS_H_
