// publicservice-server as a real process: it serves health and reflection
// for its services, drains on SIGTERM with exit code 0, refuses a config
// directory without its catalogue, and keeps every acknowledged report
// across kill -9. This binary links no server code, only clients.
#include <signal.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "nq57/publicservice/v1/publicservice.grpc.pb.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace nq57::publicservice {
namespace {

using grpc::health::v1::HealthCheckResponse;
namespace reflection = grpc::reflection::v1alpha;

const std::string kServer = std::string(NQ57_BIN_DIR) + "/publicservice-server";
const std::string kConfigDir = std::string(NQ57_SOURCE_DIR) + "/deploy/config";

class PublicServiceProcessTest : public nq57::testing::TempDirTest {
 protected:
  std::unique_ptr<ServerProcess> Start() {
    auto p = ServerProcess::Start(
        kServer,
        {"--listen=127.0.0.1:0", absl::StrCat("--data_dir=", Path("data")),
         absl::StrCat("--config_dir=", kConfigDir)},
        Path("stderr.log"));
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? std::move(*p) : nullptr;
  }
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
  auto channel = grpc::CreateChannel(server->address(),
                                     grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  for (const char* service :
       {"", "nq57.publicservice.v1.PublicServiceStatistics",
        "nq57.changes.v1.ChangeFeed"}) {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(&ctx, req, &resp).ok()) << service;
    EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING) << service;
  }

  auto stub = reflection::ServerReflection::NewStub(channel);
  grpc::ClientContext ctx;
  auto stream = stub->ServerReflectionInfo(&ctx);
  reflection::ServerReflectionRequest list;
  list.set_list_services("*");
  ASSERT_TRUE(stream->Write(list));
  reflection::ServerReflectionResponse resp;
  ASSERT_TRUE(stream->Read(&resp));
  std::vector<std::string> names;
  for (const auto& s : resp.list_services_response().service()) {
    names.push_back(s.name());
  }
  for (const char* expected : {"grpc.health.v1.Health",
                               "nq57.publicservice.v1.PublicServiceStatistics",
                               "nq57.changes.v1.ChangeFeed"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end())
        << expected;
  }
  reflection::ServerReflectionRequest describe;
  describe.set_file_containing_symbol(
      "nq57.publicservice.v1.PublicServiceStatistics");
  ASSERT_TRUE(stream->Write(describe));
  ASSERT_TRUE(stream->Read(&resp));
  EXPECT_TRUE(resp.has_file_descriptor_response());
  stream->WritesDone();
  ctx.TryCancel();
  stream->Finish();
  stream.reset();
  stub.reset();
  health.reset();
  channel.reset();

  server->Signal(SIGTERM);
  auto code = server->Wait();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
}

TEST_F(PublicServiceProcessTest, ConfigWithoutCatalogueFailsToStart) {
  std::filesystem::create_directories(dir() / "config");
  std::filesystem::copy(kConfigDir + "/units", dir() / "config" / "units",
                        std::filesystem::copy_options::recursive);
  RunResult r =
      RunToCompletion(kServer, {"--listen=127.0.0.1:0",
                                absl::StrCat("--data_dir=", Path("data")),
                                absl::StrCat("--config_dir=", Path("config"))});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("publicservice.textproto"), std::string::npos)
      << r.output;
}

TEST_F(PublicServiceProcessTest, AcknowledgedReportsSurviveKillNine) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  auto stub = v1::PublicServiceStatistics::NewStub(grpc::CreateChannel(
      server->address(), grpc::InsecureChannelCredentials()));
  int64_t reused = 0;
  for (int i = 0; i < 30; ++i) {
    grpc::ClientContext ctx;
    v1::BatchReportDossierStatsResponse resp;
    ASSERT_TRUE(stub->BatchReportDossierStats(&ctx, Batch(i), &resp).ok());
    reused += i % 9;
  }
  server->Signal(SIGKILL);
  ASSERT_EQ(*server->Wait(), 128 + SIGKILL);

  server = Start();
  ASSERT_NE(server, nullptr);
  stub = v1::PublicServiceStatistics::NewStub(grpc::CreateChannel(
      server->address(), grpc::InsecureChannelCredentials()));
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
