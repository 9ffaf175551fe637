// TLS and mTLS on a real ServerHost over loopback: who can connect, the
// plaintext health port, certificate rotation without a restart, and the
// secure-by-default listen rule. (Who may call what is access_test.cc.)
#include <fstream>
#include <sstream>
#include <string>

#include "absl/time/clock.h"
#include "common/security/tls_credentials.h"
#include "common/server/server_host.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tests/probe/probe_service.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace nq57 {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using testing::TestPki;

std::string Contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class TlsTest : public testing::MutualTlsTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MutualTlsTest::SetUp());
    auto store = Store::Open(Path("store"), {.column_families = {"entries"}});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    probe_ = std::make_unique<ProbeService>(store_.get());
  }
  void TearDown() override {
    if (host_ != nullptr) host_->Shutdown(absl::Seconds(1));
    host_.reset();
  }

  absl::Status Start(ServerHostOptions options) {
    auto host = ServerHost::Start(options, {probe_.get()},
                                  {testing::v1::Probe::service_full_name()});
    if (!host.ok()) return host.status();
    host_ = std::move(*host);
    host_->SetServing(true);
    return absl::OkStatus();
  }
  ServerTls MutualTls() const {
    return {.cert = server_.cert,
            .key = server_.key,
            .client_ca = pki().ca_cert(),
            .refresh_seconds = 1};
  }

  // A health check on a new channel; the server's certificate (PEM) when
  // the channel is TLS.
  grpc::Status Check(const std::string& address,
                     std::shared_ptr<grpc::ChannelCredentials> creds,
                     std::string* server_cert = nullptr) {
    grpc::ChannelArguments args;
    // A channel of its own: a new connection, never a shared subchannel.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto stub = Health::NewStub(
        grpc::CreateCustomChannel(address, std::move(creds), args));
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    HealthCheckRequest req;
    HealthCheckResponse resp;
    grpc::Status s = stub->Check(&ctx, req, &resp);
    if (s.ok() && server_cert != nullptr) {
      auto values = ctx.auth_context()->FindPropertyValues("x509_pem_cert");
      if (!values.empty()) {
        *server_cert = std::string(values[0].data(), values[0].size());
      }
    }
    return s;
  }
  std::shared_ptr<grpc::ChannelCredentials> ClientCreds(
      const TestPki::Files& files, const std::string& ca) {
    auto creds = ChannelCredentialsFor(
        {.ca = ca, .cert = files.cert, .key = files.key, .refresh_seconds = 1});
    EXPECT_TRUE(creds.ok()) << creds.status();
    return creds.ok() ? *creds : nullptr;
  }

  std::unique_ptr<Store> store_;
  std::unique_ptr<ProbeService> probe_;
  std::unique_ptr<ServerHost> host_;
};

