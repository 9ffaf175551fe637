// Issue 3: criteria-server's write path.
//
// (a) BM_ReportProgress: one ReportProgress per call (durable: group commit
//     with fsync, change record, idempotency record, summary counters) over
//     loopback with the callback API, at 1, 16 and 64 concurrent clients,
//     against BM_Echo: the probe service's Echo registered on the SAME
//     ServerHost (one grpc::Server, same stack, same per-RPC log line), with
//     a payload as large as a ReportProgressRequest. QPS and p99 of each.
//     Targets: >= 60% of echo QPS at 64 clients; p99 <= 1.5x echo's p99.
// (b) BM_BatchReportProgress: BatchReportProgress of 500 items over the same
//     server, one client, 28 batches = 14,000 progress reports = a whole
//     province (95 criteria x Phú Thọ's 148 communes seeded in Setup, 14,060
//     assignments); items/s and `province_s`, the time to load all 14,000
//     (target < 1 s). Baseline BM_RawRocksDBBatch: raw RocksDB WriteBatch
//     commits with sync=true of 500 puts each carrying the same bytes as the
//     batch's items (key = assignment name, value = serialized report),
//     28 commits, same run.
//
// Checks (SkipWithError on mismatch): every call succeeds; the change log
// grew by exactly the number of reports acknowledged; the province summary's
// completed count equals the number of distinct assignments reported.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/baseline_reporter.h"
#include "bench/bench_support.h"
#include "bench/raw_rocksdb.h"
#include "benchmark/benchmark.h"
#include "common/base/status_macros.h"
#include "common/security/tls_credentials.h"
#include "common/server/access_gate.h"
#include "common/server/change_feed_service.h"
#include "common/server/server_host.h"
#include "common/store/store.h"
#include "common/units/unit_registry.h"
#include "google/protobuf/util/time_util.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "services/criteria/criteria_core.h"
#include "services/criteria/criteria_service.h"
#include "tests/probe/probe_service.h"

