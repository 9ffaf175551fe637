// eidentity-server as a real process: it prints its address, serves health
// and reflection (listing EidentityService and the change feed), answers a
// report and a rollup, keeps acknowledged reports across kill -9 with the
// aggregates intact, rejects a bad --stale_after_days, and drains on SIGTERM
// with exit code 0. This binary links no server code, only clients.
#include <signal.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "nq57/eidentity/v1/eidentity.grpc.pb.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace nq57::eidentity {
namespace {

using grpc::health::v1::HealthCheckResponse;
namespace reflection = grpc::reflection::v1alpha;

const std::string kServer = std::string(NQ57_BIN_DIR) + "/eidentity-server";
const std::string kConfigDir = std::string(NQ57_SOURCE_DIR) + "/deploy/config";

class EidentityProcessTest : public nq57::testing::TempDirTest {
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
  auto channel = grpc::CreateChannel(server->address(),
                                     grpc::InsecureChannelCredentials());
  {
    auto health = grpc::health::v1::Health::NewStub(channel);
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    req.set_service("nq57.eidentity.v1.EidentityService");
    HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING);
  }
  {
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
    for (const char* expected :
         {"grpc.health.v1.Health", "nq57.eidentity.v1.EidentityService",
          "nq57.changes.v1.ChangeFeed"}) {
      EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end())
          << expected;
    }
    stream->WritesDone();
    ctx.TryCancel();
  }
  auto stub = v1::EidentityService::NewStub(channel);
  ASSERT_TRUE(Report(*stub, 1, 100, "a").ok());
  ASSERT_TRUE(Report(*stub, 2, 130, "b").ok());
  EXPECT_EQ(RolledUpIssued(*stub), 130);

  server->Signal(SIGKILL);
  ASSERT_EQ(*server->Wait(), 128 + SIGKILL);
  server = Start();
  ASSERT_NE(server, nullptr);
  stub = v1::EidentityService::NewStub(grpc::CreateChannel(
      server->address(), grpc::InsecureChannelCredentials()));
  // Acknowledged reports and their aggregates survived; a retry replays.
  EXPECT_EQ(RolledUpIssued(*stub), 130);
  ASSERT_TRUE(Report(*stub, 2, 130, "b").ok());
  ASSERT_TRUE(Report(*stub, 3, 150, "c").ok());
  EXPECT_EQ(RolledUpIssued(*stub), 150);
  // An open client channel holds gRPC's drain for seconds; close it first.
  stub.reset();

  server->Signal(SIGTERM);
  auto code = server->Wait();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
}

TEST_F(EidentityProcessTest, BadStaleAfterDaysIsAStartupError) {
  RunResult r =
      RunToCompletion(kServer, {"--listen=127.0.0.1:0", "--stale_after_days=-3",
                                absl::StrCat("--data_dir=", Path("data")),
                                absl::StrCat("--config_dir=", kConfigDir)});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("stale_after_days"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace nq57::eidentity
