// The aggregator's feed API over real gRPC on loopback, with a real
// criteria service in the same process as its source: reports and their
// errors, publishing (idempotent, numbered, hashed, immutable), listing and
// diffing snapshots, JSON/CSV export, explanations, rankings with history.
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/time/proto_time.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "nq57/aggregator/v1/aggregator.grpc.pb.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "services/aggregator/aggregator_server.h"
#include "services/criteria/criteria_server.h"
#include "tests/support/loopback_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace nq57 {
namespace {

using aggregator::v1::AggregatorService;
using criteria::v1::CriteriaService;
using ::nq57::testing::ChannelTo;
using ::nq57::testing::LoopbackServerOptions;
using ::nq57::testing::Shutdown;
using ::nq57::testing::ViolationsOf;

using Stub = AggregatorService::Stub;
using ::nq57::testing::CallOnce;

class AggregatorServiceTest : public nq57::testing::TempDirTest {
 protected:
  void SetUp() override {
    criteria_ = std::move(*criteria::CriteriaServer::Create(
        {.server = LoopbackServerOptions(Path("criteria"))}));
    criteria_stub_ = CriteriaService::NewStub(ChannelTo(*criteria_));

    aggregator_ = std::move(*aggregator::AggregatorServer::Create(
        {.server = LoopbackServerOptions(Path("aggregator")),
         .sources = {{"criteria", "criteria", criteria_->host().address()}}}));
    stub_ = AggregatorService::NewStub(ChannelTo(*aggregator_));
  }

  void TearDown() override {
    Shutdown(*aggregator_, absl::Seconds(2));
    Shutdown(*criteria_, absl::Seconds(2));
    aggregator_.reset();
    criteria_.reset();
  }

  // One province-level criterion per (province, group) of GOVERNMENT,
  // assigned to the province itself; returns the assignment.
  std::string Assign(const std::string& province, criteria::v1::Group group) {
    const std::string code =
        absl::StrCat("T-", province.substr(province.size() - 2), "-",
                     criteria::v1::Group_Name(group));
    grpc::ClientContext c1;
    criteria::v1::CreateCriterionRequest create;
    auto* c = create.mutable_criterion();
    c->set_code(code);
    c->set_title(code);
    c->set_source(criteria::v1::PLAN_02_KH_BCDTW);
    c->set_block(criteria::v1::GOVERNMENT);
    c->set_group(group);
    c->set_level(common::v1::PROVINCE);
    criteria::v1::Criterion created;
    EXPECT_TRUE(criteria_stub_->CreateCriterion(&c1, create, &created).ok());
    grpc::ClientContext c2;
    criteria::v1::CreateAssignmentRequest assign;
    assign.set_unit(province);
    assign.set_criterion(absl::StrCat("criteria/", code));
    criteria::v1::Assignment a;
    grpc::Status s = criteria_stub_->CreateAssignment(&c2, assign, &a);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return a.name();
  }