namespace nq57::criteria {
namespace {

using ::google::protobuf::Timestamp;
using ::google::protobuf::util::TimeUtil;
using Stub = v1::CriteriaService::Stub;

constexpr char kPhuTho[] = "provinces/25";
constexpr int kCommunes = 148;
// (a): reports cycle over 4 criteria x 148 communes.
constexpr int kSingleCriteria = 4;
// (b): 95 criteria x 148 communes = 14,060 assignments; 28 x 500 reported.
constexpr int kProvinceCriteria = 95;
constexpr int kBatchItems = 500;
constexpr int kProvinceBatches = 28;
constexpr int kProvinceItems = kBatchItems * kProvinceBatches;  // 14,000

Timestamp Ts(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

// One server for both arms: criteria-server's services (assembled as
// CriteriaServer does) and the probe's Echo on the same ServerHost.
struct Server {
  std::string dir;
  std::unique_ptr<AccessGate> gate;  // mTLS arm: the policy in force
  std::unique_ptr<UnitRegistry> units;
  std::unique_ptr<Store> db;
  std::unique_ptr<CriteriaCore> core;
  std::unique_ptr<CriteriaService> criteria;
  std::unique_ptr<ChangeFeedService> feed;
  std::unique_ptr<ProbeService> probe;
  std::unique_ptr<ServerHost> host;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  // The assignments seeded for this run, in order.
  std::vector<std::string> assignments;
  uint64_t head_at_start = 0;

  Store& store() { return *db; }
};

std::unique_ptr<Server> g_server;
std::string g_setup_error;
std::atomic<uint64_t> g_counter{0};
std::atomic<uint64_t> g_acknowledged{0};
SharedLatencies g_latencies;
std::string g_echo_payload;

grpc::Status Call(Stub& stub, const v1::CreateCriterionRequest& req) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-nq57-actor", "bench");
  v1::Criterion resp;
  return stub.CreateCriterion(&ctx, req, &resp);
}

// Creates `count` COMMUNE criteria named <prefix>-NN and assigns each to all
// of Phú Thọ's communes a day ago; returns the assignment names.
absl::StatusOr<std::vector<std::string>> Seed(Stub& stub,
                                              const std::string& prefix,
                                              int count) {
  const absl::Time assigned = absl::Now() - absl::Hours(24);
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) {
    const std::string code = absl::StrCat(prefix, "-", i);
    v1::CreateCriterionRequest create;
    create.set_request_id(absl::StrCat("create-", code));
    v1::Criterion* c = create.mutable_criterion();
    c->set_code(code);
    c->set_title(absl::StrCat("Tiêu chí ", code));
    c->set_source(v1::PLAN_02_KH_BCDTW);
    c->set_block(static_cast<v1::Block>(1 + i % 4));
    c->set_group(static_cast<v1::Group>(1 + i % 6));
    c->set_level(common::v1::COMMUNE);
    grpc::Status s = Call(stub, create);
    if (!s.ok()) return absl::InternalError(s.error_message());

    v1::BatchCreateAssignmentsRequest assign;
    assign.set_request_id(absl::StrCat("assign-", code));
    assign.set_criterion(absl::StrCat("criteria/", code));
    assign.set_province(kPhuTho);
    *assign.mutable_assign_time() = Ts(assigned);
    v1::BatchCreateAssignmentsResponse resp;
    grpc::ClientContext ctx;
    s = stub.BatchCreateAssignments(&ctx, assign, &resp);
    if (!s.ok()) return absl::InternalError(s.error_message());
    if (resp.assignments_size() != kCommunes) {
      return absl::InternalError(absl::StrCat(
          code, ": ", resp.assignments_size(), " assignments, not 148"));
    }
    for (const auto& a : resp.assignments()) names.push_back(a.name());
  }
  return names;
}

// The mTLS arm's material under `dir`: a CA, the server's and the bench
// client's certificates (tools/dev-certs.sh), and a policy granting the
// client the roles the bench uses for Phú Thọ.
struct MutualTls {
  ServerTls server;
  ClientTls client;
  std::string policy;
};
absl::StatusOr<MutualTls> MakeMutualTls(const std::string& dir) {
  const std::string script = NQ57_SOURCE_DIR "/tools/dev-certs.sh";
  for (const std::string& args :
       {absl::StrCat("ca ", dir),
        absl::StrCat("issue ", dir, " server spiffe://nq57.local/criteria"),
        absl::StrCat("issue ", dir, " client spiffe://nq57.local/bench")}) {
    const std::string command =
        absl::StrCat("NQ57_CERT_DAYS=2 ", script, " ", args);
    if (std::system(command.c_str()) != 0) {
      return absl::InternalError(absl::StrCat(command, " failed"));
    }
  }
  MutualTls tls{.server = {.cert = dir + "/server.pem",
                           .key = dir + "/server.key",
                           .client_ca = dir + "/ca.pem"},
                .client = {.ca = dir + "/ca.pem",
                           .cert = dir + "/client.pem",
                           .key = dir + "/client.key"},
                .policy = dir + "/access.textproto"};
  std::ofstream(tls.policy)
      << "version: \"bench-1\"\ntrust_domain: \"nq57.local\"\n"
         "grants { identity: \"spiffe://nq57.local/bench\" "
         "roles: [REPORTER, CATALOGUE_EDITOR, READER] "
         "units: \"provinces/25\" }\n";
  return tls;
}

absl::Status StartServer(const std::string& prefix, int criteria,
                         bool mutual_tls = false) {
  auto server = std::make_unique<Server>();
  server->dir = BenchDir("criteria");
  ServerHostOptions host_options{.listen = "127.0.0.1:0"};
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (mutual_tls) {
    // The whole production path: TLS handshakes and records, the verified
    // identity, and the access policy checked for every call.
    ASSIGN_OR_RETURN(MutualTls tls, MakeMutualTls(server->dir + "-pki"));
    host_options.tls = tls.server;
    ASSIGN_OR_RETURN(credentials, ChannelCredentialsFor(tls.client));
    ASSIGN_OR_RETURN(
        server->gate,
        AccessGate::Create(
            {.policy_path = tls.policy,
             .services = {v1::CriteriaService::service_full_name()}}));
  }
  auto units = UnitRegistry::Load(NQ57_SOURCE_DIR "/deploy/config");
  if (!units.ok()) return units.status();
  server->units = std::move(*units);
  auto store = Store::Open(server->dir,
                           {.column_families = CriteriaCore::ColumnFamilies()});
  if (!store.ok()) return store.status();
  server->db = std::move(*store);
  server->core = std::make_unique<CriteriaCore>(
      server->db.get(), server->units.get(), RealClock());
  server->criteria = std::make_unique<CriteriaService>(
      server->core.get(), server->db.get(),
      server->gate != nullptr ? server->gate.get()
                              : &AccessGate::Unrestricted());
  server->feed = std::make_unique<ChangeFeedService>(&server->db->change_log());
  // Echo touches no store.
  server->probe = std::make_unique<ProbeService>(nullptr);
  auto host = ServerHost::Start(
      host_options,
      {server->criteria.get(), server->feed.get(), server->probe.get()},
      {v1::CriteriaService::service_full_name(),
       changes::v1::ChangeFeed::service_full_name(), "nq57.testing.v1.Probe"});
  if (!host.ok()) return host.status();
  server->host = std::move(*host);
  server->host->SetServing(true);
  server->channels =
      LoopbackChannels(server->host->address(), 4, std::move(credentials));
  auto stub = v1::CriteriaService::NewStub(server->channels[0]);
  auto seeded = Seed(*stub, prefix, criteria);
  if (!seeded.ok()) return seeded.status();
  server->assignments = std::move(*seeded);
  server->head_at_start = server->store().change_log().head();
  g_server = std::move(server);
  return absl::OkStatus();
}

void StopServer(const benchmark::State&) {
  if (g_server == nullptr) return;
  g_server->channels.clear();
  g_server->db->change_log().Close();
  g_server->host->Shutdown(absl::Seconds(5));
  g_server->host.reset();
  g_server->feed.reset();
  g_server->criteria.reset();
  g_server->core.reset();
  g_server->db.reset();
  g_server->units.reset();
  std::filesystem::remove_all(g_server->dir);
  std::filesystem::remove_all(g_server->dir + "-pki");
  g_server.reset();
}

void Reset() {
  g_setup_error.clear();
  g_counter = 0;
  g_acknowledged = 0;
  g_latencies.Clear();
}

void StartForSingle(const benchmark::State&) {
  Reset();
  absl::Status s = StartServer("SINGLE", kSingleCriteria);
  if (!s.ok()) g_setup_error = s.ToString();
}

void StartForSingleMutualTls(const benchmark::State&) {
  Reset();
  absl::Status s = StartServer("SINGLE", kSingleCriteria, /*mutual_tls=*/true);
  if (!s.ok()) g_setup_error = s.ToString();
}

void StartForBatch(const benchmark::State&) {
  Reset();
  absl::Status s = StartServer("PROVINCE", kProvinceCriteria);
  if (!s.ok()) g_setup_error = s.ToString();
}

// The province summary's completed count.
absl::StatusOr<int64_t> ProvinceCompleted() {
  auto stub = v1::CriteriaService::NewStub(g_server->channels[0]);
  v1::GetSummaryRequest req;
  req.set_unit(kPhuTho);
  req.set_include_subunits(true);
  v1::Summary summary;
  grpc::ClientContext ctx;
  grpc::Status s = stub->GetSummary(&ctx, req, &summary);
  if (!s.ok()) return absl::InternalError(s.error_message());
  return summary.total().ratio().numerator();
}

// After every thread's loop (Google Benchmark holds them at a barrier when
// the loop ends): the change log and the summary agree with what was sent.
void Verify(benchmark::State& state, uint64_t expected_completed) {
  const uint64_t acknowledged = g_acknowledged.load();
  const uint64_t grown =
      g_server->store().change_log().head() - g_server->head_at_start;
  if (grown != acknowledged) {
    state.SkipWithError(absl::StrCat("change log grew by ", grown, " but ",
                                     acknowledged, " reports were acknowledged")
                            .c_str());
    return;
  }
  auto completed = ProvinceCompleted();
  if (!completed.ok()) {
    state.SkipWithError(completed.status().ToString().c_str());
  } else if (static_cast<uint64_t>(*completed) != expected_completed) {
    state.SkipWithError(absl::StrCat("province summary says ", *completed,
                                     " completed, expected ",
                                     expected_completed)
                            .c_str());
  }
}

v1::ReportProgressRequest SingleReport(uint64_t n,
                                       const std::string& assignment) {
  v1::ReportProgressRequest req;
  req.set_request_id(absl::StrCat("rp-", n));
  v1::ProgressReport* r = req.mutable_report();
  r->set_assignment(assignment);
  r->set_state(v1::COMPLETED);
  *r->mutable_complete_time() = Ts(absl::Now() - absl::Minutes(1));
  r->mutable_evidence()->set_document_number(absl::StrCat("BC-", n, "/2026"));
  return req;
}

// One client: its stubs on one of the server's channels.
struct Client {
  std::unique_ptr<testing::v1::Probe::Stub> probe;
  std::unique_ptr<Stub> criteria;
};

template <typename Call>
void RunCriteriaClient(benchmark::State& state, Call call) {
  if (!g_setup_error.empty()) {
    state.SkipWithError(g_setup_error.c_str());
    return;
  }
  const auto& channel =
      g_server->channels[state.thread_index() % g_server->channels.size()];
  Client client{testing::v1::Probe::NewStub(channel),
                v1::CriteriaService::NewStub(channel)};
  RunClient(state, g_latencies, [&] { return call(client); });
}

void BM_Echo(benchmark::State& state) {
  RunCriteriaClient(state, [](Client& client) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-nq57-actor", "bench");
    testing::v1::EchoRequest req;
    req.set_payload(g_echo_payload);
    testing::v1::EchoResponse resp;
    return client.probe->Echo(&ctx, req, &resp);
  });
}

