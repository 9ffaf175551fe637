// criteria-server as a real process, as an ordinary gRPC client sees it:
// health, reflection describing nq57.criteria.v1.CriteriaService, a durable
// write that survives kill -9, and a clean SIGTERM drain. Links no server
// code.
#include <signal.h>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace nq57::criteria {
namespace {

namespace reflection = grpc::reflection::v1alpha;
using grpc::health::v1::HealthCheckResponse;

const std::string kCriteriaServer =
    std::string(NQ57_BIN_DIR) + "/criteria-server";

class CriteriaProcessTest : public nq57::testing::TempDirTest {
 protected:
  std::unique_ptr<ServerProcess> Start() {
    auto p = ServerProcess::Start(
        kCriteriaServer,
        {"--listen=127.0.0.1:0", absl::StrCat("--data_dir=", Path("data")),
         absl::StrCat("--config_dir=", NQ57_SOURCE_DIR, "/deploy/config")},
        Path("stderr.log"));
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? std::move(*p) : nullptr;
  }
};

TEST_F(CriteriaProcessTest, ServesHealthReflectionAndDurableWrites) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  auto channel = grpc::CreateChannel(server->address(),
                                     grpc::InsecureChannelCredentials());
  {
    auto health = grpc::health::v1::Health::NewStub(channel);
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    req.set_service("nq57.criteria.v1.CriteriaService");
    HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING);
  }
  {
    auto stub = reflection::ServerReflection::NewStub(channel);
    grpc::ClientContext ctx;
    auto stream = stub->ServerReflectionInfo(&ctx);
    reflection::ServerReflectionRequest req;
    req.set_file_containing_symbol("nq57.criteria.v1.CriteriaService");
    ASSERT_TRUE(stream->Write(req));
    reflection::ServerReflectionResponse resp;
    ASSERT_TRUE(stream->Read(&resp));
    EXPECT_TRUE(resp.has_file_descriptor_response())
        << resp.error_response().error_message();
    stream->WritesDone();
    ctx.TryCancel();
  }
  auto criteria = v1::CriteriaService::NewStub(channel);
  v1::CreateCriterionRequest create;
  create.set_request_id("create-1");
  v1::Criterion* c = create.mutable_criterion();
  c->set_code("PT-GOV-DATA-001");
  c->set_title("Cơ sở dữ liệu đất đai");
  c->set_source(v1::PROVINCIAL_PLAN);
  c->set_source_reference("123/KH-UBND");
  c->set_block(v1::GOVERNMENT);
  c->set_group(v1::DATA);
  c->set_level(common::v1::COMMUNE);
  v1::Criterion created;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(criteria->CreateCriterion(&ctx, create, &created).ok());
  }
  server->Signal(SIGKILL);
  ASSERT_EQ(*server->Wait(), 128 + SIGKILL);

  server = Start();
  ASSERT_NE(server, nullptr);
  criteria = v1::CriteriaService::NewStub(grpc::CreateChannel(
      server->address(), grpc::InsecureChannelCredentials()));
  v1::GetCriterionRequest get;
  get.set_name("criteria/PT-GOV-DATA-001");
  v1::Criterion got;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(criteria->GetCriterion(&ctx, get, &got).ok());
  }
  EXPECT_EQ(got.title(), created.title());
  // An idle open connection holds the drain until the drain deadline (the
  // common server's behaviour); close ours first.
  criteria.reset();
  server->Signal(SIGTERM);
  auto code = server->Wait();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
}

}  // namespace
}  // namespace nq57::criteria
