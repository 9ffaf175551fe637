// Issue 4: the public-service statistics core (PublicServiceCore, no gRPC).
//
// Throughput. BM_BatchReport: BatchReportDossierStats of 1,000 dossier
// statistics per request (PrepareBatchReportDossierStats + a durable
// Store::CommitAndWait: fsync, change records, month totals, reporters), each
// item a new (commune, month, procedure) of Phú Thọ: 148 communes x 12 months
// (2025-11..2026-10) x procedure P0000, P0001, ... (up to 2,100), so the data
// grows by 1,000 items per iteration and a 2 s run stays well under 100,000
// items. Baseline BM_RawRocksDBBatch: raw RocksDB WriteBatch commits with
// sync=true of 1,000 puts carrying the same bytes (key = the statistics'
// resource name, value = the serialized DossierStats), same run.
//
// Latency. GetIndicators for the whole province (provinces/25, every
// indicator of deploy/config/indicators/publicservice.textproto) over 12
// months, over a store seeded in Setup with a 2,100-procedure catalogue over
// 28 effective dates and 148 x 12 x 20 = 35,520 dossier statistics (seeded
// without fsync: reads do not depend on it), measured twice:
//   BM_GetIndicatorsJustLoaded  right after loading: the superseded versions
//                               of the aggregate keys (each batch rewrites
//                               them) are still in the memtable;
//   BM_GetIndicators            after closing and reopening the store
//                               (RocksDB's recovery flushes the memtable).
// Two baselines over a raw RocksDB holding a copy of those 35,520
// stored records (the same keys and bytes):
//   BM_RawPrefixScan     a prefix scan over all of the province's stored
//                        statistics, summing value sizes without parsing
//                        them (the cheapest possible rescan; what the issue
//                        says a query must not do);
//   BM_Raw12PointReads   12 point reads of stored keys, one per month (the
//                        floor for an answer from 12 month totals).
// Queries/s and p99 of each.
//
// Checks (SkipWithError on mismatch): every commit succeeds and reports
// 1,000 new items and none replaced; the change log grew by exactly the
// number of items; the province's online-dossier indicator over the 12
// months has numerator 3 x items and denominator 6 x items (each item
// receives 3 online + 2 in person + 1 by post); in the read fixture, also
// 148/148 communes reporting and a 2,100-procedure catalogue.
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
#include "common/time/clock.h"
#include "services/publicservice/publicservice_core.h"