TEST_F(TlsTest, MutualTlsAdmitsOnlyCertificatesOfItsCa) {
  ASSERT_TRUE(Start({.listen = "127.0.0.1:0", .tls = MutualTls()}).ok());
  const std::string address = host_->address();
  EXPECT_TRUE(Check(address, ClientCreds(client_, pki().ca_cert())).ok());
  // Plaintext to a TLS port never gets an answer.
  EXPECT_EQ(Check(address, grpc::InsecureChannelCredentials()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // A certificate another CA signed is refused at the handshake.
  auto other = TestPki::Create(Path("other-ca"), "another CA");
  ASSERT_TRUE(other.ok()) << other.status();
  auto stranger = other->Issue("stranger", "spiffe://nq57.local/nq57ctl");
  ASSERT_TRUE(stranger.ok()) << stranger.status();
  EXPECT_EQ(
      Check(address, ClientCreds(*stranger, pki().ca_cert())).error_code(),
      grpc::StatusCode::UNAVAILABLE);
  // A client that does not trust the server's CA refuses the server.
  EXPECT_EQ(Check(address, ClientCreds(client_, other->ca_cert())).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // No client certificate: the connection is made (the access gate answers
  // such calls with UNAUTHENTICATED; health is open to probes).
  auto anonymous = ChannelCredentialsFor({.ca = pki().ca_cert()});
  ASSERT_TRUE(anonymous.ok()) << anonymous.status();
  EXPECT_TRUE(Check(address, *anonymous).ok());
}

TEST_F(TlsTest, RotatedServerCertificateIsUsedByNewConnections) {
  ASSERT_TRUE(Start({.listen = "127.0.0.1:0", .tls = MutualTls()}).ok());
  const std::string address = host_->address();
  const std::string before = Contents(server_.cert);
  std::string seen;
  ASSERT_TRUE(
      Check(address, ClientCreds(client_, pki().ca_cert()), &seen).ok());
  EXPECT_EQ(seen, before);

  ASSERT_TRUE(
      pki().Issue("server", "spiffe://nq57.local/criteria-server").ok());
  const std::string after = Contents(server_.cert);
  ASSERT_NE(after, before);
  // The provider re-reads the files every second.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    ASSERT_TRUE(
        Check(address, ClientCreds(client_, pki().ca_cert()), &seen).ok());
    if (seen == after) break;
    absl::SleepFor(absl::Milliseconds(250));
  }
  EXPECT_EQ(seen, after) << "no new connection got the rotated certificate";
}

TEST_F(TlsTest, PlaintextHealthPortAnswersWhileTheMainPortRefusesPlaintext) {
  ASSERT_TRUE(Start({.listen = "127.0.0.1:0",
                     .tls = MutualTls(),
                     .health_listen = "127.0.0.1:0"})
                  .ok());
  ASSERT_FALSE(host_->health_address().empty());
  auto health = Health::NewStub(grpc::CreateChannel(
      host_->health_address(), grpc::InsecureChannelCredentials()));
  for (const std::string& service :
       {std::string(), std::string(testing::v1::Probe::service_full_name())}) {
    grpc::ClientContext ctx;
    HealthCheckRequest req;
    req.set_service(service);
    HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(&ctx, req, &resp).ok()) << service;
    EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING) << service;
  }
  // The same statuses as the main server's: NOT_SERVING follows.
  host_->SetServing(false);
  {
    grpc::ClientContext ctx;
    HealthCheckRequest req;
    HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.status(), HealthCheckResponse::NOT_SERVING);
  }
  // Only health is served there.
  auto probe = testing::v1::Probe::NewStub(grpc::CreateChannel(
      host_->health_address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  testing::v1::EchoRequest echo;
  testing::v1::EchoResponse out;
  EXPECT_EQ(probe->Echo(&ctx, echo, &out).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(
      Check(host_->address(), grpc::InsecureChannelCredentials()).error_code(),
      grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, PlaintextOnlyOnLoopbackUnlessAllowed) {
  absl::Status s = Start({.listen = "0.0.0.0:0"});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--allow_insecure"), std::string::npos) << s;
  EXPECT_TRUE(Start({.listen = "0.0.0.0:0", .allow_insecure = true}).ok());
  host_->Shutdown(absl::ZeroDuration());
  host_.reset();
  // TLS without client certificates admits every caller: not off loopback.
  ServerTls server_only = MutualTls();
  server_only.client_ca.clear();
  EXPECT_EQ(Start({.listen = "0.0.0.0:0", .tls = server_only}).code(),
            absl::StatusCode::kInvalidArgument);
  // With mTLS any address is fine.
  EXPECT_TRUE(Start({.listen = "0.0.0.0:0", .tls = MutualTls()}).ok());

  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:50571"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:1"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:1"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0:1"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:1"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.5:1"));
  EXPECT_FALSE(IsLoopbackAddress("127.example.org:1"));
  EXPECT_TRUE(IsLoopbackAddress("127.1.2.3:1"));
}

TEST_F(TlsTest, BadTlsFilesNameTheirFlag) {
  struct Case {
    ServerTls tls;
    std::string flag;
  } cases[] = {
      {{.cert = Path("missing.pem"), .key = server_.key}, "--tls_cert"},
      {{.cert = server_.cert, .key = server_.cert}, "--tls_key"},
      {{.cert = server_.cert}, "--tls_cert"},
      {{.key = server_.key}, "--tls_cert"},
      {{.cert = server_.cert, .key = server_.key, .client_ca = server_.key},
       "--tls_client_ca"},
  };
  for (const Case& c : cases) {
    auto creds = ServerCredentialsFor(c.tls);
    ASSERT_FALSE(creds.ok()) << c.flag;
    EXPECT_EQ(creds.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(creds.status().message().substr(0, c.flag.size()), c.flag)
        << creds.status();
  }
  auto client = ChannelCredentialsFor({.ca = Path("none.pem")});
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().message().substr(0, 8), "--tls_ca");
}

}  // namespace
}  // namespace nq57
