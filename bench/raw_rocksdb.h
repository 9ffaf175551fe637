// RawRocksDb: a bare RocksDB database in a fresh directory, the baseline the
// service benchmarks measure against in the same run. It has no column
// families of its own, no change log, no idempotency records and no
// aggregates: only the bytes a benchmark writes to it.
//
//   auto raw = RawRocksDb::Open("criteria_raw");
//   rocksdb::WriteBatch batch;
//   batch.Put(key, value);
//   absl::Status s = raw->WriteSync(batch);  // fsynced, like a Store commit
//
// Not thread-safe beyond what rocksdb::DB is: concurrent writes and reads
// are fine; Open and destruction are not concurrent with anything.
#ifndef NQ57_BENCH_RAW_ROCKSDB_H_
#define NQ57_BENCH_RAW_ROCKSDB_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace nq57 {

// A fresh directory for one benchmark's data: under $NQ57_BENCH_DIR (default
// /tmp), named after `name` and the process id, emptied first.
std::string BenchDir(std::string_view name);

class RawRocksDb {
 public:
  // Opens a new database in BenchDir(name); the directory is removed again
  // on destruction.
  static absl::StatusOr<std::unique_ptr<RawRocksDb>> Open(
      std::string_view name);
  ~RawRocksDb();

  // Commits `batch` with sync=true (the WAL is fsynced before returning).
  absl::Status WriteSync(rocksdb::WriteBatch& batch);
  // Commits `batch` without fsync (for loading read baselines).
  absl::Status Write(rocksdb::WriteBatch& batch);

  // Reads every key starting with `prefix` in order (an empty prefix reads
  // everything) and returns how many entries it visited; `value_bytes` gets
  // the sum of their value sizes, so the scan cannot be optimised away.
  absl::StatusOr<int64_t> ScanPrefix(std::string_view prefix,
                                     int64_t* value_bytes) const;

  absl::StatusOr<std::optional<std::string>> Get(std::string_view key) const;

 private:
  RawRocksDb(rocksdb::DB* db, std::string dir)
      : db_(db), dir_(std::move(dir)) {}

  rocksdb::DB* const db_;  // owned
  const std::string dir_;
};

}  // namespace nq57

#endif  // NQ57_BENCH_RAW_ROCKSDB_H_