namespace nq57::publicservice {
namespace {

const std::string kConfigDir = NQ57_SOURCE_DIR "/deploy/config";
constexpr char kPhuTho[] = "provinces/25";
constexpr int kMonths = 12;
constexpr int kBatchItems = 1000;
constexpr int kMaxProcedures = 2100;
// The read fixture: 20 procedures' statistics per commune and month.
constexpr int kSeedProcedures = 20;
constexpr char kFirstMonth[] = "2025-11";
constexpr char kLastMonth[] = "2026-10";

ProvinceConfig g_config;
const std::vector<std::string>& g_communes = g_config.communes;

std::string Month(int m) {
  const absl::CivilMonth month = absl::CivilMonth(2025, 11) + m;
  return absl::StrFormat("%04d-%02d", month.year(), month.month());
}

// Item k of the sequence: commune k % 148, month (k / 148) % 12, procedure
// k / (148 * 12).
v1::ReportDossierStatsRequest Item(int64_t k) {
  const int64_t communes = static_cast<int64_t>(g_communes.size());
  v1::ReportDossierStatsRequest req;
  v1::DossierStats* s = req.mutable_stats();
  s->set_unit(g_communes[k % communes]);
  s->mutable_period()->set_month(Month((k / communes) % kMonths));
  s->set_procedure(absl::StrFormat("P%04d", k / (communes * kMonths)));
  v1::DossierCounts* c = s->mutable_counts();
  c->set_dossiers_received_online(3);
  c->set_dossiers_received_in_person(2);
  c->set_dossiers_received_by_post(1);
  c->set_dossiers_processed(5);
  c->set_dossiers_processed_on_time(4);
  c->set_dossiers_processed_late(1);
  c->set_dossiers_digitised(5);
  c->set_results_issued(5);
  c->set_results_digitised(4);
  c->set_results_reused(3);
  c->set_fee_payments(2);
  c->set_fees_paid_online(1);
  return req;
}

v1::BatchReportDossierStatsRequest Batch(int64_t first, int64_t count,
                                         const std::string& request_id) {
  v1::BatchReportDossierStatsRequest req;
  req.set_request_id(request_id);
  for (int64_t k = first; k < first + count; ++k) {
    *req.add_requests() = Item(k);
  }
  return req;
}

using Service = CoreFixture<PublicServiceCore>;

absl::StatusOr<std::unique_ptr<Service>> OpenService(std::string_view name,
                                                     bool sync) {
  return Service::Open(name, sync, [](Store* store) {
    return std::make_unique<PublicServiceCore>(
        store, g_config.units.get(), g_config.catalog.get(), RealClock());
  });
}

absl::StatusOr<v1::BatchReportDossierStatsResponse> Report(
    const Service& service, const v1::BatchReportDossierStatsRequest& req) {
  ASSIGN_OR_RETURN(CommitRequest commit,
                   service.core->PrepareBatchReportDossierStats(req, "bench"));
  ASSIGN_OR_RETURN(CommitResult result,
                   service.store->CommitAndWait(std::move(commit)));
  v1::BatchReportDossierStatsResponse resp;
  if (!resp.ParseFromString(result.response)) {
    return absl::InternalError("unparsable response");
  }
  return resp;
}

absl::StatusOr<v1::UnitIndicators> ProvinceIndicators(const Service& service) {
  v1::GetIndicatorsRequest req;
  req.set_unit(kPhuTho);
  req.mutable_months()->set_first_month(kFirstMonth);
  req.mutable_months()->set_last_month(kLastMonth);
  return service.core->GetIndicators(req);
}

const common::v1::IndicatorValue* Find(const v1::UnitIndicators& in,
                                       const std::string& code) {
  for (const auto& i : in.indicators()) {
    if (i.code() == code) return &i;
  }
  return nullptr;
}

// OK if the province's indicators count exactly `items` reports.
absl::Status CheckCounts(const Service& service, int64_t items) {
  const uint64_t grown =
      service.store->change_log().head() - service.head_at_start;
  auto indicators = ProvinceIndicators(service);
  if (!indicators.ok()) return indicators.status();
  const common::v1::IndicatorValue* online =
      Find(*indicators, "ONLINE_DOSSIER_RATE");
  if (online == nullptr) return absl::InternalError("no ONLINE_DOSSIER_RATE");
  const auto& ratio = online->value().ratio();
  if (ratio.numerator() != 3 * items || ratio.denominator() != 6 * items) {
    return absl::InternalError(absl::StrCat(
        "ONLINE_DOSSIER_RATE is ", ratio.numerator(), "/", ratio.denominator(),
        ", expected ", 3 * items, "/", 6 * items));
  }
  // One change record per item (procedures created before `head_at_start`
  // are not counted).
  if (grown != static_cast<uint64_t>(items)) {
    return absl::InternalError(
        absl::StrCat("change log grew by ", grown, " for ", items, " items"));
  }
  return absl::OkStatus();
}

// The catalogue every benchmark's statistics name: 2,100 procedures over
// the communes, levels in rotation, effective on 28 distinct days. The
// change log's head after it is `head_at_start`.
absl::Status SeedCatalogue(Service& service) {
  for (int i = 0; i < kMaxProcedures; ++i) {
    v1::CreateProcedureRequest req;
    req.set_parent(g_communes[i % g_communes.size()]);
    req.set_procedure_id(absl::StrFormat("P%04d", i));
    req.set_request_id(absl::StrCat("proc-", i));
    v1::Procedure* p = req.mutable_procedure();
    p->set_display_name(absl::StrCat("Thủ tục ", i));
    p->set_field("land");
    p->set_online_level(static_cast<v1::OnlineLevel>(1 + i % 3));
    p->mutable_level_effective_from()->set_year(2025);
    p->mutable_level_effective_from()->set_month(1);
    p->mutable_level_effective_from()->set_day(1 + i % 28);
    ASSIGN_OR_RETURN(CommitRequest commit,
                     service.core->PrepareCreateProcedure(req, "bench"));
    RETURN_IF_ERROR(service.store->CommitAndWait(std::move(commit)).status());
  }
  service.head_at_start = service.store->change_log().head();
  return absl::OkStatus();
}

// ---- Throughput -----------------------------------------------------------

RunFixture<Service> g_writer([]() -> absl::StatusOr<std::unique_ptr<Service>> {
  ASSIGN_OR_RETURN(std::unique_ptr<Service> writer,
                   OpenService("publicservice_writer", /*sync=*/true));
  RETURN_IF_ERROR(SeedCatalogue(*writer));
  return writer;
});
RunFixture<RawRocksDb> g_raw_writer([] {
  return RawRocksDb::Open("publicservice_raw_writer");
});

void BM_BatchReport(benchmark::State& state) {
  if (!g_writer.Ready(state)) return;
  const int64_t limit =
      static_cast<int64_t>(g_communes.size()) * kMonths * kMaxProcedures;
  int64_t next = 0;
  for (auto _ : state) {
    if (next + kBatchItems > limit) {
      state.SkipWithError("ran past 148 x 12 x 2,100 items");
      break;
    }
    auto resp = Report(*g_writer,
                       Batch(next, kBatchItems, absl::StrCat("batch-", next)));
    if (!resp.ok()) {
      state.SkipWithError(resp.status().ToString().c_str());
      break;
    }
    if (resp->stats_size() != kBatchItems || resp->replaced_count() != 0) {
      state.SkipWithError("batch not recorded as 1,000 new items");
      break;
    }
    next += kBatchItems;
  }
  state.SetItemsProcessed(state.iterations() * kBatchItems);
  if (state.error_occurred()) return;
  const uint64_t grown =
      g_writer->store->change_log().head() - g_writer->head_at_start;
  if (grown != static_cast<uint64_t>(next)) {
    state.SkipWithError(
        absl::StrCat("change log grew by ", grown, " for ", next, " items")
            .c_str());
    return;
  }
  absl::Status counted = CheckCounts(*g_writer, next);
  if (!counted.ok()) state.SkipWithError(counted.ToString().c_str());
}

// The stored bytes of item k: its resource name and DossierStats.
std::pair<std::string, std::string> StoredForm(int64_t k) {
  v1::DossierStats s = Item(k).stats();
  s.set_name(absl::StrCat(s.unit(), "/dossierStats/", s.period().month(),
                          "/procedures/", s.procedure()));
  s.mutable_update_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  return {s.name(), s.SerializeAsString()};
}

void BM_RawRocksDBBatch(benchmark::State& state) {
  if (!g_raw_writer.Ready(state)) return;
  int64_t next = 0;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (int64_t k = next; k < next + kBatchItems; ++k) {
      auto [key, value] = StoredForm(k);
      batch.Put(key, value);
    }
    absl::Status s = g_raw_writer->WriteSync(batch);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    next += kBatchItems;
  }
  state.SetItemsProcessed(state.iterations() * kBatchItems);
  auto entries = g_raw_writer->ScanPrefix("", nullptr);
  if (!state.error_occurred() && (!entries.ok() || *entries != next)) {
    state.SkipWithError("raw database does not hold what was written");
  }
}

// ---- Latency --------------------------------------------------------------

// Built once, by the first latency benchmark's Setup; kept to the end.
std::unique_ptr<Service> g_reader;
RawReadBaseline g_raw_reader;  // point_keys: one stored key per month

absl::Status SeedReader() {
  ASSIGN_OR_RETURN(g_reader,
                   OpenService("publicservice_reader", /*sync=*/false));
  RETURN_IF_ERROR(SeedCatalogue(*g_reader));
  const int64_t items =
      static_cast<int64_t>(g_communes.size()) * kMonths * kSeedProcedures;
  for (int64_t k = 0; k < items; k += kBatchItems) {
    const int64_t n = std::min<int64_t>(kBatchItems, items - k);
    ASSIGN_OR_RETURN(auto resp,
                     Report(*g_reader, Batch(k, n, absl::StrCat("seed-", k))));
    if (resp.stats_size() != n) return absl::InternalError("short batch");
  }
  RETURN_IF_ERROR(CheckCounts(*g_reader, items));
  ASSIGN_OR_RETURN(v1::UnitIndicators indicators,
                   ProvinceIndicators(*g_reader));
  const common::v1::IndicatorValue* online =
      Find(indicators, "ONLINE_DOSSIER_RATE");
  const common::v1::IndicatorValue* full =
      Find(indicators, "FULL_PROCESS_SHARE");
  if (online->coverage().reported() != 148 ||
      online->coverage().expected() != 148) {
    return absl::InternalError(
        absl::StrCat("coverage ", online->coverage().reported(), "/",
                     online->coverage().expected(), ", expected 148/148"));
  }
  if (full == nullptr ||
      full->value().ratio().denominator() != kMaxProcedures) {
    return absl::InternalError("catalogue is not 2,100 procedures");
  }

  // The raw copy of every stored record of the province's statistics.
  ASSIGN_OR_RETURN(g_raw_reader.db,
                   RawRocksDb::Open("publicservice_raw_reader"));
  ASSIGN_OR_RETURN(
      std::vector<std::string> keys,
      CopyToRaw(*g_reader->store, "dossier_stats", *g_raw_reader.db));
  g_raw_reader.entries = static_cast<int64_t>(keys.size());
  if (g_raw_reader.entries != items) {
    return absl::InternalError(absl::StrCat(
        g_raw_reader.entries, " stored statistics, expected ", items));
  }
  // Keys sort by commune then month: the first commune's 12 months.
  for (int m = 0; m < kMonths; ++m) {
    g_raw_reader.point_keys.push_back(keys[m * kSeedProcedures]);
  }
  return absl::OkStatus();
}

SharedReadFixture g_read_fixture(SeedReader, []() -> absl::Status {
  RETURN_IF_ERROR(g_reader->Reopen());
  return CheckCounts(*g_reader, g_raw_reader.entries);
});

void BM_GetIndicators(benchmark::State& state) {
  const int64_t items = g_raw_reader.entries;
  RunQueries(state, g_read_fixture.error(), [items]() -> absl::Status {
    ASSIGN_OR_RETURN(v1::UnitIndicators indicators,
                     ProvinceIndicators(*g_reader));
    const common::v1::IndicatorValue* online =
        Find(indicators, "ONLINE_DOSSIER_RATE");
    if (online == nullptr ||
        online->value().ratio().denominator() != 6 * items) {
      return absl::InternalError("wrong province totals");
    }
    return absl::OkStatus();
  });
}

}  // namespace
}  // namespace nq57::publicservice

