// Issue 6: the aggregator, measured on this machine.
//
//  (a) Freshness — BM_Freshness: the time from a data service acknowledging
//      a ReportProgress to the change being visible in a WatchReports stream,
//      under a steady background write load (p50/p99 counters), against
//      BM_WriteAck: the acknowledgement latency of the same write, measured
//      in the same run on the same servers.
//  (b) National rebuild — BM_NationalRebuild: Rebuild() replaying, over
//      loopback gRPC, the change logs of three source stores holding 34
//      provinces x 14,000 criteria assignments plus their criteria, 2,100
//      procedures and 148 communes' dossier statistics and 19 Project 06
//      metrics per province; seconds and peak resident memory of the
//      rebuild (VmHWM, reset before it), against BM_RawLogScan: reading the
//      same records straight from the three stores' logs with protobuf
//      parsing.
//  (d) Incremental catch-up — BM_IncrementalCatchUp: a fresh aggregator
//      applying all of (b)'s records through its consumers and engine, one
//      durable commit per batch, against BM_RawLogScan (issue 15: >= 150,000
//      records/s and >= 20% of the scan).
//  (c) GetReport — BM_GetReport: a full provincial report from the
//      maintained measures (p50/p99), against BM_PointRead: one RocksDB
//      point read through the same store.
//
// Sources are real stores served by the real ChangeFeedService; the
// aggregator is the real AggregatorServer (consumers, engine, report
// builder).
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/baseline_reporter.h"
#include "bench/bench_support.h"
#include "benchmark/benchmark.h"
#include "common/base/absl_view.h"
#include "common/server/change_feed_service.h"
#include "common/server/server_host.h"
#include "common/units/unit_registry.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "nq57/aggregator/v1/aggregator.grpc.pb.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "nq57/eidentity/v1/eidentity.pb.h"
#include "nq57/publicservice/v1/publicservice.pb.h"
#include "services/aggregator/aggregator_server.h"
#include "services/criteria/criteria_server.h"

