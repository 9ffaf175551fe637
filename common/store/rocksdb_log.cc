#include "common/store/rocksdb_log.h"

#include <cstdio>
#include <utility>

#include "common/base/log.h"

namespace nq57 {

RocksDbLog::RocksDbLog(std::string store)
    : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL),
      store_(std::move(store)) {}

void RocksDbLog::Logv(const char* format, va_list ap) {
  Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
}

void RocksDbLog::Logv(const rocksdb::InfoLogLevel level, const char* format,
                      va_list ap) {
  if (level < GetInfoLogLevel() ||
      level == rocksdb::InfoLogLevel::HEADER_LEVEL) {
    return;
  }
  char line[1024];
  const int n = std::vsnprintf(line, sizeof(line), format, ap);
  if (n < 0) return;
  const std::string_view detail(line, std::min<size_t>(n, sizeof(line) - 1));
  if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) {
    LogError("rocksdb", {{"store", store_}, {"detail", detail}});
  } else {
    LogWarning("rocksdb", {{"store", store_}, {"detail", detail}});
  }
}

}  // namespace nq57
