// eidentity-server as a real process: it prints its address, serves health
// and reflection (listing EidentityService and the change feed), answers a
// report and a rollup, keeps acknowledged reports across kill -9 with the
// aggregates intact, rejects a bad --stale_after_days, and drains on SIGTERM
// with exit code 0. This binary links no server code, only clients.
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nq57/eidentity/v1/eidentity.grpc.pb.h"
#include "tests/support/process_fixture.h"

namespace nq57::eidentity {
namespace {

constexpr char kServer[] = "eidentity-server";

class EidentityProcessTest : public nq57::testing::ServerProcessTest {
 protected:
  std::unique_ptr<ServerProcess> Start() { return StartServer(kServer); }
};

grpc::Status Report(v1::EidentityService::Stub& stub, int day, int64_t issued,
                    const std::string& request_id) {
  grpc::ClientContext ctx;
  v1::ReportSnapshotRequest req;
  req.set_request_id(request_id);
  v1::Snapshot* s = req.mutable_snapshot();
  s->set_unit("provinces/25/communes/07900");
  s->mutable_as_of_date()->set_year(2025);
  s->mutable_as_of_date()->set_month(10);
  s->mutable_as_of_date()->set_day(day);
  s->set_source("vneid");
  (*s->mutable_values())["eid_accounts_issued"].set_count(issued);
  v1::ReportSnapshotResponse resp;
  return stub.ReportSnapshot(&ctx, req, &resp);
}

int64_t RolledUpIssued(v1::EidentityService::Stub& stub) {
  grpc::ClientContext ctx;
  v1::RollupMetricsRequest req;
  req.set_parent("provinces/25");
  req.mutable_as_of_date()->set_year(2025);
  req.mutable_as_of_date()->set_month(10);
  req.mutable_as_of_date()->set_day(31);
  v1::Rollup rollup;
  grpc::Status s = stub.RollupMetrics(&ctx, req, &rollup);
  EXPECT_TRUE(s.ok()) << s.error_message();
  for (const auto& f : rollup.figures()) {
    if (f.metric() == "eid_accounts_issued") return f.value();
  }
  return -1;
}

TEST_F(EidentityProcessTest, ServesReportsReflectsAndDrains) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  auto channel = ChannelTo(*server);
  ASSERT_TRUE(Serving(channel, "nq57.eidentity.v1.EidentityService"));
  EXPECT_TRUE(ListsServices(
      channel, {"grpc.health.v1.Health", "nq57.eidentity.v1.EidentityService",
                "nq57.changes.v1.ChangeFeed"}));
  auto stub = v1::EidentityService::NewStub(channel);
  ASSERT_TRUE(Report(*stub, 1, 100, "a").ok());
  ASSERT_TRUE(Report(*stub, 2, 130, "b").ok());
  EXPECT_EQ(RolledUpIssued(*stub), 130);

  ASSERT_TRUE(DiesOnSigkill(*server));
  server = Start();
  ASSERT_NE(server, nullptr);
  stub = v1::EidentityService::NewStub(ChannelTo(*server));
  // Acknowledged reports and their aggregates survived; a retry replays.
  EXPECT_EQ(RolledUpIssued(*stub), 130);
  ASSERT_TRUE(Report(*stub, 2, 130, "b").ok());
  ASSERT_TRUE(Report(*stub, 3, 150, "c").ok());
  EXPECT_EQ(RolledUpIssued(*stub), 150);
  // An open client channel holds gRPC's drain for seconds; close it first.
  stub.reset();

  EXPECT_TRUE(TerminatesCleanly(*server));
}

TEST_F(EidentityProcessTest, BadStaleAfterDaysIsAStartupError) {
  RunResult r =
      RunToCompletion(nq57::testing::BinaryPath(kServer),
                      ServerArgs({.extra = {"--stale_after_days=-3"}}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("stale_after_days"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace nq57::eidentity
