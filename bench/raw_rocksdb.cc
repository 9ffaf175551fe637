#include "bench/raw_rocksdb.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"

namespace nq57 {
namespace {

absl::Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(s.ToString());
}

}  // namespace

std::string BenchDir(std::string_view name) {
  const char* base = std::getenv("NQ57_BENCH_DIR");
  std::filesystem::path dir =
      std::filesystem::path(base != nullptr ? base : "/tmp") /
      absl::StrCat("nq57_bench_", AbslView(name), "_", getpid());
  std::filesystem::remove_all(dir);
  return dir.string();
}

absl::StatusOr<std::unique_ptr<RawRocksDb>> RawRocksDb::Open(
    std::string_view name) {
  std::string dir = BenchDir(name);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
  if (!s.ok()) return FromRocks(s);
  return std::unique_ptr<RawRocksDb>(new RawRocksDb(db, std::move(dir)));
}

RawRocksDb::~RawRocksDb() {
  delete db_;
  std::filesystem::remove_all(dir_);
}

absl::Status RawRocksDb::WriteSync(rocksdb::WriteBatch& batch) {
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocks(db_->Write(options, &batch));
}

absl::Status RawRocksDb::Write(rocksdb::WriteBatch& batch) {
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch));
}

absl::StatusOr<int64_t> RawRocksDb::ScanPrefix(std::string_view prefix,
                                               int64_t* value_bytes) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions()));
  int64_t entries = 0;
  int64_t bytes = 0;
  const rocksdb::Slice start(prefix.data(), prefix.size());
  for (it->Seek(start); it->Valid() && it->key().starts_with(start);
       it->Next()) {
    ++entries;
    bytes += static_cast<int64_t>(it->value().size());
  }
  RETURN_IF_ERROR(FromRocks(it->status()));
  if (value_bytes != nullptr) *value_bytes = bytes;
  return entries;
}

absl::StatusOr<std::optional<std::string>> RawRocksDb::Get(
    std::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(),
                               rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s);
  return value;
}

}  // namespace nq57
