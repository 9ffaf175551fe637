// What the nq57 benchmarks share: their data directories, timing loops and
// latency percentiles, registration, loopback channels, a service core over
// a fresh store, and the raw RocksDB baselines' reads. Every benchmark
// reports through RunWithBaselines (baseline_reporter.h).
//
//   void BM_Query(benchmark::State& state) {
//     RunQueries(state, g_reader_error, [] { return g_core->Query(); });
//   }
//   int main(int argc, char** argv) {
//     Register({"BM_Query", BM_Query, OpenReader})->MinTime(1.0);
//     return RunWithBaselines(argc, argv, {{"BM_Query", "BM_RawScan"}});
//   }
//
// Thread-safety: SharedLatencies may be used by every thread of a
// benchmark; the rest is called from one thread at a time (Setup, Teardown,
// main) or, for the timing loops, per thread on that thread's own data.
#ifndef NQ57_BENCH_BENCH_SUPPORT_H_
#define NQ57_BENCH_BENCH_SUPPORT_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/raw_rocksdb.h"
#include "benchmark/benchmark.h"
#include "common/indicators/indicator_catalog.h"
#include "common/store/store.h"
#include "common/units/unit_registry.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/status.h"

namespace nq57 {

// ---- Registration ----------------------------------------------------------

using BenchFn = void (*)(benchmark::State&);
using BenchHook = void (*)(const benchmark::State&);

struct BenchSpec {
  const char* name;
  BenchFn fn;
  BenchHook setup = nullptr;     // run before each run of the benchmark
  BenchHook teardown = nullptr;  // and after it
};

// Registers `spec` (with its hooks, measured in real time) and returns it
// for further settings (Iterations, MinTime, Threads, Unit).
benchmark::internal::Benchmark* Register(const BenchSpec& spec);

// Registers each of `specs` at 1, 16 and 64 threads, 2 s each, in the order
// all of them at 1 thread, then at 16, then at 64.
void RegisterAtThreadCounts(std::initializer_list<BenchSpec> specs);

// Registers `baseline` and `measured` as RegisterAtThreadCounts does, runs
// them, and reports `measured` against `baseline` (RunWithBaselines).
int RunPairAtThreadCounts(int argc, char** argv, const BenchSpec& baseline,
                          const BenchSpec& measured);

// ---- Timing ----------------------------------------------------------------

inline std::string ErrorText(const absl::Status& s) { return s.ToString(); }
inline std::string ErrorText(const grpc::Status& s) {
  return s.error_message();
}

// Runs the benchmark loop, timing each `call()` (which returns an
// absl::Status or a grpc::Status) into `samples_us`; the first failure ends
// the run with SkipWithError.
template <typename Call>
void TimedLoop(benchmark::State& state, std::vector<double>& samples_us,
               Call call) {
  for (auto _ : state) {
    const absl::Time start = absl::Now();
    const auto s = call();
    samples_us.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    if (!s.ok()) {
      state.SkipWithError(ErrorText(s).c_str());
      break;
    }
  }
}

// Sorts `samples_us` and sets the counters "p<N>_us" for each of
// `percentiles` (nothing if there are no samples).
void SetPercentiles(benchmark::State& state, std::vector<double>& samples_us,
                    std::initializer_list<int> percentiles);

// One call per iteration: skips the run if `setup_error` is set, else times
// each `query()` and reports queries/s and their p99 ("p99_us").
template <typename Query>
void RunQueries(benchmark::State& state, const std::string& setup_error,
                Query query) {
  if (!setup_error.empty()) {
    state.SkipWithError(setup_error.c_str());
    return;
  }
  std::vector<double> samples;
  TimedLoop(state, samples, query);
  state.SetItemsProcessed(state.iterations());
  // An empty run still reports p99_us = 0.
  state.counters["p99_us"] = 0;
  SetPercentiles(state, samples, {99});
}

// The latencies of every thread of a multi-threaded run.
class SharedLatencies {
 public:
  void Clear();
  // Adds `mine`. Threads finish at slightly different times, so each reports
  // the p99 of what has been gathered so far as "p99_us" and Google
  // Benchmark averages them; the last threads see (almost) the whole run.
  void Record(benchmark::State& state, const std::vector<double>& mine);

