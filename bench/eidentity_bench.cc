// Issue 5: the e-identity and Project 06 metrics core (EidentityCore, no
// gRPC), for Phú Thọ: 148 communes x every STOCK and FLOW metric of
// deploy/config/indicators/eidentity.textproto (19 of them, not the issue's
// 30: the catalogue defines 19 measures; its 8 RATIO metrics are computed
// from them) x 24 months of history (one snapshot per commune on the 1st of
// each month, 2024-11-01 .. 2026-10-01).
//
// Throughput. BM_BatchReportSnapshots: one BatchReportSnapshots per month,
// 148 snapshots x 19 values = 2,812 values (PrepareBatchReportSnapshots + a
// durable Store::CommitAndWait: fsync, points, change records, aggregates),
// 24 iterations = the whole 24-month history; values/s. Baseline
// BM_RawRocksDBBatch: raw RocksDB WriteBatch commits with sync=true of
// 2,812 puts carrying the same bytes (key = the point's resource name,
// value = the serialized MetricPoint), 24 commits, same run.
//
// Latency. RollupMetrics("provinces/25") over a store seeded in Setup with
// the same 24 months (without fsync: reads do not depend on it):
//   BM_RollupMetricsJustLoaded  as of the last report day, right after
//                               loading (superseded aggregate versions still
//                               in the memtable);
//   BM_RollupMetrics            the same after a reopen (RocksDB's recovery
//                               flushes the memtable);
//   BM_RollupMetricsMidHistory  after the reopen, as of 2025-10-01, twelve
//                               months back (sums per-day keys).
// Baselines over a raw RocksDB holding a copy of the 67,488 stored points
// (same keys and bytes): BM_RawPrefixScan, a scan of all of the province's
// points summing value sizes without parsing (the cheapest possible
// recount, what the issue says a rollup must not do), and
// BM_Raw19PointReads, 19 point reads of stored keys (one per metric: the
// floor for an answer from per-metric totals). Queries/s and p99 of each.
//
// Checks (SkipWithError on mismatch): every commit succeeds and writes
// 2,812 values; the change log grew by one record per value plus one per
// STOCK series whose latest value moved (148 x (19 + 15) a month); the rollup's
// eid_accounts_issued equals the closed-form sum of what was sent and
// TEST_RecountFromPoints; coverage is 148/148 with no stale commune.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "bench/baseline_reporter.h"
#include "bench/raw_rocksdb.h"
#include "benchmark/benchmark.h"
#include "common/base/status_macros.h"
#include "services/eidentity/eidentity_core.h"

