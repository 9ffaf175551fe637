// criteria-server as a real process, as an ordinary gRPC client sees it:
// health, reflection describing nq57.criteria.v1.CriteriaService, a durable
// write that survives kill -9, and a clean SIGTERM drain. Links no server
// code.
#include "gtest/gtest.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "tests/support/criterion_request.h"
#include "tests/support/process_fixture.h"
#include "tests/support/reflection_client.h"

namespace nq57::criteria {
namespace {

class CriteriaProcessTest : public nq57::testing::ServerProcessTest {
 protected:
  std::unique_ptr<ServerProcess> Start() {
    return StartServer("criteria-server");
  }
};

TEST_F(CriteriaProcessTest, ServesHealthReflectionAndDurableWrites) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  auto channel = ChannelTo(*server);
  ASSERT_TRUE(Serving(channel, "nq57.criteria.v1.CriteriaService"));
  {
    nq57::testing::ReflectionClient reflection(channel);
    auto described =
        reflection.FileContaining("nq57.criteria.v1.CriteriaService");
    ASSERT_TRUE(described.ok()) << described.status();
    EXPECT_TRUE(described->has_file_descriptor_response())
        << described->error_response().error_message();
  }
  auto criteria = v1::CriteriaService::NewStub(channel);
  const v1::CreateCriterionRequest create = nq57::testing::CriterionRequest(
      "PT-GOV-DATA-001", "Cơ sở dữ liệu đất đai", "create-1");
  v1::Criterion created;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(criteria->CreateCriterion(&ctx, create, &created).ok());
  }
  ASSERT_TRUE(DiesOnSigkill(*server));

  server = Start();
  ASSERT_NE(server, nullptr);
  criteria = v1::CriteriaService::NewStub(ChannelTo(*server));
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
  EXPECT_TRUE(TerminatesCleanly(*server));
}

}  // namespace
}  // namespace nq57::criteria