namespace nq57 {
namespace {

const std::string kConfig = std::string(NQ57_SOURCE_DIR) + "/deploy/config";

// ---------------------------------------------------------------------------
// (a) Freshness: criteria-server and the aggregator in-process, over
// loopback gRPC.
struct FreshnessRig {
  std::string dir;
  std::unique_ptr<criteria::CriteriaServer> criteria;
  std::unique_ptr<aggregator::AggregatorServer> aggregator;
  std::vector<std::string> measured;    // PARTY assignments, toggled by us
  std::vector<std::string> background;  // FRONT assignments, the load
  std::atomic<bool> stop{false};
  std::thread load;
};
std::unique_ptr<FreshnessRig> g_rig;

std::vector<std::string> Seed(criteria::v1::CriteriaService::Stub& stub,
                              criteria::v1::Block block, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    const std::string code =
        absl::StrCat(criteria::v1::Block_Name(block), "-", i);
    grpc::ClientContext c1;
    criteria::v1::CreateCriterionRequest create;
    auto* c = create.mutable_criterion();
    c->set_code(code);
    c->set_title(code);
    c->set_source(criteria::v1::RESOLUTION_57_NQ_TW);
    c->set_block(block);
    c->set_group(criteria::v1::DATA);
    c->set_level(common::v1::COMMUNE);
    criteria::v1::Criterion created;
    stub.CreateCriterion(&c1, create, &created);
    grpc::ClientContext c2;
    criteria::v1::BatchCreateAssignmentsRequest assign;
    assign.set_criterion(absl::StrCat("criteria/", code));
    assign.set_province("provinces/25");
    criteria::v1::BatchCreateAssignmentsResponse assigned;
    stub.BatchCreateAssignments(&c2, assign, &assigned);
    for (const auto& a : assigned.assignments()) out.push_back(a.name());
  }
  return out;
}

grpc::Status Toggle(criteria::v1::CriteriaService::Stub& stub,
                    const std::string& assignment, bool complete) {
  grpc::ClientContext ctx;
  criteria::v1::ReportProgressRequest req;
  req.mutable_report()->set_assignment(assignment);
  req.mutable_report()->set_state(complete ? criteria::v1::COMPLETED
                                           : criteria::v1::IN_PROGRESS);
  if (complete) {
    // Now, to the nanosecond: after the assignment, and not in the future
    // (a report as of now counts a completion only once it took effect).
    const int64_t now = absl::ToUnixNanos(absl::Now());
    req.mutable_report()->mutable_complete_time()->set_seconds(now /
                                                               1000000000);
    req.mutable_report()->mutable_complete_time()->set_nanos(
        static_cast<int32_t>(now % 1000000000));
  }
  criteria::v1::Assignment out;
  return stub.ReportProgress(&ctx, req, &out);
}

void StartFreshnessRig(const benchmark::State&) {
  g_rig = std::make_unique<FreshnessRig>();
  g_rig->dir = BenchDir("aggregator_freshness");
  g_rig->criteria = std::move(*criteria::CriteriaServer::Create(
      {.server = {.listen = "127.0.0.1:0",
                  .data_dir = g_rig->dir + "/criteria",
                  .config_dir = kConfig}}));
  auto stub = criteria::v1::CriteriaService::NewStub(grpc::CreateChannel(
      g_rig->criteria->host().address(), grpc::InsecureChannelCredentials()));
  g_rig->measured = Seed(*stub, criteria::v1::PARTY, 1);
  g_rig->background = Seed(*stub, criteria::v1::FRONT, 2);

  g_rig->aggregator = std::move(*aggregator::AggregatorServer::Create(
      {.server = {.listen = "127.0.0.1:0",
                  .data_dir = g_rig->dir + "/aggregator",
                  .config_dir = kConfig},
       .sources = {
           {"criteria", "criteria", g_rig->criteria->host().address()}}}));
  while (!g_rig->aggregator->CaughtUp()) absl::SleepFor(absl::Milliseconds(5));

  // Steady background load: ~200 writes/s on another block.
  g_rig->load = std::thread([] {
    auto stub = criteria::v1::CriteriaService::NewStub(grpc::CreateChannel(
        g_rig->criteria->host().address(), grpc::InsecureChannelCredentials()));
    std::mt19937_64 rng(6);
    while (!g_rig->stop.load()) {
      Toggle(*stub, g_rig->background[rng() % g_rig->background.size()],
             rng() % 2);
      absl::SleepFor(absl::Milliseconds(5));
    }
  });
}

void StopFreshnessRig(const benchmark::State&) {
  g_rig->stop = true;
  g_rig->load.join();
  g_rig->aggregator->BeginShutdown();
  g_rig->aggregator->host().Shutdown(absl::Seconds(2));
  g_rig->criteria->BeginShutdown();
  g_rig->criteria->host().Shutdown(absl::Seconds(2));
  g_rig->aggregator.reset();
  g_rig->criteria.reset();
  std::filesystem::remove_all(g_rig->dir);
  g_rig.reset();
}

int64_t PartyCompleted(const aggregator::v1::Report& report) {
  for (const auto& f : report.criteria().blocks()) {
    if (f.id() == "criteria.block.PARTY") return f.value().ratio().numerator();
  }
  return -1;
}

void BM_Freshness(benchmark::State& state) {
  auto criteria = criteria::v1::CriteriaService::NewStub(grpc::CreateChannel(
      g_rig->criteria->host().address(), grpc::InsecureChannelCredentials()));
  auto agg = aggregator::v1::AggregatorService::NewStub(grpc::CreateChannel(
      g_rig->aggregator->host().address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext watch_ctx;
  aggregator::v1::WatchReportsRequest req;
  req.set_province("provinces/25");
  auto watch = agg->WatchReports(&watch_ctx, req);
  aggregator::v1::Report report;
  if (!watch->Read(&report)) {
    state.SkipWithError("no first report");
    return;
  }
  int64_t completed = PartyCompleted(report);
  std::vector<double> samples;
  size_t next = 0;
  for (auto _ : state) {
    // Complete the next PARTY assignment (each exactly once), then wait for
    // a report that shows it.
    if (next >= g_rig->measured.size()) {
      state.SkipWithError("ran out of assignments");
      break;
    }
    const grpc::Status s = Toggle(*criteria, g_rig->measured[next++], true);
    const absl::Time acked = absl::Now();
    if (!s.ok()) {
      state.SkipWithError(s.error_message().c_str());
      break;
    }
    ++completed;
    while (watch->Read(&report) && PartyCompleted(report) < completed) {
    }
    if (PartyCompleted(report) != completed) {
      state.SkipWithError("watch ended or skipped a change");
      break;
    }
    samples.push_back(absl::ToDoubleMicroseconds(absl::Now() - acked));
  }
  watch_ctx.TryCancel();
  watch->Finish();
  state.SetItemsProcessed(state.iterations());
  SetPercentiles(state, samples, {50, 99});
}

void BM_WriteAck(benchmark::State& state) {
  auto criteria = criteria::v1::CriteriaService::NewStub(grpc::CreateChannel(
      g_rig->criteria->host().address(), grpc::InsecureChannelCredentials()));
  std::vector<double> samples;
  bool complete = false;  // the first call completes
  TimedLoop(state, samples, [&] {
    complete = !complete;
    return Toggle(*criteria, g_rig->background[0], complete);
  });
  state.SetItemsProcessed(state.iterations());
  SetPercentiles(state, samples, {50, 99});
}

// ---------------------------------------------------------------------------
// (b) and (c): a national dataset in three source stores.
struct NationalRig {
  std::string dir;
  std::unique_ptr<Store> sources[3];  // criteria, publicservice, eidentity
  std::unique_ptr<ChangeFeedService> feeds[3];
  std::unique_ptr<ServerHost> hosts[3];
  int64_t records = 0;
  std::unique_ptr<aggregator::AggregatorServer> aggregator;
};
std::unique_ptr<NationalRig> g_nation;

// Appends records through the store's commit path in large groups.
class RecordWriter {
 public:
  explicit RecordWriter(Store* store) : store_(store) {}
  ~RecordWriter() { Flush(); }
  void Add(std::string resource, std::unique_ptr<google::protobuf::Message> m) {
    pending_.emplace_back(std::move(resource), std::move(m));
    if (pending_.size() >= 20000) Flush();
  }
  void Flush() {
    if (pending_.empty()) return;
    auto batch = std::move(pending_);
    pending_.clear();
    (void)store_->CommitAndWait({.apply = [&batch](Transaction& txn) {
      for (auto& [resource, m] : batch) {
        txn.RecordChange(resource, changes::v1::CREATED, m.get(), nullptr);
      }
      return absl::OkStatus();
    }});
  }

 private:
  Store* const store_;
  std::vector<
      std::pair<std::string, std::unique_ptr<google::protobuf::Message>>>
      pending_;
};

void BuildNation(const benchmark::State&) {
  if (g_nation) return;  // shared by (b) and (c)
  g_nation = std::make_unique<NationalRig>();
  g_nation->dir = BenchDir("aggregator_national");
  const char* names[3] = {"criteria", "publicservice", "eidentity"};
  for (int i = 0; i < 3; ++i) {
    g_nation->sources[i] = std::move(*Store::Open(
        absl::StrCat(g_nation->dir, "/", names[i]), {.column_families = {}}));
  }
  auto units = std::move(*UnitRegistry::Load(kConfig));
  std::mt19937_64 rng(34);
  const char* metrics[] = {"eid_accounts_issued",
                           "eid_accounts_activated",
                           "eid_level1_activated",
                           "eid_level2_activated",
                           "chip_id_cards_issued",
                           "population_records_collected",
                           "population_records_cleaned",
                           "land_parcels_in_database",
                           "land_database_connected_communes",
                           "pension_monthly_recipients",
                           "pension_paid_to_accounts",
                           "social_insurance_one_time_payments",
                           "social_insurance_one_time_to_accounts",
                           "business_households",
                           "business_households_einvoice",
                           "electricity_customers",
                           "electricity_customers_cashless",
                           "essential_services_provided",
                           "essential_services_online"};
  {
    RecordWriter crit(g_nation->sources[0].get());
    RecordWriter ps(g_nation->sources[1].get());
    RecordWriter eid(g_nation->sources[2].get());
    for (const Unit* province : units->provinces()) {
      std::vector<const Unit*> communes =
          units->Children(province->name, UnitLevel::kCommune);
      if (communes.size() > 148) communes.resize(148);
      const int per = static_cast<int>(communes.size());
      const int n_criteria = (14000 + per - 1) / per;
      int assigned = 0;
      for (int c = 0; c < n_criteria; ++c) {
        auto criterion = std::make_unique<criteria::v1::Criterion>();
        criterion->set_code(absl::StrCat("P", province->code, "-", c));
        criterion->set_block(static_cast<criteria::v1::Block>(1 + c % 4));
        criterion->set_group(static_cast<criteria::v1::Group>(1 + c % 6));
        criterion->set_level(common::v1::COMMUNE);
        criterion->set_state(criteria::v1::Criterion::ACTIVE);
        if (c % 3 == 0) criterion->mutable_deadline()->set_seconds(1760000000);
        const std::string code = criterion->code();
        crit.Add(absl::StrCat("criteria/", code), std::move(criterion));
        for (const Unit* commune : communes) {
          if (assigned++ >= 14000) break;
          auto a = std::make_unique<criteria::v1::Assignment>();
          a->set_unit(commune->name);
          a->set_state(rng() % 50 ? criteria::v1::COMPLETED
                                  : criteria::v1::IN_PROGRESS);
          // Assigned before the reported period (2025-10), completed in
          // September: a report of October counts every one.
          a->mutable_assign_time()->set_seconds(1756684800);  // 2025-09-01
          a->mutable_complete_time()->set_seconds(1759000000);
          crit.Add(absl::StrCat(commune->name, "/assignments/", code),
                   std::move(a));
        }
      }
      for (int p = 0; p < 2100; ++p) {
        auto procedure = std::make_unique<publicservice::v1::Procedure>();
        procedure->set_unit(province->name);
        procedure->set_online_level(
            static_cast<publicservice::v1::OnlineLevel>(1 + p % 3));
        ps.Add(absl::StrCat(province->name, "/procedures/", p),
               std::move(procedure));
      }
      for (const Unit* commune : communes) {
        auto stats = std::make_unique<publicservice::v1::DossierStats>();
        stats->set_unit(commune->name);
        stats->mutable_period()->set_month("2025-10");
        stats->mutable_counts()->set_dossiers_received_online(100 +
                                                              rng() % 100);
        stats->mutable_counts()->set_dossiers_digitised(80 + rng() % 20);
        stats->mutable_counts()->set_results_issued(90);
        stats->mutable_counts()->set_results_digitised(70);
        ps.Add(absl::StrCat(commune->name, "/dossierStats/2025-10/fields/all"),
               std::move(stats));
        for (const char* metric : metrics) {
          auto point = std::make_unique<eidentity::v1::MetricPoint>();
          point->set_unit(commune->name);
          point->set_metric(metric);
          point->set_kind(eidentity::v1::STOCK);
          point->set_value(static_cast<int64_t>(1000 + rng() % 1000));
          point->mutable_as_of_date()->set_year(2025);
          point->mutable_as_of_date()->set_month(10);
          point->mutable_as_of_date()->set_day(20);
          eid.Add(absl::StrCat(commune->name, "/metrics/", metric),
                  std::move(point));
        }
      }
    }
  }
  for (int i = 0; i < 3; ++i) {
    g_nation->records += g_nation->sources[i]->change_log().head();
    g_nation->feeds[i] = std::make_unique<ChangeFeedService>(
        &g_nation->sources[i]->change_log());
    g_nation->hosts[i] = std::move(*ServerHost::Start(
        {.listen = "127.0.0.1:0"}, {g_nation->feeds[i].get()}, {}));
    g_nation->hosts[i]->SetServing(true);
  }
  // The aggregator follows them to the head (incremental catch-up).
  aggregator::AggregatorOptions options{
      .server = {.listen = "127.0.0.1:0",
                 .data_dir = g_nation->dir + "/aggregator",
                 .config_dir = kConfig}};
  for (int i = 0; i < 3; ++i) {
    options.sources.push_back(
        {names[i], names[i], g_nation->hosts[i]->address()});
  }
  const absl::Time start = absl::Now();
  g_nation->aggregator =
      std::move(*aggregator::AggregatorServer::Create(options));
  while (!g_nation->aggregator->CaughtUp())
    absl::SleepFor(absl::Milliseconds(20));
  std::fprintf(stderr,
               "national dataset: %lld records; incremental catch-up %.1f s\n",
               static_cast<long long>(g_nation->records),
               absl::ToDoubleSeconds(absl::Now() - start));
}

// Stops everything in dependency order (consumers before their sources).
void StopNation() {
  if (!g_nation) return;
  g_nation->aggregator->BeginShutdown();
  g_nation->aggregator->host().Shutdown(absl::Seconds(2));
  g_nation->aggregator.reset();
  for (int i = 0; i < 3; ++i) {
    g_nation->sources[i]->change_log().Close();
    g_nation->hosts[i]->Shutdown(absl::Seconds(2));
    g_nation->hosts[i].reset();
    g_nation->feeds[i].reset();
    g_nation->sources[i].reset();
  }
  std::filesystem::remove_all(g_nation->dir);
  g_nation.reset();
}

void BM_NationalRebuild(benchmark::State& state) {
  for (auto _ : state) {
    const int64_t before = ProcStatusKb("self", "VmRSS");
    ResetPeakRss("self");
    aggregator::FeedReader reader = aggregator::GrpcFeedReader();
    auto result = g_nation->aggregator->engine().Rebuild(reader);
    if (!result.ok() || !result->equal()) {
      state.SkipWithError(result.ok() ? "rebuild differs from incremental"
                                      : result.status().ToString().c_str());
      break;
    }
    state.counters["records"] = static_cast<double>(g_nation->records);
    state.counters["peak_rss_mb"] = ProcStatusKb("self", "VmHWM") / 1024.0;
    state.counters["rss_growth_mb"] =
        (ProcStatusKb("self", "VmHWM") - before) / 1024.0;
  }
  state.SetItemsProcessed(state.iterations() * g_nation->records);
}

// A fresh aggregator over the three national sources, from nothing to
// caught up: the incremental apply path (consumers, engine, one durable
// commit per batch) over every record.
void BM_IncrementalCatchUp(benchmark::State& state) {
  for (auto _ : state) {
    const std::string dir = g_nation->dir + "/catch-up";
    aggregator::AggregatorOptions options{.server = {.listen = "127.0.0.1:0",
                                                     .data_dir = dir,
                                                     .config_dir = kConfig}};
    const char* names[3] = {"criteria", "publicservice", "eidentity"};
    for (int i = 0; i < 3; ++i) {
      options.sources.push_back(
          {names[i], names[i], g_nation->hosts[i]->address()});
    }
    auto server = aggregator::AggregatorServer::Create(options);
    if (!server.ok()) {
      state.SkipWithError(server.status().ToString().c_str());
      break;
    }
    while (!(*server)->CaughtUp()) absl::SleepFor(absl::Milliseconds(5));
    state.PauseTiming();
    (*server)->BeginShutdown();
    (*server)->host().Shutdown(absl::Seconds(2));
    server->reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * g_nation->records);
}

void BM_RawLogScan(benchmark::State& state) {
  for (auto _ : state) {
    int64_t n = 0;
    for (int i = 0; i < 3; ++i) {
      ChangeLog& log = g_nation->sources[i]->change_log();
      for (uint64_t from = 1; from <= log.head();) {
        auto records = log.Read(from, 4096);
        if (!records.ok() || records->empty()) break;
        n += static_cast<int64_t>(records->size());
        from = records->back().sequence() + 1;
      }
    }
    if (n != g_nation->records) state.SkipWithError("scan missed records");
  }
  state.SetItemsProcessed(state.iterations() * g_nation->records);
}

void BM_GetReport(benchmark::State& state) {
  aggregator::v1::GetReportRequest req;
  req.set_province("provinces/25");
  req.set_period("2025-10");
  std::vector<double> samples;
  TimedLoop(state, samples, [&]() -> absl::Status {
    auto report = g_nation->aggregator->core().GetReport(req);
    if (!report.ok()) return report.status();
    if (report->criteria().total().value().ratio().denominator() != 14000) {
      return absl::InternalError(
          absl::StrCat("wrong report: ",
                       report->criteria().total().value().ratio().denominator(),
                       " assigned, not 14000"));
    }
    return absl::OkStatus();
  });
  state.SetItemsProcessed(state.iterations());
  SetPercentiles(state, samples, {50, 99});
}

void BM_PointRead(benchmark::State& state) {
  std::vector<double> samples;
  TimedLoop(state, samples, []() -> absl::Status {
    auto seq = g_nation->aggregator->engine().AppliedSequence("criteria");
    if (!seq.ok() || *seq == 0) {
      return absl::InternalError("no applied sequence");
    }
    return absl::OkStatus();
  });
  state.SetItemsProcessed(state.iterations());
  SetPercentiles(state, samples, {50, 99});
}

}  // namespace
}  // namespace nq57

int main(int argc, char** argv) {
  using nq57::Register;
  Register({"BM_WriteAck", nq57::BM_WriteAck, nq57::StartFreshnessRig,
            nq57::StopFreshnessRig})
      ->Iterations(140);
  Register({"BM_Freshness", nq57::BM_Freshness, nq57::StartFreshnessRig,
            nq57::StopFreshnessRig})
      ->Iterations(140);
  Register({"BM_RawLogScan", nq57::BM_RawLogScan, nq57::BuildNation})
      ->Iterations(2)
      ->Unit(benchmark::kMillisecond);
  Register({"BM_NationalRebuild", nq57::BM_NationalRebuild, nq57::BuildNation})
      ->Iterations(2)
      ->Unit(benchmark::kMillisecond);
  // Two iterations, as the scan it is paired with (the reporter pairs runs
  // of the same arguments).
  Register(
      {"BM_IncrementalCatchUp", nq57::BM_IncrementalCatchUp, nq57::BuildNation})
      ->Iterations(2)
      ->Unit(benchmark::kMillisecond);
  Register({"BM_PointRead", nq57::BM_PointRead, nq57::BuildNation})
      ->Iterations(2000);
  Register({"BM_GetReport", nq57::BM_GetReport, nq57::BuildNation})
      ->Iterations(500);
  const int status = nq57::RunWithBaselines(
      argc, argv,
      {{"BM_Freshness", "BM_WriteAck"},
       // Issue 15's targets.
       {"BM_NationalRebuild", "BM_RawLogScan", 60},
       {"BM_IncrementalCatchUp", "BM_RawLogScan", 20, 150000},
       {"BM_GetReport", "BM_PointRead"}});
  nq57::StopNation();
  return status;
}