namespace nq57::eidentity {
namespace {

const std::string kConfigDir = NQ57_SOURCE_DIR "/deploy/config";
constexpr char kPhuTho[] = "provinces/25";
constexpr int kMonths = 24;

std::unique_ptr<UnitRegistry> g_units;
std::unique_ptr<IndicatorCatalog> g_catalog;
std::vector<std::string> g_communes;  // Phú Thọ's 148, in official order
std::vector<std::string> g_metrics;   // the catalogue's STOCK and FLOW codes
int g_stock_metrics = 0;              // how many of them are STOCKs

absl::CivilDay Day(int t) {
  return absl::CivilDay(absl::CivilMonth(2024, 11) + t);
}

common::v1::Date DateOf(absl::CivilDay d) {
  common::v1::Date out;
  out.set_year(static_cast<int>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

// The value commune `c` reports for `metric` in month `t`: totals grow by
// month, and every parts <= whole constraint of the catalogue holds.
int64_t Value(const std::string& metric, int t, int c) {
  if (metric == "land_database_connected_communes") return 1;
  if (metric == "eid_level1_activated" || metric == "eid_level2_activated") {
    return 400 * (t + 1);
  }
  for (const char* part :
       {"eid_accounts_activated", "population_records_cleaned",
        "pension_paid_to_accounts", "social_insurance_one_time_to_accounts",
        "business_households_einvoice", "electricity_customers_cashless",
        "essential_services_online"}) {
    if (metric == part) return 900 * (t + 1);
  }
  return 1000 * (t + 1) + c;
}

// The province's eid_accounts_issued as of month t: sum over the communes.
int64_t ExpectedIssued(int t) {
  int64_t sum = 0;
  for (int c = 0; c < static_cast<int>(g_communes.size()); ++c) {
    sum += Value("eid_accounts_issued", t, c);
  }
  return sum;
}

v1::BatchReportSnapshotsRequest MonthBatch(int t) {
  v1::BatchReportSnapshotsRequest req;
  req.set_request_id(absl::StrCat("month-", t));
  for (int c = 0; c < static_cast<int>(g_communes.size()); ++c) {
    v1::Snapshot* s = req.add_snapshots();
    s->set_unit(g_communes[c]);
    *s->mutable_as_of_date() = DateOf(Day(t));
    s->set_source("vneid");
    for (const std::string& m : g_metrics) {
      (*s->mutable_values())[m].set_count(Value(m, t, c));
    }
  }
  return req;
}

int ValuesPerBatch() {
  return static_cast<int>(g_communes.size() * g_metrics.size());
}

// Change records per month of history: one per point, plus one per STOCK
// series whose latest value moves (every STOCK, months arriving in order).
int ChangesPerBatch() {
  return static_cast<int>(g_communes.size()) *
         (static_cast<int>(g_metrics.size()) + g_stock_metrics);
}

// A core over its own fresh store.
struct Service {
  std::unique_ptr<Store> store;
  std::unique_ptr<EidentityCore> core;
  std::string dir;
  uint64_t head_at_start = 0;

  static absl::StatusOr<std::unique_ptr<Service>> Open(std::string_view name,
                                                       bool sync) {
    auto s = std::make_unique<Service>();
    s->dir = BenchDir(name);
    RETURN_IF_ERROR(s->OpenStore(sync));
    s->head_at_start = s->store->change_log().head();
    return s;
  }
  absl::Status OpenStore(bool sync) {
    auto opened = Store::Open(
        dir,
        {.column_families = EidentityCore::ColumnFamilies(), .sync = sync});
    if (!opened.ok()) return opened.status();
    store = std::move(*opened);
    core = std::make_unique<EidentityCore>(store.get(), g_units.get(),
                                           g_catalog.get(), RealClock(),
                                           EidentityCoreOptions{});
    return absl::OkStatus();
  }
  // Closes and reopens the store: RocksDB's recovery flushes the memtable
  // to a table file, dropping the superseded versions of aggregate keys.
  absl::Status Reopen(bool sync) {
    core.reset();
    store.reset();
    return OpenStore(sync);
  }
  ~Service() {
    core.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }

  absl::Status ReportMonth(int t) const {
    ASSIGN_OR_RETURN(CommitRequest commit,
                     core->PrepareBatchReportSnapshots(MonthBatch(t), "bench"));
    ASSIGN_OR_RETURN(CommitResult result,
                     store->CommitAndWait(std::move(commit)));
    v1::BatchReportSnapshotsResponse resp;
    if (!resp.ParseFromString(result.response)) {
      return absl::InternalError("unparsable response");
    }
    int written = 0;
    for (const auto& r : resp.results()) written += r.values_written();
    if (resp.results_size() != static_cast<int>(g_communes.size()) ||
        written != ValuesPerBatch()) {
      return absl::InternalError(absl::StrCat(
          "month ", t, ": ", resp.results_size(), " results, ", written,
          " values written, expected 148 and ", ValuesPerBatch()));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<v1::Rollup> Rollup(int t) const {
    v1::RollupMetricsRequest req;
    req.set_parent(kPhuTho);
    *req.mutable_as_of_date() = DateOf(Day(t));
    return core->RollupMetrics(req);
  }
};

// OK if the store holds exactly `months` months of everything sent.
absl::Status CheckHistory(const Service& service, int months) {
  const uint64_t grown =
      service.store->change_log().head() - service.head_at_start;
  if (grown != static_cast<uint64_t>(months) * ChangesPerBatch()) {
    return absl::InternalError(absl::StrCat(
        "change log grew by ", grown, " for ", months, " months of ",
        ValuesPerBatch(), " values, expected ", months * ChangesPerBatch()));
  }
  for (int t : {months / 2 - 1, months - 1}) {
    ASSIGN_OR_RETURN(v1::Rollup rollup, service.Rollup(t));
    const v1::MetricFigure* issued = nullptr;
    for (const auto& f : rollup.figures()) {
      if (f.metric() == "eid_accounts_issued") issued = &f;
    }
    ASSIGN_OR_RETURN(int64_t recount,
                     service.core->TEST_RecountFromPoints(
                         kPhuTho, "eid_accounts_issued", Day(t)));
    if (issued == nullptr || issued->value() != ExpectedIssued(t) ||
        recount != ExpectedIssued(t)) {
      return absl::InternalError(
          absl::StrCat("eid_accounts_issued as of month ", t, ": rollup ",
                       issued == nullptr ? -1 : issued->value(), ", recount ",
                       recount, ", sent ", ExpectedIssued(t)));
    }
    if (rollup.coverage().reported() != 148 ||
        rollup.coverage().expected() != 148 || rollup.stale_size() != 0) {
      return absl::InternalError(
          absl::StrCat("coverage ", rollup.coverage().reported(), "/",
                       rollup.coverage().expected(), " with ",
                       rollup.stale_size(), " stale"));
    }
  }
  return absl::OkStatus();
}

// ---- Throughput -----------------------------------------------------------

std::unique_ptr<Service> g_writer;
std::unique_ptr<RawRocksDb> g_raw_writer;
std::string g_setup_error;

void OpenWriter(const benchmark::State&) {
  g_setup_error.clear();
  auto s = Service::Open("eidentity_writer", /*sync=*/true);
  if (s.ok()) {
    g_writer = std::move(*s);
  } else {
    g_setup_error = s.status().ToString();
  }
}
void CloseWriter(const benchmark::State&) { g_writer.reset(); }

void BM_BatchReportSnapshots(benchmark::State& state) {
  if (!g_setup_error.empty()) {
    state.SkipWithError(g_setup_error.c_str());
    return;
  }
  int t = 0;
  for (auto _ : state) {
    if (t >= kMonths) {
      state.SkipWithError("more batches than months of history");
      break;
    }
    absl::Status s = g_writer->ReportMonth(t);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    ++t;
  }
  state.SetItemsProcessed(state.iterations() * ValuesPerBatch());
  state.counters["snapshots_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations() * g_communes.size()),
      benchmark::Counter::kIsRate);
  if (state.error_occurred()) return;
  absl::Status checked = CheckHistory(*g_writer, t);
  if (!checked.ok()) state.SkipWithError(checked.ToString().c_str());
}

void OpenRawWriter(const benchmark::State&) {
  g_raw_writer = std::move(*RawRocksDb::Open("eidentity_raw_writer"));
}
void CloseRawWriter(const benchmark::State&) { g_raw_writer.reset(); }

void BM_RawRocksDBBatch(benchmark::State& state) {
  int t = 0;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    const std::string date = absl::FormatCivilTime(Day(t % kMonths));
    for (int c = 0; c < static_cast<int>(g_communes.size()); ++c) {
      for (const std::string& m : g_metrics) {
        v1::MetricPoint p;
        p.set_unit(g_communes[c]);
        p.set_province(kPhuTho);
        p.set_metric(m);
        *p.mutable_as_of_date() = DateOf(Day(t % kMonths));
        p.set_value(Value(m, t % kMonths, c));
        p.set_source("vneid");
        p.mutable_report_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
        batch.Put(absl::StrCat(g_communes[c], "/metrics/", m, "/points/", date),
                  p.SerializeAsString());
      }
    }
    absl::Status s = g_raw_writer->WriteSync(batch);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    ++t;
  }
  state.SetItemsProcessed(state.iterations() * ValuesPerBatch());
  auto entries = g_raw_writer->ScanPrefix("", nullptr);
  if (!state.error_occurred() &&
      (!entries.ok() ||
       *entries != std::min<int64_t>(t, kMonths) * ValuesPerBatch())) {
    state.SkipWithError("raw database does not hold what was written");
  }
}

// ---- Latency --------------------------------------------------------------

// Built once, by the first latency benchmark's Setup; kept to the end.
std::unique_ptr<Service> g_reader;
std::unique_ptr<RawRocksDb> g_raw_reader;
std::vector<std::string> g_metric_keys;  // one stored key per metric
int64_t g_stored_points = 0;
std::string g_reader_error;
bool g_reopened = false;

absl::Status SeedReader() {
  ASSIGN_OR_RETURN(g_reader, Service::Open("eidentity_reader", /*sync=*/false));
  for (int t = 0; t < kMonths; ++t) RETURN_IF_ERROR(g_reader->ReportMonth(t));
  RETURN_IF_ERROR(CheckHistory(*g_reader, kMonths));

  // The raw copy of every stored point of the province.
  ASSIGN_OR_RETURN(g_raw_reader, RawRocksDb::Open("eidentity_raw_reader"));
  rocksdb::WriteBatch batch;
  std::vector<std::string> keys;
  RETURN_IF_ERROR(g_reader->store->Scan(
      "points", "", "", [&](std::string_view key, std::string_view value) {
        batch.Put(rocksdb::Slice(key.data(), key.size()),
                  rocksdb::Slice(value.data(), value.size()));
        keys.emplace_back(key);
        return true;
      }));
  RETURN_IF_ERROR(g_raw_reader->Write(batch));
  g_stored_points = static_cast<int64_t>(keys.size());
  if (g_stored_points != static_cast<int64_t>(kMonths) * ValuesPerBatch()) {
    return absl::InternalError(absl::StrCat(g_stored_points,
                                            " stored points, expected ",
                                            kMonths * ValuesPerBatch()));
  }
  // Keys sort by unit, metric, day: the first commune's metrics.
  for (size_t m = 0; m < g_metrics.size(); ++m) {
    g_metric_keys.push_back(keys[m * kMonths]);
  }
  return absl::OkStatus();
}

void OpenReader(const benchmark::State&) {
  if (g_reader != nullptr || !g_reader_error.empty()) return;
  absl::Status s = SeedReader();
  if (!s.ok()) g_reader_error = s.ToString();
}

void ReopenReader(const benchmark::State& state) {
  OpenReader(state);
  if (g_reopened || !g_reader_error.empty()) return;
  g_reopened = true;
  absl::Status s = g_reader->Reopen(/*sync=*/false);
  if (s.ok()) s = CheckHistory(*g_reader, kMonths);
  if (!s.ok()) g_reader_error = s.ToString();
}

// Times each call of `query` and reports queries/s and their p99.
template <typename Query>
void RunQueries(benchmark::State& state, Query query) {
  if (!g_reader_error.empty()) {
    state.SkipWithError(g_reader_error.c_str());
    return;
  }
  std::vector<double> latencies;
  for (auto _ : state) {
    const absl::Time start = absl::Now();
    absl::Status s = query();
    latencies.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  std::sort(latencies.begin(), latencies.end());
  state.counters["p99_us"] =
      latencies.empty() ? 0 : latencies[latencies.size() * 99 / 100];
}

absl::Status RollupAt(int t) {
  ASSIGN_OR_RETURN(v1::Rollup rollup, g_reader->Rollup(t));
  for (const auto& f : rollup.figures()) {
    if (f.metric() == "eid_accounts_issued") {
      if (f.value() != ExpectedIssued(t)) break;
      return absl::OkStatus();
    }
  }
  return absl::InternalError("wrong eid_accounts_issued");
}

void BM_RollupMetrics(benchmark::State& state) {
  RunQueries(state, [] { return RollupAt(kMonths - 1); });
}

void BM_RollupMetricsMidHistory(benchmark::State& state) {
  RunQueries(state, [] { return RollupAt(kMonths / 2 - 1); });
}

void BM_RawPrefixScan(benchmark::State& state) {
  RunQueries(state, []() -> absl::Status {
    int64_t bytes = 0;
    ASSIGN_OR_RETURN(int64_t entries, g_raw_reader->ScanPrefix("", &bytes));
    benchmark::DoNotOptimize(bytes);
    if (entries != g_stored_points) {
      return absl::InternalError("scan saw the wrong number of points");
    }
    return absl::OkStatus();
  });
}

void BM_Raw19PointReads(benchmark::State& state) {
  RunQueries(state, []() -> absl::Status {
    for (const std::string& key : g_metric_keys) {
      ASSIGN_OR_RETURN(std::optional<std::string> value,
                       g_raw_reader->Get(key));
      if (!value.has_value()) return absl::InternalError("missing key");
      benchmark::DoNotOptimize(value);
    }
    return absl::OkStatus();
  });
}

}  // namespace
}  // namespace nq57::eidentity

int main(int argc, char** argv) {
  namespace e = nq57::eidentity;
  auto units = nq57::UnitRegistry::Load(e::kConfigDir);
  auto catalog = nq57::IndicatorCatalog::LoadFile(
      e::kConfigDir + "/indicators/eidentity.textproto");
  if (!units.ok() || !catalog.ok()) {
    std::fprintf(stderr, "config: %s %s\n", units.status().ToString().c_str(),
                 catalog.status().ToString().c_str());
    return 1;
  }
  e::g_units = std::move(*units);
  e::g_catalog = std::move(*catalog);
  for (const nq57::Unit* u :
       e::g_units->Children(e::kPhuTho, nq57::UnitLevel::kCommune)) {
    e::g_communes.push_back(u->name);
  }
  for (const auto& m : e::g_catalog->config().measures()) {
    e::g_metrics.push_back(m.code());
    if (m.kind() == nq57::config::v1::STOCK) ++e::g_stock_metrics;
  }
  if (e::g_communes.size() != 148 || e::g_metrics.empty()) {
    std::fprintf(stderr, "%zu communes, %zu metrics\n", e::g_communes.size(),
                 e::g_metrics.size());
    return 1;
  }
  std::printf("Province of %zu communes x %zu metrics x %d months\n",
              e::g_communes.size(), e::g_metrics.size(), e::kMonths);

  benchmark::RegisterBenchmark("BM_RawRocksDBBatch", e::BM_RawRocksDBBatch)
      ->Setup(e::OpenRawWriter)
      ->Teardown(e::CloseRawWriter)
      ->Iterations(e::kMonths)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_BatchReportSnapshots",
                               e::BM_BatchReportSnapshots)
      ->Setup(e::OpenWriter)
      ->Teardown(e::CloseWriter)
      ->Iterations(e::kMonths)
      ->UseRealTime();
  // In this order: the raw baselines, the rollup right after loading, then
  // after a reopen (flushed).
  using Fn = void (*)(benchmark::State&);
  using Hook = void (*)(const benchmark::State&);
  for (auto [name, fn, setup] :
       {std::tuple<const char*, Fn, Hook>{"BM_RawPrefixScan",
                                          e::BM_RawPrefixScan, e::OpenReader},
        std::tuple<const char*, Fn, Hook>{"BM_Raw19PointReads",
                                          e::BM_Raw19PointReads, e::OpenReader},
        std::tuple<const char*, Fn, Hook>{"BM_RollupMetricsJustLoaded",
                                          e::BM_RollupMetrics, e::OpenReader},
        std::tuple<const char*, Fn, Hook>{"BM_RollupMetrics",
                                          e::BM_RollupMetrics, e::ReopenReader},
        std::tuple<const char*, Fn, Hook>{"BM_RollupMetricsMidHistory",
                                          e::BM_RollupMetricsMidHistory,
                                          e::ReopenReader}}) {
    benchmark::RegisterBenchmark(name, fn)
        ->Setup(setup)
        ->MinTime(1.0)
        ->UseRealTime();
  }
  const int rc = nq57::RunWithBaselines(
      argc, argv,
      {{"BM_BatchReportSnapshots", "BM_RawRocksDBBatch"},
       {"BM_RollupMetrics", "BM_RawPrefixScan"},
       {"BM_RollupMetrics", "BM_Raw19PointReads"},
       {"BM_RollupMetricsMidHistory", "BM_RawPrefixScan"},
       {"BM_RollupMetricsMidHistory", "BM_Raw19PointReads"},
       {"BM_RollupMetricsJustLoaded", "BM_RawPrefixScan"},
       {"BM_RollupMetricsJustLoaded", "BM_Raw19PointReads"}});
  e::g_raw_reader.reset();
  e::g_reader.reset();
  return rc;
}