 private:
  std::mutex mu_;
  std::vector<double> all_;
};

// One client thread of a loopback benchmark: times each `call()` (a
// grpc::Status), reports calls/s, and records the latencies in `all`.
template <typename Call>
void RunClient(benchmark::State& state, SharedLatencies& all, Call call) {
  std::vector<double> mine;
  TimedLoop(state, mine, call);
  state.SetItemsProcessed(state.iterations());
  all.Record(state, mine);
}

// ---- Process memory --------------------------------------------------------

// A "<field>: <n> kB" line of /proc/<process>/status ("VmRSS", "VmHWM" the
// peak), in kB; 0 if it cannot be read. `process` is a pid or "self".
int64_t ProcStatusKb(std::string_view process, std::string_view field);
// Resets the process's peak RSS (VmHWM) to its current RSS.
void ResetPeakRss(std::string_view process);

// ---- Loopback --------------------------------------------------------------

// `count` distinct channels to `address` (not shared subchannels), as a real
// integration platform would hold a few connections.
// `credentials` null: plaintext.
std::vector<std::shared_ptr<grpc::Channel>> LoopbackChannels(
    const std::string& address, int count = 4,
    std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

// ---- A service core over a fresh store -------------------------------------

// Unit registry, indicator catalogue and a province's communes (official
// order) from deploy/config.
struct ProvinceConfig {
  std::unique_ptr<UnitRegistry> units;
  std::unique_ptr<IndicatorCatalog> catalog;
  std::vector<std::string> communes;
};
absl::StatusOr<ProvinceConfig> LoadProvinceConfig(
    const std::string& config_dir, const std::string& catalog_file,
    std::string_view province);

// A core over its own store in BenchDir(name): Core::ColumnFamilies(), built
// by `make` over the store. The directory is removed on destruction.
template <typename Core>
class CoreFixture {
 public:
  using MakeCore = std::function<std::unique_ptr<Core>(Store*)>;

  static absl::StatusOr<std::unique_ptr<CoreFixture>> Open(
      std::string_view name, bool sync, MakeCore make) {
    auto f = std::unique_ptr<CoreFixture>(
        new CoreFixture(BenchDir(name), sync, std::move(make)));
    absl::Status s = f->OpenStore();
    if (!s.ok()) return s;
    f->head_at_start = f->store->change_log().head();
    return f;
  }
  // Closes and reopens the store: RocksDB's recovery flushes the memtable
  // to a table file, dropping the superseded versions of aggregate keys.
  absl::Status Reopen() {
    core.reset();
    store.reset();
    return OpenStore();
  }
  ~CoreFixture() {
    core.reset();
    store.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Store> store;
  std::unique_ptr<Core> core;
  uint64_t head_at_start = 0;  // the change log's head once opened

 private:
  CoreFixture(std::string dir, bool sync, MakeCore make)
      : dir_(std::move(dir)), sync_(sync), make_(std::move(make)) {}
  absl::Status OpenStore() {
    auto opened = Store::Open(
        dir_, {.column_families = Core::ColumnFamilies(), .sync = sync_});
    if (!opened.ok()) return opened.status();
    store = std::move(*opened);
    core = make_(store.get());
    return absl::OkStatus();
  }

  const std::string dir_;
  const bool sync_;
  const MakeCore make_;
};

// A fixture of one benchmark run, opened by its Setup and closed by its
// Teardown (OpenFixture<&f>, CloseFixture<&f>). A failure to open is kept
// and skips the run: start the benchmark with `if (!f.Ready(state)) return;`.
template <typename T>
class RunFixture {
 public:
  using OpenFn = std::function<absl::StatusOr<std::unique_ptr<T>>()>;
  explicit RunFixture(OpenFn open) : open_(std::move(open)) {}

  void Open() {
    error_.clear();
    absl::StatusOr<std::unique_ptr<T>> opened = open_();
    if (opened.ok()) {
      value_ = std::move(*opened);
    } else {
      error_ = opened.status().ToString();
    }
  }
  void Close() { value_.reset(); }
  // False, with the run skipped, if Open failed.
  bool Ready(benchmark::State& state) const {
    if (error_.empty() && value_ != nullptr) return true;
    state.SkipWithError(error_.empty() ? "not open" : error_.c_str());
    return false;
  }
  T* get() const { return value_.get(); }
  T* operator->() const { return value_.get(); }
  T& operator*() const { return *value_; }

 private:
  const OpenFn open_;
  std::unique_ptr<T> value_;
  std::string error_;
};

// Setup and Teardown hooks over a fixture with static storage duration
// (a RunFixture or a SharedReadFixture).
template <auto* fixture>
void OpenFixture(const benchmark::State&) {
  fixture->Open();
}
template <auto* fixture>
void CloseFixture(const benchmark::State&) {
  fixture->Close();
}
template <auto* fixture>
void OpenReopenedFixture(const benchmark::State&) {
  fixture->OpenReopened();
}

// A read fixture shared by several benchmarks: seeded once by the first
// that needs it, reopened once (after seeding) by the first that wants it
// flushed. A failure is kept in error() for every later benchmark.
class SharedReadFixture {
 public:
  SharedReadFixture(std::function<absl::Status()> seed,
                    std::function<absl::Status()> reopen)
      : seed_(std::move(seed)), reopen_(std::move(reopen)) {}
  void Open();
  void OpenReopened();
  const std::string& error() const { return error_; }

 private:
  const std::function<absl::Status()> seed_;
  const std::function<absl::Status()> reopen_;
  bool seeded_ = false;
  bool reopened_ = false;
  std::string error_;
};

// ---- Raw baselines ----------------------------------------------------------

// Copies every entry of `family` into `raw` (without fsync); returns the
// keys in order.
absl::StatusOr<std::vector<std::string>> CopyToRaw(const Store& store,
                                                   std::string_view family,
                                                   RawRocksDb& raw);
// OK if a scan of the whole of `raw` (summing value sizes, no parsing)
// visits `expected` entries.
absl::Status ScanAll(const RawRocksDb& raw, int64_t expected);
// OK if every one of `keys` is found by a point read.
absl::Status ReadEach(const RawRocksDb& raw,
                      const std::vector<std::string>& keys);

// The raw copy a read benchmark is measured against: `entries` stored
// entries (CopyToRaw) and the `point_keys` one answer would read.
struct RawReadBaseline {
  std::unique_ptr<RawRocksDb> db;
  int64_t entries = 0;
  std::vector<std::string> point_keys;
};

// The two raw read baselines over `*baseline`, skipped while `*fixture` (the
// SharedReadFixture that fills it) reports an error: a scan of the whole
// copy (the cheapest possible recount), and a point read of each of its
// point_keys (the floor for an answer from maintained totals).
template <auto* baseline, auto* fixture>
void BM_RawPrefixScan(benchmark::State& state) {
  RunQueries(state, fixture->error(),
             [] { return ScanAll(*baseline->db, baseline->entries); });
}
template <auto* baseline, auto* fixture>
void BM_RawPointReads(benchmark::State& state) {
  RunQueries(state, fixture->error(),
             [] { return ReadEach(*baseline->db, baseline->point_keys); });
}

}  // namespace nq57

#endif  // NQ57_BENCH_BENCH_SUPPORT_H_