void BM_ReportProgress(benchmark::State& state) {
  RunCriteriaClient(state, [](Client& client) {
    const uint64_t n = g_counter.fetch_add(1);
    const auto& names = g_server->assignments;
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-nq57-actor", "bench");
    v1::Assignment resp;
    grpc::Status s = client.criteria->ReportProgress(
        &ctx, SingleReport(n, names[n % names.size()]), &resp);
    if (s.ok()) {
      if (resp.state() != v1::COMPLETED) {
        return grpc::Status(grpc::StatusCode::INTERNAL, "not COMPLETED");
      }
      g_acknowledged.fetch_add(1);
    }
    return s;
  });
  if (state.thread_index() == 0 && !state.error_occurred()) {
    // Every report completes assignment n % size for n = 0, 1, 2, ...
    Verify(state, std::min<uint64_t>(g_acknowledged.load(),
                                     g_server->assignments.size()));
  }
}

v1::BatchReportProgressRequest ProvinceBatch(int batch) {
  const absl::Time done = absl::Now() - absl::Minutes(1);
  v1::BatchReportProgressRequest req;
  req.set_request_id(absl::StrCat("province-", batch));
  for (int i = batch * kBatchItems; i < (batch + 1) * kBatchItems; ++i) {
    v1::ProgressReport* item = req.add_items();
    item->set_assignment(g_server->assignments[i]);
    item->set_state(v1::COMPLETED);
    *item->mutable_complete_time() = Ts(done);
    item->mutable_evidence()->set_document_number(
        absl::StrCat("BC-", i, "/2026"));
  }
  return req;
}

