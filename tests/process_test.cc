// The common server as a real process (probe-server): address on stdout,
// health, reflection, bad flags, SIGTERM drain and exit code, kill -9
// durability. This binary links no server code, only clients.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "nq57/testing/v1/probe.grpc.pb.h"
#include "tests/support/server_process.h"

namespace nq57 {
namespace {

using grpc::health::v1::HealthCheckResponse;
namespace reflection = grpc::reflection::v1alpha;

const std::string kProbeServer = std::string(NQ57_BIN_DIR) + "/probe-server";

// A draining gRPC server sends GOAWAY and a PING, and closes the connection
// once the client acknowledges it. An idle gRPC C++ client only polls its
// connections on the backup poller, every 5 s by default, which would make
// every drain here take 5 s. Real clients of ours are mid-call (and poll),
// so the tests' clients poll as often.
const bool kFastClientPolling =
    setenv("GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS", "50", 1) == 0;

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat(
               "process_test_", getpid(), "_",
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<ServerProcess> StartProbe() {
    auto p = ServerProcess::Start(
        kProbeServer,
        {"--listen=127.0.0.1:0",
         absl::StrCat("--data_dir=", (dir_ / "data").string())},
        (dir_ / "stderr.log").string());
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? std::move(*p) : nullptr;
  }
  std::string Log() {
    std::ifstream in(dir_ / "stderr.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::filesystem::path dir_;
};

HealthCheckResponse::ServingStatus Check(grpc::health::v1::Health::Stub& stub) {
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  HealthCheckResponse resp;
  grpc::Status s = stub.Check(&ctx, req, &resp);
  return s.ok() ? resp.status() : HealthCheckResponse::UNKNOWN;
}

TEST_F(ProcessTest, ServesThenDrainsOnSigtermAndExitsZero) {
  auto server = StartProbe();
  ASSERT_NE(server, nullptr);
  auto channel = grpc::CreateChannel(server->address(),
                                     grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  EXPECT_EQ(Check(*health), HealthCheckResponse::SERVING);

  grpc::ClientContext watch_ctx;
  grpc::health::v1::HealthCheckRequest req;
  auto watch = health->Watch(&watch_ctx, req);
  HealthCheckResponse resp;
  ASSERT_TRUE(watch->Read(&resp));
  EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING);

  server->Signal(SIGTERM);
  ASSERT_TRUE(watch->Read(&resp));
  EXPECT_EQ(resp.status(), HealthCheckResponse::NOT_SERVING);
  watch_ctx.TryCancel();  // an open Watch would hold the drain to its end
  auto code = server->Wait();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  const std::string log = Log();
  EXPECT_NE(log.find("\"msg\":\"shutting down\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"msg\":\"stopped\""), std::string::npos) << log;
  // One JSON line per RPC, with method, peer, code and latency.
  EXPECT_NE(log.find("\"method\":\"/grpc.health.v1.Health/Check\""),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("\"latency_ms\":"), std::string::npos);
  EXPECT_NE(log.find("\"peer\":\"ipv4:127.0.0.1:"), std::string::npos);
}

TEST_F(ProcessTest, DrainIsPromptWithIdleClientConnections) {
  ASSERT_TRUE(kFastClientPolling);
  auto server = StartProbe();
  ASSERT_NE(server, nullptr);
  // A client that made a call and keeps its connection open, idle.
  auto channel = grpc::CreateChannel(server->address(),
                                     grpc::InsecureChannelCredentials());
  auto probe = testing::v1::Probe::NewStub(channel);
  grpc::ClientContext ctx;
  testing::v1::PutRequest req;
  req.set_key("k");
  testing::v1::PutResponse resp;
  ASSERT_TRUE(probe->Put(&ctx, req, &resp).ok());
  const absl::Time start = absl::Now();
  server->Signal(SIGTERM);
  auto code = server->Wait(absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2)) << Log();
}

// GET /metrics over a plain socket (HTTP/1.0: the server closes after
// answering).
std::string HttpGet(const std::string& address, const std::string& path) {
  const size_t colon = address.rfind(':');
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port =
      htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  const std::string request = "GET " + path + " HTTP/1.0\r\n\r\n";
  (void)!write(fd, request.data(), request.size());
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) response.append(buf, n);
  close(fd);
  return response;
}

TEST_F(ProcessTest, ExposesPrometheusMetrics) {
  auto p = ServerProcess::Start(
      kProbeServer,
      {"--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0",
       absl::StrCat("--data_dir=", (dir_ / "data").string())},
      (dir_ / "stderr.log").string());
  ASSERT_TRUE(p.ok()) << p.status();
  std::string metrics_address;
  for (const std::string& line : (*p)->startup_lines()) {
    const size_t at = line.find(" metrics on ");
    if (at != std::string::npos) metrics_address = line.substr(at + 12);
  }
  ASSERT_FALSE(metrics_address.empty());
  auto probe = testing::v1::Probe::NewStub(
      grpc::CreateChannel((*p)->address(), grpc::InsecureChannelCredentials()));
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext ctx;
    testing::v1::PutRequest req;
    req.set_key(i == 2 ? "" : absl::StrCat("k", i));  // the last one is bad
    testing::v1::PutResponse resp;
    probe->Put(&ctx, req, &resp);
  }
  const std::string body = HttpGet(metrics_address, "/metrics");
  EXPECT_NE(body.find("nq57_rpc_requests_total{code=\"OK\",method=\"/"
                      "nq57.testing.v1.Probe/Put\"} 2"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("nq57_rpc_requests_total{code=\"INVALID_ARGUMENT\","
                      "method=\"/nq57.testing.v1.Probe/Put\"} 1"),
            std::string::npos);
  EXPECT_NE(body.find("nq57_rpc_latency_seconds_bucket"), std::string::npos);
  EXPECT_NE(body.find("nq57_store_commits_total{store=\"probe\"} 2"),
            std::string::npos);
  EXPECT_NE(body.find("nq57_change_log_head{store=\"probe\"} 2"),
            std::string::npos);
}

TEST_F(ProcessTest, ReflectionListsAndDescribesEveryServiceIncludingHealth) {
  auto server = StartProbe();
  ASSERT_NE(server, nullptr);
  auto stub = reflection::ServerReflection::NewStub(grpc::CreateChannel(
      server->address(), grpc::InsecureChannelCredentials()));
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
  for (const char* expected : {"grpc.health.v1.Health", "nq57.testing.v1.Probe",
                               "nq57.changes.v1.ChangeFeed",
                               "grpc.reflection.v1alpha.ServerReflection"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end())
        << expected;
  }
  for (const std::string& name : names) {
    reflection::ServerReflectionRequest describe;
    describe.set_file_containing_symbol(name);
    ASSERT_TRUE(stream->Write(describe));
    ASSERT_TRUE(stream->Read(&resp));
    ASSERT_TRUE(resp.has_file_descriptor_response())
        << name << ": " << resp.error_response().error_message();
    bool found = false;
    for (const std::string& bytes :
         resp.file_descriptor_response().file_descriptor_proto()) {
      google::protobuf::FileDescriptorProto file;
      ASSERT_TRUE(file.ParseFromString(bytes));
      for (const auto& service : file.service()) {
        if (absl::StrCat(file.package(), ".", service.name()) == name) {
          found = true;
        }
      }
    }
    EXPECT_TRUE(found) << name;
  }
  stream->WritesDone();
  ctx.TryCancel();
}

TEST_F(ProcessTest, BadFlagValuesExitNonZeroWithAClearMessage) {
  RunResult r = RunToCompletion(kProbeServer, {"--log_format=xml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--log_format: expected json or text"),
            std::string::npos)
      << r.output;
  r = RunToCompletion(
      kProbeServer,
      {"--listen=nonsense", absl::StrCat("--data_dir=", dir_.string())});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--listen: expected HOST:PORT"), std::string::npos)
      << r.output;
  r = RunToCompletion(kProbeServer, {"--no_such_flag=1"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("no_such_flag"), std::string::npos) << r.output;
}

TEST_F(ProcessTest, PortInUseIsAClearError) {
  auto server = StartProbe();
  ASSERT_NE(server, nullptr);
  RunResult r = RunToCompletion(
      kProbeServer, {absl::StrCat("--listen=", server->address()),
                     absl::StrCat("--data_dir=", (dir_ / "other").string())});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("cannot listen on " + server->address()),
            std::string::npos)
      << r.output;
}

TEST_F(ProcessTest, AcknowledgedWritesSurviveKillNine) {
  auto server = StartProbe();
  ASSERT_NE(server, nullptr);
  auto probe = testing::v1::Probe::NewStub(grpc::CreateChannel(
      server->address(), grpc::InsecureChannelCredentials()));
  uint64_t last_sequence = 0;
  for (int i = 0; i < 50; ++i) {
    grpc::ClientContext ctx;
    testing::v1::PutRequest req;
    req.set_key(absl::StrCat("k", i));
    req.set_value(absl::StrCat("v", i));
    req.set_request_id(absl::StrCat("req-", i));
    testing::v1::PutResponse resp;
    ASSERT_TRUE(probe->Put(&ctx, req, &resp).ok());
    last_sequence = resp.sequence();
  }
  server->Signal(SIGKILL);
  ASSERT_EQ(*server->Wait(), 128 + SIGKILL);

  server = StartProbe();
  ASSERT_NE(server, nullptr);
  probe = testing::v1::Probe::NewStub(grpc::CreateChannel(
      server->address(), grpc::InsecureChannelCredentials()));
  // Every acknowledged write is there: a retry of each is a replay with the
  // original sequence, and a new write continues after the last sequence.
  for (int i = 0; i < 50; ++i) {
    grpc::ClientContext ctx;
    testing::v1::PutRequest req;
    req.set_key(absl::StrCat("k", i));
    req.set_value(absl::StrCat("v", i));
    req.set_request_id(absl::StrCat("req-", i));
    testing::v1::PutResponse resp;
    ASSERT_TRUE(probe->Put(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.sequence(), static_cast<uint64_t>(i + 1));
  }
  grpc::ClientContext ctx;
  testing::v1::PutRequest req;
  req.set_key("k0");
  req.set_value("changed");
  testing::v1::PutResponse resp;
  ASSERT_TRUE(probe->Put(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.sequence(), last_sequence + 1);
  EXPECT_EQ(resp.previous_value(), "v0");
}

}  // namespace
}  // namespace nq57