int main(int argc, char** argv) {
  namespace p = nq57::publicservice;
  auto config = nq57::LoadProvinceConfig(p::kConfigDir,
                                         "publicservice.textproto", p::kPhuTho);
  if (!config.ok()) {
    std::fprintf(stderr, "config: %s\n", config.status().ToString().c_str());
    return 1;
  }
  p::g_config = std::move(*config);
  if (p::g_communes.size() != 148) {
    std::fprintf(stderr, "Phú Thọ has %zu communes, expected 148\n",
                 p::g_communes.size());
    return 1;
  }

  nq57::Register({"BM_RawRocksDBBatch", p::BM_RawRocksDBBatch,
                  nq57::OpenFixture<&p::g_raw_writer>,
                  nq57::CloseFixture<&p::g_raw_writer>})
      ->MinTime(2.0);
  nq57::Register({"BM_BatchReport", p::BM_BatchReport,
                  nq57::OpenFixture<&p::g_writer>,
                  nq57::CloseFixture<&p::g_writer>})
      ->MinTime(2.0);
  // In this order: the raw baselines, GetIndicators right after loading
  // (superseded aggregate versions still in the memtable), then after a
  // reopen (flushed).
  for (const nq57::BenchSpec& spec :
       {nq57::BenchSpec{
            "BM_RawPrefixScan",
            nq57::BM_RawPrefixScan<&p::g_raw_reader, &p::g_read_fixture>,
            nq57::OpenFixture<&p::g_read_fixture>},
        nq57::BenchSpec{
            "BM_Raw12PointReads",
            nq57::BM_RawPointReads<&p::g_raw_reader, &p::g_read_fixture>,
            nq57::OpenFixture<&p::g_read_fixture>},
        nq57::BenchSpec{"BM_GetIndicatorsJustLoaded", p::BM_GetIndicators,
                        nq57::OpenFixture<&p::g_read_fixture>},
        nq57::BenchSpec{"BM_GetIndicators", p::BM_GetIndicators,
                        nq57::OpenReopenedFixture<&p::g_read_fixture>}}) {
    nq57::Register(spec)->MinTime(1.0);
  }
  const int rc = nq57::RunWithBaselines(
      argc, argv,
      {{"BM_BatchReport", "BM_RawRocksDBBatch"},
       {"BM_GetIndicators", "BM_RawPrefixScan"},
       {"BM_GetIndicators", "BM_Raw12PointReads"},
       {"BM_GetIndicatorsJustLoaded", "BM_RawPrefixScan"},
       {"BM_GetIndicatorsJustLoaded", "BM_Raw12PointReads"}});
  p::g_raw_reader.db.reset();
  p::g_reader.reset();
  return rc;
}
