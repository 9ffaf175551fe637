// publicservice-server as a real process: it serves health and reflection
// for its services, drains on SIGTERM with exit code 0, refuses a config
// directory without its catalogue, and keeps every acknowledged report
// across kill -9. This binary links no server code, only clients.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nq57/publicservice/v1/publicservice.grpc.pb.h"
#include "tests/support/procedure_request.h"
#include "tests/support/process_fixture.h"
#include "tests/support/reflection_client.h"

namespace nq57::publicservice {
namespace {

using nq57::testing::ShippedConfigDir;

constexpr char kServer[] = "publicservice-server";

class PublicServiceProcessTest : public nq57::testing::ServerProcessTest {
 protected:
  std::unique_ptr<ServerProcess> Start() { return StartServer(kServer); }
};

v1::BatchReportDossierStatsRequest Batch(int i) {
  v1::BatchReportDossierStatsRequest batch;
  batch.set_request_id(absl::StrCat("batch-", i));
  v1::ReportDossierStatsRequest* r = batch.add_requests();
  r->mutable_stats()->set_unit("provinces/25/communes/07900");
  r->mutable_stats()->mutable_period()->set_month("2025-10");
  r->mutable_stats()->set_procedure(absl::StrCat("1.", i));
  r->mutable_stats()->mutable_counts()->set_results_issued(10);
  r->mutable_stats()->mutable_counts()->set_results_digitised(8);
  r->mutable_stats()->mutable_counts()->set_results_reused(i % 9);
  return batch;
}

TEST_F(PublicServiceProcessTest, ServesHealthAndReflectionThenDrains) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  auto channel = ChannelTo(*server);
  for (const char* service :
       {"", "nq57.publicservice.v1.PublicServiceStatistics",
        "nq57.changes.v1.ChangeFeed"}) {
    ASSERT_TRUE(Serving(channel, service));
  }
  EXPECT_TRUE(ListsServices(
      channel,
      {"grpc.health.v1.Health", "nq57.publicservice.v1.PublicServiceStatistics",
       "nq57.changes.v1.ChangeFeed"}));
  {
    nq57::testing::ReflectionClient reflection(channel);
    auto described = reflection.FileContaining(
        "nq57.publicservice.v1.PublicServiceStatistics");
    ASSERT_TRUE(described.ok()) << described.status();
    EXPECT_TRUE(described->has_file_descriptor_response());
  }
  channel.reset();

  EXPECT_TRUE(TerminatesCleanly(*server));
}

TEST_F(PublicServiceProcessTest, ConfigWithoutCatalogueFailsToStart) {
  std::filesystem::create_directories(dir() / "config");
  std::filesystem::copy(ShippedConfigDir() + "/units",
                        dir() / "config" / "units",
                        std::filesystem::copy_options::recursive);
  RunResult r = RunToCompletion(
      nq57::testing::BinaryPath(kServer),
      ServerArgs({.shipped_config = false,
                  .extra = {absl::StrCat("--config_dir=", Path("config"))}}));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("publicservice.textproto"), std::string::npos)
      << r.output;
}

TEST_F(PublicServiceProcessTest, AcknowledgedReportsSurviveKillNine) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  auto stub = v1::PublicServiceStatistics::NewStub(ChannelTo(*server));
  for (int i = 0; i < 30; ++i) {
    grpc::ClientContext ctx;
    v1::Procedure created;
    ASSERT_TRUE(stub->CreateProcedure(&ctx,
                                      nq57::testing::ProcedureRequest(
                                          "provinces/25", absl::StrCat("1.", i),
                                          absl::StrCat("procedure-", i)),
                                      &created)
                    .ok());
  }
  int64_t reused = 0;
  for (int i = 0; i < 30; ++i) {
    grpc::ClientContext ctx;
    v1::BatchReportDossierStatsResponse resp;
    ASSERT_TRUE(stub->BatchReportDossierStats(&ctx, Batch(i), &resp).ok());
    reused += i % 9;
  }
  ASSERT_TRUE(DiesOnSigkill(*server));

  server = Start();
  ASSERT_NE(server, nullptr);
  stub = v1::PublicServiceStatistics::NewStub(ChannelTo(*server));
  // Retries are replays: nothing is counted twice.
  for (int i = 0; i < 30; ++i) {
    grpc::ClientContext ctx;
    v1::BatchReportDossierStatsResponse resp;
    ASSERT_TRUE(stub->BatchReportDossierStats(&ctx, Batch(i), &resp).ok());
  }
  grpc::ClientContext ctx;
  v1::GetIndicatorsRequest get;
  get.set_unit("provinces/25");
  get.mutable_months()->set_first_month("2025-10");
  get.mutable_months()->set_last_month("2025-10");
  get.add_indicator_codes("REUSE_RATE");
  v1::UnitIndicators out;
  ASSERT_TRUE(stub->GetIndicators(&ctx, get, &out).ok());
  EXPECT_EQ(out.indicators(0).value().ratio().numerator(), reused);
  EXPECT_EQ(out.indicators(0).value().ratio().denominator(), 30 * 8);
}

}  // namespace
}  // namespace nq57::publicservice
