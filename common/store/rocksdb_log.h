// RocksDbLog: RocksDB's own log lines, in the server's JSON log.
//
// By default RocksDB writes an info LOG file next to the data. On a full
// disk that file is what kills the process: after one failed append, the
// next log line trips an assertion inside RocksDB (the Debian build keeps
// assertions) and the server aborts while it could still serve reads. And
// what RocksDB warns about (a WAL it stopped replaying, a failed flush) was
// visible only in that file. So the store hands RocksDB this logger
// instead: warnings and errors become lines of the one JSON log on stderr
// ({"msg":"rocksdb","store":..,"detail":..}); informational chatter is
// dropped (the level is WARN).
//
// Thread-safe (RocksDB logs from its background threads).
#ifndef NQ57_COMMON_STORE_ROCKSDB_LOG_H_
#define NQ57_COMMON_STORE_ROCKSDB_LOG_H_

#include <cstdarg>
#include <string>

#include "rocksdb/env.h"

namespace nq57 {

class RocksDbLog final : public rocksdb::Logger {
 public:
  // `store` names the store in every line (its path).
  explicit RocksDbLog(std::string store);

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  void Logv(const rocksdb::InfoLogLevel level, const char* format,
            va_list ap) override;

 private:
  const std::string store_;
};

}  // namespace nq57

#endif  // NQ57_COMMON_STORE_ROCKSDB_LOG_H_