void BM_BatchReportProgress(benchmark::State& state) {
  if (!g_setup_error.empty()) {
    state.SkipWithError(g_setup_error.c_str());
    return;
  }
  auto stub = v1::CriteriaService::NewStub(g_server->channels[0]);
  int batch = 0;
  const absl::Time start = absl::Now();
  for (auto _ : state) {
    if (batch >= kProvinceBatches) {
      state.SkipWithError("more batches than the province has");
      break;
    }
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-nq57-actor", "bench");
    v1::BatchReportProgressResponse resp;
    grpc::Status s =
        stub->BatchReportProgress(&ctx, ProvinceBatch(batch), &resp);
    if (!s.ok()) {
      state.SkipWithError(s.error_message().c_str());
      break;
    }
    if (resp.assignments_size() != kBatchItems) {
      state.SkipWithError("response does not carry 500 assignments");
      break;
    }
    g_acknowledged.fetch_add(kBatchItems);
    ++batch;
  }
  const double elapsed_s = absl::ToDoubleSeconds(absl::Now() - start);
  state.SetItemsProcessed(state.iterations() * kBatchItems);
  if (state.error_occurred()) return;
  if (g_acknowledged.load() != static_cast<uint64_t>(kProvinceItems)) {
    state.SkipWithError("not a whole province's 14,000 reports");
    return;
  }
  state.counters["province_s"] = elapsed_s;
  Verify(state, kProvinceItems);
}

