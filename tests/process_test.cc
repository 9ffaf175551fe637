// The common server as a real process (probe-server): address on stdout,
// health, reflection, bad flags, SIGTERM drain and exit code, kill -9
// durability. This binary links no server code, only clients.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"
#include "nq57/testing/v1/probe.grpc.pb.h"
#include "tests/support/grpc_probes.h"
#include "tests/support/process_fixture.h"
#include "tests/support/reflection_client.h"

namespace nq57 {
namespace {

using grpc::health::v1::HealthCheckResponse;

constexpr char kProbeServer[] = "probe-server";

// A draining gRPC server sends GOAWAY and a PING, and closes the connection
// once the client acknowledges it. An idle gRPC C++ client only polls its
// connections on the backup poller, every 5 s by default, which would make
// every drain here take 5 s. Real clients of ours are mid-call (and poll),
// so the tests' clients poll as often.
const bool kFastClientPolling =
    setenv("GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS", "50", 1) == 0;

class ProcessTest : public nq57::testing::ServerProcessTest {
 protected:
  std::unique_ptr<ServerProcess> StartProbe(
      std::vector<std::string> extra = {}) {
    return StartServer(kProbeServer,
                       {.shipped_config = false, .extra = std::move(extra)});
  }
};

TEST_F(ProcessTest, ServesThenDrainsOnSigtermAndExitsZero) {
  auto server = StartProbe();
  ASSERT_NE(server, nullptr);
  auto channel = ChannelTo(*server);
  auto health = grpc::health::v1::Health::NewStub(channel);
  EXPECT_TRUE(Serving(channel, ""));

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
  const std::string log = ServerLog();
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
  auto probe = testing::v1::Probe::NewStub(ChannelTo(*server));
  grpc::ClientContext ctx;
  testing::v1::PutRequest req;
  req.set_key("k");
  testing::v1::PutResponse resp;
  ASSERT_TRUE(probe->Put(&ctx, req, &resp).ok());
  const absl::Time start = absl::Now();
  EXPECT_TRUE(TerminatesCleanly(*server, absl::Seconds(20)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2)) << ServerLog();
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
  auto server = StartProbe({"--metrics_listen=127.0.0.1:0"});
  ASSERT_NE(server, nullptr);
  std::string metrics_address;
  for (const std::string& line : server->startup_lines()) {
    const size_t at = line.find(" metrics on ");
    if (at != std::string::npos) metrics_address = line.substr(at + 12);
  }
  ASSERT_FALSE(metrics_address.empty());
  auto probe = testing::v1::Probe::NewStub(ChannelTo(*server));
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
  nq57::testing::ReflectionClient reflection(ChannelTo(*server));
  absl::StatusOr<std::vector<std::string>> names = reflection.ListServices();
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(nq57::testing::MissingNames(
                *names, {"grpc.health.v1.Health", "nq57.testing.v1.Probe",
                         "nq57.changes.v1.ChangeFeed",
                         "grpc.reflection.v1alpha.ServerReflection"}),
            std::vector<std::string>{});
  for (const std::string& name : *names) {
    auto resp = reflection.FileContaining(name);
    ASSERT_TRUE(resp.ok()) << name << ": " << resp.status();
    ASSERT_TRUE(resp->has_file_descriptor_response())
        << name << ": " << resp->error_response().error_message();
    bool found = false;
    for (const std::string& bytes :
         resp->file_descriptor_response().file_descriptor_proto()) {
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
}

TEST_F(ProcessTest, BadFlagValuesExitNonZeroWithAClearMessage) {
  const std::string probe_server = nq57::testing::BinaryPath(kProbeServer);
  RunResult r = RunToCompletion(probe_server, {"--log_format=xml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--log_format: expected json or text"),
            std::string::npos)
      << r.output;
  r = RunToCompletion(
      probe_server,
      {"--listen=nonsense", absl::StrCat("--data_dir=", dir().string())});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--listen: expected HOST:PORT"), std::string::npos)
      << r.output;
  r = RunToCompletion(probe_server, {"--no_such_flag=1"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("no_such_flag"), std::string::npos) << r.output;
}

TEST_F(ProcessTest, PortInUseIsAClearError) {
  auto server = StartProbe();
  ASSERT_NE(server, nullptr);
  RunResult r = RunToCompletion(nq57::testing::BinaryPath(kProbeServer),
                                {absl::StrCat("--listen=", server->address()),
                                 absl::StrCat("--data_dir=", Path("other"))});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("cannot listen on " + server->address()),
            std::string::npos)
      << r.output;
}

// Puts k<i> = v<i> with request id req-<i>.
grpc::Status PutNumbered(testing::v1::Probe::Stub& probe, int i,
                         testing::v1::PutResponse* resp) {
  grpc::ClientContext ctx;
  testing::v1::PutRequest req;
  req.set_key(absl::StrCat("k", i));
  req.set_value(absl::StrCat("v", i));
  req.set_request_id(absl::StrCat("req-", i));
  return probe.Put(&ctx, req, resp);
}

TEST_F(ProcessTest, AcknowledgedWritesSurviveKillNine) {
  auto server = StartProbe();
  ASSERT_NE(server, nullptr);
  auto probe = testing::v1::Probe::NewStub(ChannelTo(*server));
  uint64_t last_sequence = 0;
  for (int i = 0; i < 50; ++i) {
    testing::v1::PutResponse resp;
    ASSERT_TRUE(PutNumbered(*probe, i, &resp).ok());
    last_sequence = resp.sequence();
  }
  ASSERT_TRUE(DiesOnSigkill(*server));

  server = StartProbe();
  ASSERT_NE(server, nullptr);
  probe = testing::v1::Probe::NewStub(ChannelTo(*server));
  // Every acknowledged write is there: a retry of each is a replay with the
  // original sequence, and a new write continues after the last sequence.
  for (int i = 0; i < 50; ++i) {
    testing::v1::PutResponse resp;
    ASSERT_TRUE(PutNumbered(*probe, i, &resp).ok());
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
