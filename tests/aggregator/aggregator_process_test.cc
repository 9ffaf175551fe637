// The aggregator as real processes beside real data services:
//  - exactly once: the aggregator is killed with SIGKILL at 20 random points
//    while the criteria service is being written to; after the last restart
//    its report equals the criteria service's own summary (a recount) and
//    Rebuild from sequence 0 equals the incremental state;
//  - WatchReports sends a new report after a data-service write;
//  - federation: three provincial stacks and a national aggregator; a tie in
//    a criteria group ranks 1, 2, 2.
// Links no server code: only clients and process control.
#include <atomic>
#include <filesystem>
#include <functional>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/time/proto_time.h"
#include "gtest/gtest.h"
#include "nq57/aggregator/v1/aggregator.grpc.pb.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "tests/support/grpc_probes.h"
#include "tests/support/process_fixture.h"

namespace nq57 {
namespace {

using aggregator::v1::AggregatorService;
using criteria::v1::CriteriaService;

using ::nq57::testing::InsecureChannel;

class AggregatorProcessTest : public nq57::testing::ServerProcessTest {
 protected:
  // `program` with its data in Path(name) and its log in Path(name.log).
  std::unique_ptr<ServerProcess> StartServer(
      const std::string& program, const std::string& name,
      std::vector<std::string> extra = {}) {
    return ServerProcessTest::StartServer(
        program,
        {.data = name, .log = name + ".log", .extra = std::move(extra)});
  }

