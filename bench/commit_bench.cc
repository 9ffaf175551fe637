// (1) The durable commit path — data + change record + idempotency record,
// fsynced — against raw RocksDB WriteBatch commits with sync=true carrying
// the same three puts, at 1, 16 and 64 concurrent committers.
//
// The raw baseline fsyncs once per committer call (RocksDB itself groups
// concurrent writers, so it is a strong baseline); the store groups many
// requests per WriteBatch on its writer thread.
#include <atomic>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "bench/bench_support.h"
#include "benchmark/benchmark.h"
#include "common/store/store.h"
#include "nq57/testing/v1/probe.pb.h"
#include "rocksdb/db.h"

namespace nq57 {
namespace {

std::atomic<uint64_t> g_counter{0};

// Shared by the threads of one run; opened by Setup, closed by Teardown.
std::unique_ptr<Store> g_store;
rocksdb::DB* g_db = nullptr;
std::vector<rocksdb::ColumnFamilyHandle*> g_handles;
std::string g_dir;

const std::string kValue(200, 'v');

void BM_StoreCommit(benchmark::State& state) {
  for (auto _ : state) {
    const uint64_t n = g_counter.fetch_add(1);
    std::string key = absl::StrCat("k", n);
    auto r = g_store->CommitAndWait(CommitRequest{
        .request_id = absl::StrCat("req-", n),
        .fingerprint = key,
        .apply = [key](Transaction& txn) -> absl::Status {
          testing::v1::Entry e;
          e.set_key(key);
          e.set_value(kValue);
          absl::Status s = txn.Put("items", key, kValue);
          txn.RecordChange(key, changes::v1::ChangeKind::CREATED, &e, nullptr);
          txn.SetResponse("ok");
          return s;
        }});
    if (!r.ok()) state.SkipWithError("commit failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RawRocksDB(benchmark::State& state) {
  for (auto _ : state) {
    const uint64_t n = g_counter.fetch_add(1);
    std::string key = absl::StrCat("k", n);
    testing::v1::Entry e;
    e.set_key(key);
    e.set_value(kValue);
    rocksdb::WriteBatch batch;
    batch.Put(g_handles[1], key, kValue);
    batch.Put(g_handles[2], absl::StrCat("seq", n), e.SerializeAsString());
    batch.Put(g_handles[3], absl::StrCat("req-", n), "digest-and-response");
    rocksdb::WriteOptions options;
    options.sync = true;
    if (!g_db->Write(options, &batch).ok()) state.SkipWithError("write failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void OpenRaw(const benchmark::State&) {
  g_dir = BenchDir("raw");
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, {}},
      {"items", {}},
      {"changes", {}},
      {"requests", {}}};
  rocksdb::DB::Open(options, g_dir, families, &g_handles, &g_db);
}
void CloseRaw(const benchmark::State&) {
  for (auto* h : g_handles) g_db->DestroyColumnFamilyHandle(h);
  g_handles.clear();
  delete g_db;
  g_db = nullptr;
  std::filesystem::remove_all(g_dir);
}
void OpenStore(const benchmark::State&) {
  g_dir = BenchDir("store");
  g_store = std::move(*Store::Open(g_dir, {.column_families = {"items"}}));
}
void CloseStore(const benchmark::State&) {
  g_store.reset();
  std::filesystem::remove_all(g_dir);
}

}  // namespace
}  // namespace nq57

int main(int argc, char** argv) {
  return nq57::RunPairAtThreadCounts(
      argc, argv,
      {"BM_RawRocksDB", nq57::BM_RawRocksDB, nq57::OpenRaw, nq57::CloseRaw},
      {"BM_StoreCommit", nq57::BM_StoreCommit, nq57::OpenStore,
       nq57::CloseStore});
}
