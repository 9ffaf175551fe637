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
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "bench/baseline_reporter.h"
#include "bench/bench_support.h"
#include "bench/raw_rocksdb.h"
#include "benchmark/benchmark.h"
#include "common/base/status_macros.h"
#include "common/time/proto_time.h"
#include "services/eidentity/eidentity_core.h"

namespace nq57::eidentity {
namespace {

const std::string kConfigDir = NQ57_SOURCE_DIR "/deploy/config";
constexpr char kPhuTho[] = "provinces/25";
constexpr int kMonths = 24;

ProvinceConfig g_config;
const std::vector<std::string>& g_communes = g_config.communes;
std::vector<std::string> g_metrics;  // the catalogue's STOCK and FLOW codes
int g_stock_metrics = 0;             // how many of them are STOCKs

absl::CivilDay Day(int t) {
  return absl::CivilDay(absl::CivilMonth(2024, 11) + t);
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
    *s->mutable_as_of_date() = ToProtoDate(Day(t));
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

using Service = CoreFixture<EidentityCore>;

absl::StatusOr<std::unique_ptr<Service>> OpenService(std::string_view name,
                                                     bool sync) {
  return Service::Open(name, sync, [](Store* store) {
    return std::make_unique<EidentityCore>(store, g_config.units.get(),
                                           g_config.catalog.get(), RealClock(),
                                           EidentityCoreOptions{});
  });
}

absl::Status ReportMonth(const Service& service, int t) {
  ASSIGN_OR_RETURN(
      CommitRequest commit,
      service.core->PrepareBatchReportSnapshots(MonthBatch(t), "bench"));
  ASSIGN_OR_RETURN(CommitResult result,
                   service.store->CommitAndWait(std::move(commit)));
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

absl::StatusOr<v1::Rollup> RollupOf(const Service& service, int t) {
  v1::RollupMetricsRequest req;
  req.set_parent(kPhuTho);
  *req.mutable_as_of_date() = ToProtoDate(Day(t));
  return service.core->RollupMetrics(req);
}

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
    ASSIGN_OR_RETURN(v1::Rollup rollup, RollupOf(service, t));
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

RunFixture<Service> g_writer([] {
  return OpenService("eidentity_writer", /*sync=*/true);
});
RunFixture<RawRocksDb> g_raw_writer([] {
  return RawRocksDb::Open("eidentity_raw_writer");
});

void BM_BatchReportSnapshots(benchmark::State& state) {
  if (!g_writer.Ready(state)) return;
  int t = 0;
  for (auto _ : state) {
    if (t >= kMonths) {
      state.SkipWithError("more batches than months of history");
      break;
    }
    absl::Status s = ReportMonth(*g_writer, t);
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

void BM_RawRocksDBBatch(benchmark::State& state) {
  if (!g_raw_writer.Ready(state)) return;
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
        *p.mutable_as_of_date() = ToProtoDate(Day(t % kMonths));
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
RawReadBaseline g_raw_reader;  // point_keys: one stored key per metric

absl::Status SeedReader() {
  ASSIGN_OR_RETURN(g_reader, OpenService("eidentity_reader", /*sync=*/false));
  for (int t = 0; t < kMonths; ++t) RETURN_IF_ERROR(ReportMonth(*g_reader, t));
  RETURN_IF_ERROR(CheckHistory(*g_reader, kMonths));

  // The raw copy of every stored point of the province.
  ASSIGN_OR_RETURN(g_raw_reader.db, RawRocksDb::Open("eidentity_raw_reader"));
  ASSIGN_OR_RETURN(std::vector<std::string> keys,
                   CopyToRaw(*g_reader->store, "points", *g_raw_reader.db));
  g_raw_reader.entries = static_cast<int64_t>(keys.size());
  if (g_raw_reader.entries !=
      static_cast<int64_t>(kMonths) * ValuesPerBatch()) {
    return absl::InternalError(absl::StrCat(g_raw_reader.entries,
                                            " stored points, expected ",
                                            kMonths * ValuesPerBatch()));
  }
  // Keys sort by unit, metric, day: the first commune's metrics.
  for (size_t m = 0; m < g_metrics.size(); ++m) {
    g_raw_reader.point_keys.push_back(keys[m * kMonths]);
  }
  return absl::OkStatus();
}

SharedReadFixture g_read_fixture(SeedReader, []() -> absl::Status {
  RETURN_IF_ERROR(g_reader->Reopen());
  return CheckHistory(*g_reader, kMonths);
});

absl::Status RollupAt(int t) {
  ASSIGN_OR_RETURN(v1::Rollup rollup, RollupOf(*g_reader, t));
  for (const auto& f : rollup.figures()) {
    if (f.metric() == "eid_accounts_issued") {
      if (f.value() != ExpectedIssued(t)) break;
      return absl::OkStatus();
    }
  }
  return absl::InternalError("wrong eid_accounts_issued");
}

void BM_RollupMetrics(benchmark::State& state) {
  RunQueries(state, g_read_fixture.error(),
             [] { return RollupAt(kMonths - 1); });
}

void BM_RollupMetricsMidHistory(benchmark::State& state) {
  RunQueries(state, g_read_fixture.error(),
             [] { return RollupAt(kMonths / 2 - 1); });
}

}  // namespace
}  // namespace nq57::eidentity

int main(int argc, char** argv) {
  namespace e = nq57::eidentity;
  auto config = nq57::LoadProvinceConfig(e::kConfigDir, "eidentity.textproto",
                                         e::kPhuTho);
  if (!config.ok()) {
    std::fprintf(stderr, "config: %s\n", config.status().ToString().c_str());
    return 1;
  }
  e::g_config = std::move(*config);
  for (const auto& m : e::g_config.catalog->config().measures()) {
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

  nq57::Register({"BM_RawRocksDBBatch", e::BM_RawRocksDBBatch,
                  nq57::OpenFixture<&e::g_raw_writer>,
                  nq57::CloseFixture<&e::g_raw_writer>})
      ->Iterations(e::kMonths);
  nq57::Register({"BM_BatchReportSnapshots", e::BM_BatchReportSnapshots,
                  nq57::OpenFixture<&e::g_writer>,
                  nq57::CloseFixture<&e::g_writer>})
      ->Iterations(e::kMonths);
  // In this order: the raw baselines, the rollup right after loading, then
  // after a reopen (flushed).
  for (const nq57::BenchSpec& spec :
       {nq57::BenchSpec{
            "BM_RawPrefixScan",
            nq57::BM_RawPrefixScan<&e::g_raw_reader, &e::g_read_fixture>,
            nq57::OpenFixture<&e::g_read_fixture>},
        nq57::BenchSpec{
            "BM_Raw19PointReads",
            nq57::BM_RawPointReads<&e::g_raw_reader, &e::g_read_fixture>,
            nq57::OpenFixture<&e::g_read_fixture>},
        nq57::BenchSpec{"BM_RollupMetricsJustLoaded", e::BM_RollupMetrics,
                        nq57::OpenFixture<&e::g_read_fixture>},
        nq57::BenchSpec{"BM_RollupMetrics", e::BM_RollupMetrics,
                        nq57::OpenReopenedFixture<&e::g_read_fixture>},
        nq57::BenchSpec{"BM_RollupMetricsMidHistory",
                        e::BM_RollupMetricsMidHistory,
                        nq57::OpenReopenedFixture<&e::g_read_fixture>}}) {
    nq57::Register(spec)->MinTime(1.0);
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
  e::g_raw_reader.db.reset();
  e::g_reader.reset();
  return rc;
}