  std::unique_ptr<ServerProcess> StartAggregator(
      const std::string& name, const std::vector<std::string>& sources,
      std::vector<std::string> extra = {}) {
    std::string list;
    for (const std::string& s : sources) {
      absl::StrAppend(&list, list.empty() ? "" : ",", s);
    }
    extra.push_back(absl::StrCat("--source=", list));
    return StartServer("aggregator-server", name, extra);
  }
};

// Waits until the server's overall health is SERVING (the aggregator turns
// SERVING once every source has caught up).
bool WaitServing(const std::string& address, absl::Duration timeout) {
  auto health = grpc::health::v1::Health::NewStub(InsecureChannel(address));
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (nq57::testing::HealthOf(*health) ==
        grpc::health::v1::HealthCheckResponse::SERVING) {
      return true;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

// Creates `n` commune-level criteria of `block`/`group` and assigns each to
// every commune of `province`. Returns the assignment names.
std::vector<std::string> SeedCriteria(CriteriaService::Stub& stub,
                                      const std::string& province, int n,
                                      criteria::v1::Block block,
                                      criteria::v1::Group group,
                                      nq57::common::v1::UnitLevel level) {
  std::vector<std::string> assignments;
  for (int i = 0; i < n; ++i) {
    const std::string code =
        absl::StrCat(criteria::v1::Block_Name(block), "-",
                     criteria::v1::Group_Name(group), "-", i);
    {
      grpc::ClientContext ctx;
      criteria::v1::CreateCriterionRequest req;
      req.set_request_id(absl::StrCat("create-", code));
      auto* c = req.mutable_criterion();
      c->set_code(code);
      c->set_title(absl::StrCat("Tiêu chí ", code));
      c->set_source(criteria::v1::RESOLUTION_57_NQ_TW);
      c->set_block(block);
      c->set_group(group);
      c->set_level(level);
      criteria::v1::Criterion out;
      grpc::Status s = stub.CreateCriterion(&ctx, req, &out);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    grpc::ClientContext ctx;
    criteria::v1::BatchCreateAssignmentsRequest req;
    req.set_request_id(absl::StrCat("assign-", code));
    req.set_criterion(absl::StrCat("criteria/", code));
    req.set_province(province);
    criteria::v1::BatchCreateAssignmentsResponse out;
    grpc::Status s = stub.BatchCreateAssignments(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const auto& a : out.assignments()) assignments.push_back(a.name());
  }
  return assignments;
}

grpc::Status Report(CriteriaService::Stub& stub, const std::string& assignment,
                    criteria::v1::ProgressState state) {
  grpc::ClientContext ctx;
  criteria::v1::ReportProgressRequest req;
  req.mutable_report()->set_assignment(assignment);
  req.mutable_report()->set_state(state);
  if (state == criteria::v1::COMPLETED) {
    // Now, to the nanosecond: after the assignment, and not in the
    // future of the report that should count it (reports are point in time).
    *req.mutable_report()->mutable_complete_time() = ToProtoTime(absl::Now());
  }
  criteria::v1::Assignment out;
  return stub.ReportProgress(&ctx, req, &out);
}

aggregator::v1::Report GetReport(AggregatorService::Stub& stub,
                                 const std::string& province) {
  grpc::ClientContext ctx;
  aggregator::v1::GetReportRequest req;
  req.set_province(province);
  aggregator::v1::Report out;
  grpc::Status s = stub.GetReport(&ctx, req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

TEST_F(AggregatorProcessTest, ExactlyOnceAcrossTwentyKillNinePoints) {
  auto criteria = StartServer("criteria-server", "criteria");
  ASSERT_NE(criteria, nullptr);
  auto criteria_stub =
      CriteriaService::NewStub(InsecureChannel(criteria->address()));
  std::vector<std::string> assignments =
      SeedCriteria(*criteria_stub, "provinces/25", 3, criteria::v1::PARTY,
                   criteria::v1::DATA, common::v1::COMMUNE);
  auto more =
      SeedCriteria(*criteria_stub, "provinces/25", 2, criteria::v1::GOVERNMENT,
                   criteria::v1::PLATFORMS, common::v1::COMMUNE);
  assignments.insert(assignments.end(), more.begin(), more.end());
  ASSERT_EQ(assignments.size(), 5u * 148);

  const std::string source = absl::StrCat("criteria@", criteria->address());
  auto agg = StartAggregator("aggregator", {source});
  ASSERT_NE(agg, nullptr);

  // Keep writing while the aggregator is killed and restarted.
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::thread writer([&] {
    std::mt19937_64 rng(57);
    auto stub = CriteriaService::NewStub(InsecureChannel(criteria->address()));
    while (!stop.load()) {
      const auto state =
          static_cast<criteria::v1::ProgressState>(1 + rng() % 3);
      if (Report(*stub, assignments[rng() % assignments.size()], state).ok()) {
        ++writes;
      }
    }
  });
  std::mt19937_64 rng(2025);
  for (int kill = 0; kill < 20; ++kill) {
    absl::SleepFor(absl::Milliseconds(30 + rng() % 150));
    ASSERT_TRUE(DiesOnSigkill(*agg));
    agg = StartAggregator("aggregator", {source});
    ASSERT_NE(agg, nullptr);
  }
  stop = true;
  writer.join();
  EXPECT_GT(writes.load(), 100);

  ASSERT_TRUE(WaitServing(agg->address(), absl::Seconds(30)));
  auto agg_stub = AggregatorService::NewStub(InsecureChannel(agg->address()));
  // Caught up with the last write: the report reflects the criteria head.
  aggregator::v1::Report report;
  for (int i = 0; i < 200; ++i) {
    report = GetReport(*agg_stub, "provinces/25");
    const auto& f = report.freshness(0);
    if (f.serving() && f.applied_sequence() == f.head_sequence()) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  // The criteria service's own counters are the recount.
  grpc::ClientContext ctx;
  criteria::v1::GetSummaryRequest sreq;
  sreq.set_unit("provinces/25");
  sreq.set_include_subunits(true);
  criteria::v1::Summary summary;
  ASSERT_TRUE(criteria_stub->GetSummary(&ctx, sreq, &summary).ok());
  for (const auto& block : summary.blocks()) {
    const std::string id = absl::StrCat(
        "criteria.block.", criteria::v1::Block_Name(block.block()));
    bool found = false;
    for (const auto& f : report.criteria().blocks()) {
      if (f.id() != id) continue;
      found = true;
      EXPECT_EQ(f.value().ratio().numerator(),
                block.completed().ratio().numerator())
          << id;
      EXPECT_EQ(f.value().ratio().denominator(),
                block.completed().ratio().denominator())
          << id;
    }
    EXPECT_TRUE(found) << id;
  }
  EXPECT_EQ(report.criteria().total().value().ratio().numerator(),
            summary.total().ratio().numerator());
  EXPECT_EQ(report.criteria().total().value().ratio().denominator(), 740);

  grpc::ClientContext rctx;
  aggregator::v1::RebuildRequest rreq;
  aggregator::v1::RebuildResponse rebuilt;
  grpc::Status rs = agg_stub->Rebuild(&rctx, rreq, &rebuilt);
  ASSERT_TRUE(rs.ok()) << rs.error_message();
  EXPECT_TRUE(rebuilt.equal())
      << (rebuilt.differences_size() ? rebuilt.differences(0) : "");
  EXPECT_GT(rebuilt.measures_compared(), 10);

  EXPECT_TRUE(TerminatesCleanly(*agg));
  EXPECT_TRUE(TerminatesCleanly(*criteria));
}

TEST_F(AggregatorProcessTest, WatchReportsSeesADataServiceWrite) {
  auto criteria = StartServer("criteria-server", "criteria");
  ASSERT_NE(criteria, nullptr);
  auto criteria_stub =
      CriteriaService::NewStub(InsecureChannel(criteria->address()));
  auto assignments =
      SeedCriteria(*criteria_stub, "provinces/25", 1, criteria::v1::FRONT,
                   criteria::v1::TRAINING, common::v1::COMMUNE);
  auto agg = StartAggregator("aggregator",
                             {absl::StrCat("criteria@", criteria->address())});
  ASSERT_NE(agg, nullptr);
  ASSERT_TRUE(WaitServing(agg->address(), absl::Seconds(30)));
  auto agg_stub = AggregatorService::NewStub(InsecureChannel(agg->address()));

  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  aggregator::v1::WatchReportsRequest req;
  req.set_province("provinces/25");
  auto watch = agg_stub->WatchReports(&ctx, req);
  aggregator::v1::Report first;
  ASSERT_TRUE(watch->Read(&first));
  EXPECT_EQ(first.criteria().total().value().ratio().numerator(), 0);
  EXPECT_EQ(first.criteria().total().value().ratio().denominator(), 148);

  const absl::Time written = absl::Now();
  ASSERT_TRUE(
      Report(*criteria_stub, assignments[0], criteria::v1::COMPLETED).ok());
  aggregator::v1::Report next;
  ASSERT_TRUE(watch->Read(&next));
  EXPECT_LT(absl::Now() - written, absl::Seconds(5));
  EXPECT_EQ(next.criteria().total().value().ratio().numerator(), 1);
  EXPECT_GT(next.input_sequences().at("criteria"),
            first.input_sequences().at("criteria"));
  ctx.TryCancel();
  watch->Finish();
}

TEST_F(AggregatorProcessTest, FederationRanksProvincesWithTies) {
  // Three provincial stacks: Phú Thọ completes 2 of 2 Platforms criteria,
  // Hà Nội and Cao Bằng 1 of 2 each.
  struct Stack {
    std::string province;
    int completed;
    std::unique_ptr<ServerProcess> criteria, aggregator;
  };
  std::vector<Stack> stacks;
  stacks.push_back({"provinces/25", 2, nullptr, nullptr});
  stacks.push_back({"provinces/01", 1, nullptr, nullptr});
  stacks.push_back({"provinces/04", 1, nullptr, nullptr});
  std::vector<std::string> national_sources;
  for (Stack& s : stacks) {
    const std::string tag = s.province.substr(s.province.size() - 2);
    // Each provincial stack is bound to its province: a national
    // aggregator refuses sources whose scopes overlap.
    const std::string bound = absl::StrCat("--province=", s.province);
    s.criteria = StartServer("criteria-server", "criteria-" + tag, {bound});
    ASSERT_NE(s.criteria, nullptr);
    auto stub =
        CriteriaService::NewStub(InsecureChannel(s.criteria->address()));
    auto assignments =
        SeedCriteria(*stub, s.province, 2, criteria::v1::GOVERNMENT,
                     criteria::v1::PLATFORMS, common::v1::PROVINCE);
    ASSERT_EQ(assignments.size(), 2u);
    for (int i = 0; i < s.completed; ++i) {
      ASSERT_TRUE(Report(*stub, assignments[i], criteria::v1::COMPLETED).ok());
    }
    s.aggregator = StartAggregator(
        "aggregator-" + tag, {absl::StrCat("criteria@", s.criteria->address())},
        {bound});
    ASSERT_NE(s.aggregator, nullptr);
    national_sources.push_back(
        absl::StrCat("p", tag, "=aggregator@", s.aggregator->address()));
  }
  auto national = StartAggregator("national", national_sources);
  ASSERT_NE(national, nullptr);
  ASSERT_TRUE(WaitServing(national->address(), absl::Seconds(30)));
  auto stub = AggregatorService::NewStub(InsecureChannel(national->address()));
  aggregator::v1::Rankings rankings;
  for (int attempt = 0; attempt < 100; ++attempt) {
    grpc::ClientContext ctx;
    aggregator::v1::GetRankingsRequest req;
    req.set_group("PLATFORMS");
    rankings.Clear();
    ASSERT_TRUE(stub->GetRankings(&ctx, req, &rankings).ok());
    if (rankings.entries_size() == 3) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(rankings.entries_size(), 3);
  EXPECT_EQ(rankings.entries(0).province(), "provinces/25");
  EXPECT_EQ(rankings.entries(0).rank(), 1);
  EXPECT_EQ(rankings.entries(1).province(), "provinces/01");
  EXPECT_EQ(rankings.entries(1).rank(), 2);
  EXPECT_EQ(rankings.entries(2).province(), "provinces/04");
  EXPECT_EQ(rankings.entries(2).rank(), 2);
  EXPECT_NE(rankings.tie_rule().find("1, 2, 2, 4"), std::string::npos);

  // A provincial report reads the same through the national aggregator.
  auto report = GetReport(*stub, "provinces/01");
  EXPECT_EQ(report.criteria().total().value().ratio().numerator(), 1);
  EXPECT_EQ(report.criteria().total().value().ratio().denominator(), 2);
}

// The source's freshness entry in a report, by name.
const aggregator::v1::SourceFreshness* FreshnessOf(
    const aggregator::v1::Report& report, const std::string& source) {
  for (const auto& f : report.freshness()) {
    if (f.source() == source) return &f;
  }
  return nullptr;
}

// Polls the aggregator's report of `province` until `done` holds or
// `timeout` passes; returns the last report.
aggregator::v1::Report WaitForReport(
    AggregatorService::Stub& stub, const std::string& province,
    absl::Duration timeout,
    const std::function<bool(const aggregator::v1::Report&)>& done) {
  aggregator::v1::Report report;
  const absl::Time deadline = absl::Now() + timeout;
  do {
    report = GetReport(stub, province);
    if (done(report)) return report;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < deadline);
  return report;
}

std::pair<int64_t, int64_t> Pair(int64_t a, int64_t b) { return {a, b}; }

std::pair<int64_t, int64_t> TotalOf(const aggregator::v1::Report& report) {
  const auto& r = report.criteria().total().value().ratio();
  return {r.numerator(), r.denominator()};
}

// Seeds `n` province-level Platforms criteria for Phú Thọ and completes
// `completed` of them; returns the assignments.
std::vector<std::string> SeedPhuTho(CriteriaService::Stub& stub, int n,
                                    int completed) {
  std::vector<std::string> assignments;
  for (const std::string& a :
       SeedCriteria(stub, "provinces/25", n, criteria::v1::GOVERNMENT,
                    criteria::v1::PLATFORMS, common::v1::PROVINCE)) {
    assignments.push_back(a);
  }
  for (int i = 0; i < completed; ++i) {
    EXPECT_TRUE(Report(stub, assignments[i], criteria::v1::COMPLETED).ok());
  }
  return assignments;
}

// A wiped volume (a pod rescheduled without its PVC, a restore into a new
// volume): criteria-server comes back on the same address with an empty
// store and different data. The aggregator must not keep the old figures
// nor apply the new log's records as deltas on them: within 10 s it reports
// exactly the new store's figures, with the new log identity.
TEST_F(AggregatorProcessTest, AReplacedSourceStoreIsRecountedFromItsNewLog) {
  auto criteria = StartServer("criteria-server", "criteria-a");
  ASSERT_NE(criteria, nullptr);
  const std::string address = criteria->address();
  {
    auto stub = CriteriaService::NewStub(InsecureChannel(address));
    SeedPhuTho(*stub, 3, 2);
  }
  auto agg =
      StartAggregator("aggregator", {absl::StrCat("criteria@", address)});
  ASSERT_NE(agg, nullptr);
  ASSERT_TRUE(WaitServing(agg->address(), absl::Seconds(30)));
  auto agg_stub = AggregatorService::NewStub(InsecureChannel(agg->address()));
  aggregator::v1::Report before =
      WaitForReport(*agg_stub, "provinces/25", absl::Seconds(10),
                    [](const auto& r) { return TotalOf(r) == Pair(2, 3); });
  ASSERT_EQ(TotalOf(before), Pair(2, 3));
  const std::string old_log = FreshnessOf(before, "criteria")->log_id();
  ASSERT_EQ(old_log.size(), 32u);

  criteria->Signal(SIGTERM);
  ASSERT_EQ(*criteria->Wait(), 0);
  // The same address, an empty data directory, more writes than before (so
  // the new log passes the old sequence numbers).
  criteria = StartServer("criteria-server", "criteria-b",
                         {absl::StrCat("--listen=", address)});
  ASSERT_NE(criteria, nullptr);
  {
    auto stub = CriteriaService::NewStub(InsecureChannel(address));
    SeedPhuTho(*stub, 5, 1);
  }
  aggregator::v1::Report after = WaitForReport(
      *agg_stub, "provinces/25", absl::Seconds(10), [&](const auto& r) {
        const auto* f = FreshnessOf(r, "criteria");
        // Every write of the new store is acknowledged before the wait, but
        // may reach the aggregator in more than one batch: wait for the
        // whole of it (a wrong recount never gets there and fails below).
        return f != nullptr && f->log_id() != old_log &&
               f->state() == aggregator::v1::CAUGHT_UP &&
               TotalOf(r) == Pair(1, 5);
      });
  EXPECT_EQ(TotalOf(after), Pair(1, 5));
  const auto* f = FreshnessOf(after, "criteria");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->log_id(), old_log);
  EXPECT_EQ(f->state(), aggregator::v1::CAUGHT_UP);
  EXPECT_TRUE(f->has_last_reachable_time());
  EXPECT_TRUE(WaitServing(agg->address(), absl::Seconds(5)));
  // The incremental state equals a replay of the new log.
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  aggregator::v1::RebuildResponse rebuilt;
  ASSERT_TRUE(
      agg_stub->Rebuild(&ctx, aggregator::v1::RebuildRequest(), &rebuilt).ok());
  EXPECT_TRUE(rebuilt.equal()) << rebuilt.DebugString();
}

// A restored older backup (or a recovery that dropped a WAL tail) moves the
// log backwards under the same identity: the head is below what was
// applied. The aggregator recounts from what the source now holds.
TEST_F(AggregatorProcessTest, ALogThatWentBackwardsIsRecounted) {
  auto criteria = StartServer("criteria-server", "criteria");
  ASSERT_NE(criteria, nullptr);
  const std::string address = criteria->address();
  std::vector<std::string> assignments;
  {
    auto stub = CriteriaService::NewStub(InsecureChannel(address));
    assignments = SeedPhuTho(*stub, 3, 1);
  }
  criteria->Signal(SIGTERM);
  ASSERT_EQ(*criteria->Wait(), 0);
  std::filesystem::copy(Path("criteria"), Path("backup"),
                        std::filesystem::copy_options::recursive);
  criteria = StartServer("criteria-server", "criteria",
                         {absl::StrCat("--listen=", address)});
  ASSERT_NE(criteria, nullptr);
  {
    auto stub = CriteriaService::NewStub(InsecureChannel(address));
    for (int i = 1; i < 3; ++i) {
      ASSERT_TRUE(Report(*stub, assignments[i], criteria::v1::COMPLETED).ok());
    }
  }
  auto agg =
      StartAggregator("aggregator", {absl::StrCat("criteria@", address)});
  ASSERT_NE(agg, nullptr);
  ASSERT_TRUE(WaitServing(agg->address(), absl::Seconds(30)));
  auto agg_stub = AggregatorService::NewStub(InsecureChannel(agg->address()));
  ASSERT_EQ(TotalOf(WaitForReport(
                *agg_stub, "provinces/25", absl::Seconds(10),
                [](const auto& r) { return TotalOf(r).first == 3; })),
            Pair(3, 3));

  // Restore the older copy in place: same log identity, lower head.
  criteria->Signal(SIGTERM);
  ASSERT_EQ(*criteria->Wait(), 0);
  std::filesystem::remove_all(Path("criteria"));
  std::filesystem::rename(Path("backup"), Path("criteria"));
  criteria = StartServer("criteria-server", "criteria",
                         {absl::StrCat("--listen=", address)});
  ASSERT_NE(criteria, nullptr);
  aggregator::v1::Report after = WaitForReport(
      *agg_stub, "provinces/25", absl::Seconds(10), [](const auto& r) {
        const auto* f = FreshnessOf(r, "criteria");
        return f != nullptr && f->state() == aggregator::v1::CAUGHT_UP &&
               TotalOf(r).first == 1;
      });
  EXPECT_EQ(TotalOf(after), Pair(1, 3));
  // New writes continue the restored history, counted once.
  {
    auto stub = CriteriaService::NewStub(InsecureChannel(address));
    ASSERT_TRUE(Report(*stub, assignments[2], criteria::v1::COMPLETED).ok());
  }
  after = WaitForReport(*agg_stub, "provinces/25", absl::Seconds(10),
                        [](const auto& r) { return TotalOf(r).first == 2; });
  EXPECT_EQ(TotalOf(after), Pair(2, 3));
}

// Two provincial aggregators that both carry Phú Thọ: the national
// aggregator counts one and refuses the other, which is NOT_SERVING with the
// reason; nothing is counted twice.
TEST_F(AggregatorProcessTest, OverlappingFederatedScopesAreNotCountedTwice) {
  std::vector<std::unique_ptr<ServerProcess>> keep;
  std::vector<std::string> national_sources;
  for (const std::string tag : {"x", "y"}) {
    const std::string bound = "--province=provinces/25";
    auto criteria = StartServer("criteria-server", "criteria-" + tag, {bound});
    ASSERT_NE(criteria, nullptr);
    auto stub = CriteriaService::NewStub(InsecureChannel(criteria->address()));
    SeedPhuTho(*stub, 2, tag == "x" ? 2 : 1);
    auto agg = StartAggregator("aggregator-" + tag,
                               {absl::StrCat("criteria@", criteria->address())},
                               {bound});
    ASSERT_NE(agg, nullptr);
    ASSERT_TRUE(WaitServing(agg->address(), absl::Seconds(30)));
    national_sources.push_back(
        absl::StrCat("p", tag, "=aggregator@", agg->address()));
    keep.push_back(std::move(criteria));
    keep.push_back(std::move(agg));
  }
  auto national = StartAggregator("national", national_sources);
  ASSERT_NE(national, nullptr);
  auto stub = AggregatorService::NewStub(InsecureChannel(national->address()));
  aggregator::v1::Report report = WaitForReport(
      *stub, "provinces/25", absl::Seconds(20), [](const auto& r) {
        int caught_up = 0, refused = 0;
        for (const auto& f : r.freshness()) {
          caught_up += f.state() == aggregator::v1::CAUGHT_UP;
          refused += f.state() == aggregator::v1::OVERLAPPING_SCOPE;
        }
        return caught_up == 1 && refused == 1 && TotalOf(r).second > 0;
      });
  std::string refused;
  for (const auto& f : report.freshness()) {
    if (f.state() == aggregator::v1::OVERLAPPING_SCOPE) {
      refused = f.source();
      EXPECT_NE(f.last_error().find("overlaps"), std::string::npos)
          << f.last_error();
      EXPECT_FALSE(f.serving());
    }
  }
  ASSERT_FALSE(refused.empty()) << report.DebugString();
  // One stack's figures, not the sum of both (2/2 or 1/2, never 3/4).
  EXPECT_EQ(TotalOf(report).second, 2);
  EXPECT_EQ(TotalOf(report).first, refused == "px" ? 1 : 2);
  auto health =
      grpc::health::v1::Health::NewStub(InsecureChannel(national->address()));
  // The monitor publishes per-source health every 100 ms.
  grpc::health::v1::HealthCheckResponse::ServingStatus status =
      grpc::health::v1::HealthCheckResponse::UNKNOWN;
  for (int i = 0; i < 50; ++i) {
    status = nq57::testing::HealthOf(*health, "source:" + refused);
    if (status == grpc::health::v1::HealthCheckResponse::NOT_SERVING) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(status, grpc::health::v1::HealthCheckResponse::NOT_SERVING);
}

}  // namespace
}  // namespace nq57