// The raw baseline of (b): the same items' bytes, 500 puts per fsynced
// WriteBatch.
std::unique_ptr<RawRocksDb> g_raw;
std::vector<std::vector<std::pair<std::string, std::string>>> g_raw_batches;

void OpenRaw(const benchmark::State&) {
  Reset();
  g_raw = std::move(*RawRocksDb::Open("criteria_raw"));
  // The same shapes as ProvinceBatch, over the same kind of names.
  g_raw_batches.clear();
  const absl::Time done = absl::Now() - absl::Minutes(1);
  for (int b = 0; b < kProvinceBatches; ++b) {
    auto& batch = g_raw_batches.emplace_back();
    for (int i = b * kBatchItems; i < (b + 1) * kBatchItems; ++i) {
      v1::ProgressReport item;
      item.set_assignment(absl::StrCat(kPhuTho, "/communes/", 7900 + i % 148,
                                       "/assignments/PROVINCE-", i / 148));
      item.set_state(v1::COMPLETED);
      *item.mutable_complete_time() = Ts(done);
      item.mutable_evidence()->set_document_number(
          absl::StrCat("BC-", i, "/2026"));
      batch.emplace_back(item.assignment(), item.SerializeAsString());
    }
  }
}

void CloseRaw(const benchmark::State&) { g_raw.reset(); }

void BM_RawRocksDBBatch(benchmark::State& state) {
  size_t b = 0;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (const auto& [key, value] : g_raw_batches[b++ % g_raw_batches.size()]) {
      batch.Put(key, value);
    }
    absl::Status s = g_raw->WriteSync(batch);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatchItems);
  int64_t bytes = 0;
  auto entries = g_raw->ScanPrefix("", &bytes);
  if (!entries.ok() ||
      *entries != std::min<int64_t>(state.iterations(), kProvinceBatches) *
                      kBatchItems) {
    state.SkipWithError("raw database does not hold what was written");
  }
}

}  // namespace
}  // namespace nq57::criteria

int main(int argc, char** argv) {
  namespace c = nq57::criteria;
  // Echo carries as many bytes as a ReportProgressRequest.
  c::g_echo_payload = std::string(
      c::SingleReport(123456,
                      "provinces/25/communes/07900/assignments/SINGLE-0")
          .ByteSizeLong(),
      'v');
  nq57::RegisterAtThreadCounts(
      {{"BM_Echo", c::BM_Echo, c::StartForSingle, c::StopServer},
       {"BM_ReportProgress", c::BM_ReportProgress, c::StartForSingle,
        c::StopServer},
       // The same durable write over mTLS with the access policy checked.
       {"BM_ReportProgressMutualTls", c::BM_ReportProgress,
        c::StartForSingleMutualTls, c::StopServer}});
  nq57::Register(
      {"BM_RawRocksDBBatch", c::BM_RawRocksDBBatch, c::OpenRaw, c::CloseRaw})
      ->Iterations(c::kProvinceBatches);
  nq57::Register({"BM_BatchReportProgress", c::BM_BatchReportProgress,
                  c::StartForBatch, c::StopServer})
      ->Iterations(c::kProvinceBatches);
  return nq57::RunWithBaselines(
      argc, argv,
      {{"BM_ReportProgress", "BM_Echo"},
       {"BM_ReportProgressMutualTls", "BM_ReportProgress"},
       {"BM_BatchReportProgress", "BM_RawRocksDBBatch"}});
}