  void Complete(const std::string& assignment) {
    grpc::ClientContext ctx;
    criteria::v1::ReportProgressRequest req;
    req.mutable_report()->set_assignment(assignment);
    req.mutable_report()->set_state(criteria::v1::COMPLETED);
    // Now, to the nanosecond: after the assignment, and not in the
    // future of the report that should count it (reports are point in time).
    *req.mutable_report()->mutable_complete_time() = ToProtoTime(absl::Now());
    criteria::v1::Assignment out;
    grpc::Status s = criteria_stub_->ReportProgress(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }

  // Waits until the aggregator has applied everything the criteria service
  // committed.
  void CatchUp() {
    const uint64_t head = criteria_->store().change_log().head();
    for (int i = 0; i < 500; ++i) {
      auto applied = aggregator_->engine().AppliedSequence("criteria");
      if (applied.ok() && *applied == head) return;
      absl::SleepFor(absl::Milliseconds(10));
    }
    FAIL() << "aggregator did not catch up";
  }

  aggregator::v1::Report Report(const std::string& province) {
    aggregator::v1::GetReportRequest req;
    req.set_province(province);
    aggregator::v1::Report out;
    grpc::Status s = CallOnce(*stub_, &Stub::GetReport, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  aggregator::v1::Snapshot Publish(const std::string& request_id) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-nq57-actor", "so-khcn");
    aggregator::v1::PublishRequest req;
    req.set_request_id(request_id);
    req.set_province("provinces/25");
    aggregator::v1::Snapshot out;
    grpc::Status s = stub_->Publish(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::unique_ptr<criteria::CriteriaServer> criteria_;
  std::unique_ptr<CriteriaService::Stub> criteria_stub_;
  std::unique_ptr<aggregator::AggregatorServer> aggregator_;
  std::unique_ptr<AggregatorService::Stub> stub_;
};

TEST_F(AggregatorServiceTest, ReportErrorsNameTheField) {
  aggregator::v1::GetReportRequest req;
  aggregator::v1::Report out;
  grpc::Status s = CallOnce(*stub_, &Stub::GetReport, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationsOf(s)[0].field, "province");
  req.set_province("provinces/99");
  EXPECT_EQ(CallOnce(*stub_, &Stub::GetReport, req, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  req.set_province("provinces/25");
  req.set_period("2025-13");
  s = CallOnce(*stub_, &Stub::GetReport, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationsOf(s)[0].field, "period");
  req.set_province("provinces/25/communes/07900");
  req.clear_period();
  EXPECT_EQ(CallOnce(*stub_, &Stub::GetReport, req, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Publish validates period and as_of like every other RPC, and freezes
  // nothing it refuses.
  struct Bad {
    std::string period;
    int64_t as_of_seconds;
    std::string field;
  };
  for (const Bad& bad :
       {Bad{"2099-01", 0, "period"}, Bad{"2025-10", int64_t{1} << 62, "as_of"},
        Bad{"2025-11", 1761152400, "period"}}) {
    aggregator::v1::PublishRequest publish;
    publish.set_request_id(absl::StrCat("bad-", bad.field, bad.period));
    publish.set_province("provinces/25");
    publish.set_period(bad.period);
    if (bad.as_of_seconds != 0) {
      publish.mutable_as_of()->set_seconds(bad.as_of_seconds);
    }
    aggregator::v1::Snapshot snapshot;
    const grpc::Status status =
        CallOnce(*stub_, &Stub::Publish, publish, &snapshot);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << bad.period << " " << status.error_message();
    ASSERT_FALSE(ViolationsOf(status).empty()) << status.error_message();
    EXPECT_EQ(ViolationsOf(status)[0].field, bad.field);
  }
  aggregator::v1::ListSnapshotsRequest list;
  list.set_province("provinces/25");
  aggregator::v1::ListSnapshotsResponse listed;
  ASSERT_TRUE(CallOnce(*stub_, &Stub::ListSnapshots, list, &listed).ok());
  EXPECT_EQ(listed.snapshots_size(), 0);
}

TEST_F(AggregatorServiceTest, PublishSnapshotsDiffExportExplain) {
  const std::string a1 = Assign("provinces/25", criteria::v1::PLATFORMS);
  const std::string a2 = Assign("provinces/25", criteria::v1::DATA);
  Complete(a1);
  CatchUp();
  aggregator::v1::Snapshot first = Publish("publish-1");
  EXPECT_EQ(first.name(), "provinces/25/snapshots/1");
  EXPECT_EQ(first.number(), 1u);
  EXPECT_EQ(first.publisher(), "so-khcn");
  EXPECT_EQ(first.content_hash().size(), 64u);
  EXPECT_EQ(first.report().criteria().total().value().ratio().numerator(), 1);
  // A retry is the same snapshot, not a second one.
  aggregator::v1::Snapshot retry = Publish("publish-1");
  EXPECT_EQ(retry.number(), 1u);
  EXPECT_EQ(retry.content_hash(), first.content_hash());

  Complete(a2);
  CatchUp();
  aggregator::v1::Snapshot second = Publish("publish-2");
  EXPECT_EQ(second.number(), 2u);
  EXPECT_NE(second.content_hash(), first.content_hash());

  // Immutable: the first snapshot still says what was sent.
  aggregator::v1::GetSnapshotRequest get;
  get.set_name(first.name());
  aggregator::v1::Snapshot again;
  ASSERT_TRUE(CallOnce(*stub_, &Stub::GetSnapshot, get, &again).ok());
  EXPECT_EQ(again.content_hash(), first.content_hash());
  EXPECT_EQ(again.report().criteria().total().value().ratio().numerator(), 1);

  aggregator::v1::ListSnapshotsRequest list;
  list.set_province("provinces/25");
  aggregator::v1::ListSnapshotsResponse listed;
  ASSERT_TRUE(CallOnce(*stub_, &Stub::ListSnapshots, list, &listed).ok());
  ASSERT_EQ(listed.snapshots_size(), 2);
  EXPECT_FALSE(listed.snapshots(0).has_report());

  aggregator::v1::DiffSnapshotsRequest diff_req;
  diff_req.set_from(first.name());
  diff_req.set_to(second.name());
  aggregator::v1::SnapshotDiff diff;
  ASSERT_TRUE(CallOnce(*stub_, &Stub::DiffSnapshots, diff_req, &diff).ok());
  bool data_changed = false;
  for (const auto& change : diff.changes()) {
    if (change.id() == "criteria.block_group.GOVERNMENT.DATA") {
      data_changed = true;
      EXPECT_EQ(change.from().ratio().numerator(), 0);
      EXPECT_EQ(change.to().ratio().numerator(), 1);
    }
    EXPECT_NE(change.id(), "criteria.block_group.GOVERNMENT.PLATFORMS");
  }
  EXPECT_TRUE(data_changed);

  diff_req.set_to("provinces/25/snapshots/9");
  grpc::Status s = CallOnce(*stub_, &Stub::DiffSnapshots, diff_req, &diff);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);

  // Export: canonical JSON that parses back, and CSV.
  aggregator::v1::ExportRequest export_req;
  export_req.set_snapshot(first.name());
  export_req.set_format(aggregator::v1::ExportRequest::JSON);
  aggregator::v1::ExportResponse exported;
  ASSERT_TRUE(CallOnce(*stub_, &Stub::Export, export_req, &exported).ok());
  EXPECT_EQ(exported.content_type(), "application/json");
  aggregator::v1::Report parsed;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(exported.content(), &parsed)
          .ok());
  EXPECT_EQ(parsed.criteria().total().value().ratio().numerator(), 1);
  export_req.set_format(aggregator::v1::ExportRequest::CSV);
  ASSERT_TRUE(CallOnce(*stub_, &Stub::Export, export_req, &exported).ok());
  std::vector<std::string> lines = absl::StrSplit(exported.content(), '\n');
  EXPECT_EQ(lines[0].substr(0, 24), "province,period,figure,l");
  bool platforms_row = false;
  for (const std::string& line : lines) {
    if (line.find("criteria.block_group.GOVERNMENT.PLATFORMS,") !=
        std::string::npos) {
      platforms_row = line.find(",1,1,100.0,HALF_UP,1,") != std::string::npos;
    }
  }
  EXPECT_TRUE(platforms_row) << exported.content();

  aggregator::v1::ExplainRequest explain_req;
  explain_req.set_province("provinces/25");
  explain_req.set_figure("criteria.block.GOVERNMENT");
  aggregator::v1::Explanation explanation;
  ASSERT_TRUE(CallOnce(*stub_, &Stub::Explain, explain_req, &explanation).ok());
  EXPECT_EQ(explanation.inputs().at("completed"), 2);
  EXPECT_EQ(explanation.inputs().at("assigned"), 2);
  ASSERT_EQ(explanation.units_counted_size(), 1);
  EXPECT_EQ(explanation.units_counted(0), "provinces/25");
  EXPECT_GT(explanation.input_sequences().at("criteria"), 0u);
  explain_req.set_figure("criteria.nope");
  EXPECT_EQ(
      CallOnce(*stub_, &Stub::Explain, explain_req, &explanation).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

TEST_F(AggregatorServiceTest, RankingsListReportsAndRankHistory) {
  // Phú Thọ 1/1 Platforms; Hà Nội and Cao Bằng 0/1: ranks 1, 2, 2.
  Complete(Assign("provinces/25", criteria::v1::PLATFORMS));
  Assign("provinces/01", criteria::v1::PLATFORMS);
  Assign("provinces/04", criteria::v1::PLATFORMS);
  CatchUp();
  aggregator::v1::GetRankingsRequest req;
  req.set_group("PLATFORMS");
  aggregator::v1::Rankings rankings;
  ASSERT_TRUE(CallOnce(*stub_, &Stub::GetRankings, req, &rankings).ok());
  ASSERT_EQ(rankings.entries_size(), 3);
  EXPECT_EQ(rankings.entries(0).rank(), 1);
  EXPECT_EQ(rankings.entries(1).rank(), 2);
  EXPECT_EQ(rankings.entries(2).rank(), 2);
  EXPECT_EQ(rankings.entries(1).province(), "provinces/01");
  EXPECT_EQ(rankings.history_size(), 0);

  Publish("publish-rank");
  ASSERT_TRUE(CallOnce(*stub_, &Stub::GetRankings, req, &rankings).ok());
  ASSERT_EQ(rankings.history_size(), 1);
  EXPECT_EQ(rankings.history(0).rank_by_province().at("provinces/25"), 1);
  EXPECT_EQ(rankings.history(0).rank_by_province().at("provinces/04"), 2);

  req.set_group("NOT_A_GROUP");
  grpc::Status s = CallOnce(*stub_, &Stub::GetRankings, req, &rankings);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // Paging through the provinces' reports, one per page.
  std::vector<std::string> seen;
  std::string token;
  do {
    aggregator::v1::ListReportsRequest list;
    list.set_page_size(1);
    list.set_page_token(token);
    aggregator::v1::ListReportsResponse page;
    ASSERT_TRUE(CallOnce(*stub_, &Stub::ListReports, list, &page).ok());
    for (const auto& report : page.reports()) seen.push_back(report.province());
    token = page.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"provinces/01", "provinces/04",
                                            "provinces/25"}));

  // A hand-made token is not a token of this listing.
  aggregator::v1::ListReportsRequest list;
  list.set_page_token("provinces/01");
  aggregator::v1::ListReportsResponse page;
  s = CallOnce(*stub_, &Stub::ListReports, list, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationsOf(s)[0].field, "page_token");
}

TEST_F(AggregatorServiceTest, EveryConsumerExistsBeforeTheServerServes) {
  // Create() builds the consumers before the host starts, so the very first
  // report already names every source.
  aggregator::v1::Report first = Report("provinces/25");
  ASSERT_EQ(first.freshness_size(), 1);
  EXPECT_EQ(first.freshness(0).source(), "criteria");
  EXPECT_EQ(first.config_versions().at("labels"), "criteria-labels-2025-10");
}

TEST_F(AggregatorServiceTest, CreateLoadsAndChecksTheLabels) {
  const std::filesystem::path config = dir() / "config";
  std::filesystem::copy(nq57::testing::ShippedConfigDir(), config,
                        std::filesystem::copy_options::recursive);
  std::filesystem::remove_all(config / "labels");
  auto create = [&] {
    return aggregator::AggregatorServer::Create(
        {.server = {.listen = "127.0.0.1:0",
                    .data_dir = Path("other"),
                    .config_dir = config.string()},
         .sources = {{"criteria", "criteria", criteria_->host().address()}}});
  };
  auto missing = create();
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("labels/criteria.csv"),
            std::string::npos)
      << missing.status();

  std::filesystem::create_directories(config / "labels");
  std::ofstream(config / "labels" / "criteria.csv")
      << "# version: bad\nkind,id,label_vi,label_en,phrase_vi\n"
         "block,ARMY,Khối Quân đội,Army block,khối Quân đội\n";
  auto invalid = create();
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(
      invalid.status().message().find("criteria.csv:3: unknown block \"ARMY\""),
      std::string::npos)
      << invalid.status();
}

TEST_F(AggregatorServiceTest, RebuildOnTheWorkerEqualsIncremental) {
  Complete(Assign("provinces/25", criteria::v1::PLATFORMS));
  Assign("provinces/25", criteria::v1::DATA);
  CatchUp();
  aggregator::v1::RebuildRequest req;
  aggregator::v1::RebuildResponse rebuilt;
  grpc::Status s = CallOnce(*stub_, &Stub::Rebuild, req, &rebuilt);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(rebuilt.equal())
      << (rebuilt.differences_size() ? rebuilt.differences(0) : "");
  EXPECT_GT(rebuilt.measures_compared(), 0);
  EXPECT_GT(rebuilt.rebuilt_to_sequence().at("criteria"), 0u);
}

}  // namespace
}  // namespace nq57
