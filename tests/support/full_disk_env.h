// FullDiskEnv: a RocksDB environment over the real file system whose disk
// can be declared full, for tests of what a store does when it runs out of
// space, without a root-only tmpfs mount.
//
// While full, every append to a file (WAL, SST, MANIFEST) fails with
// RocksDB's NoSpace, exactly what the POSIX file system returns for ENOSPC;
// reads and everything else still work. Thread-safe (SetFull from the test,
// appends from RocksDB's threads). Pass env() as StoreOptions::env; the
// object must outlive the store.
//
//   FullDiskEnv disk;
//   auto store = Store::Open(dir, {.column_families = {"items"},
//                                  .env = disk.env()});
//   disk.SetFull(true);   // commits now fail with RESOURCE_EXHAUSTED
#ifndef NQ57_TESTS_SUPPORT_FULL_DISK_ENV_H_
#define NQ57_TESTS_SUPPORT_FULL_DISK_ENV_H_

#include <atomic>
#include <memory>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace nq57::testing {

class FullDiskEnv {
 public:
  FullDiskEnv();
  rocksdb::Env* env() const { return env_.get(); }
  void SetFull(bool full) { full_->store(full); }

 private:
  std::shared_ptr<std::atomic<bool>> full_;
  std::unique_ptr<rocksdb::Env> env_;
};

}  // namespace nq57::testing

#endif  // NQ57_TESTS_SUPPORT_FULL_DISK_ENV_H_
