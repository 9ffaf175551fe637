// criteria-server as a real process with the TLS flags: mTLS on the main
// port, the plaintext health port for probes, the secure-by-default listen
// rule, and a client certificate's identity recorded over the wire.
#include <csignal>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/security/tls_credentials.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "tests/support/grpc_probes.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"
#include "tests/support/test_pki.h"

namespace nq57 {
namespace {

using grpc::health::v1::HealthCheckResponse;
using testing::BinaryPath;
using testing::TestPki;

class TlsProcessTest : public testing::MutualTlsTest {
 protected:
  std::vector<std::string> Flags() const {
    return {"--listen=127.0.0.1:0",
            "--data_dir=" + Path("db"),
            "--config_dir=" + testing::ShippedConfigDir(),
            "--tls_cert=" + server_.cert,
            "--tls_key=" + server_.key,
            "--tls_client_ca=" + pki().ca_cert(),
            "--health_listen=127.0.0.1:0",
            "--drain_seconds=1"};
  }
};

TEST_F(TlsProcessTest, MainPortNeedsMtlsWhileTheHealthPortAnswersPlaintext) {
  auto process = ServerProcess::Start(BinaryPath("criteria-server"), Flags(),
                                      Path("criteria.log"));
  ASSERT_TRUE(process.ok()) << process.status();
  std::string health_address;
  for (const std::string& line : (*process)->startup_lines()) {
    const std::string prefix = "criteria-server health on ";
    if (absl::StartsWith(line, prefix)) {
      health_address = line.substr(prefix.size());
    }
  }
  ASSERT_FALSE(health_address.empty()) << "no \"health on\" line";
  EXPECT_EQ(testing::HealthOf(testing::InsecureChannel(health_address),
                              "nq57.criteria.v1.CriteriaService"),
            HealthCheckResponse::SERVING);
  // Plaintext to the main port gets nothing.
  EXPECT_EQ(testing::HealthOf(testing::InsecureChannel((*process)->address())),
            HealthCheckResponse::UNKNOWN);

  // nq57ctl's certificate: a verified identity with the reader role.
  auto creds = ChannelCredentialsFor(
      {.ca = pki().ca_cert(), .cert = client_.cert, .key = client_.key});
  ASSERT_TRUE(creds.ok()) << creds.status();
  auto stub = criteria::v1::CriteriaService::NewStub(
      grpc::CreateChannel((*process)->address(), *creds));
  grpc::ClientContext ctx;
  criteria::v1::ListCriteriaRequest req;
  criteria::v1::ListCriteriaResponse resp;
  grpc::Status s = stub->ListCriteria(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  // Without a certificate: UNAUTHENTICATED.
  auto anonymous = ChannelCredentialsFor({.ca = pki().ca_cert()});
  ASSERT_TRUE(anonymous.ok());
  auto anonymous_stub = criteria::v1::CriteriaService::NewStub(
      grpc::CreateChannel((*process)->address(), *anonymous));
  grpc::ClientContext ctx2;
  EXPECT_EQ(anonymous_stub->ListCriteria(&ctx2, req, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  (*process)->Signal(SIGTERM);
  auto code = (*process)->Wait();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
}

TEST_F(TlsProcessTest, PlaintextOffLoopbackIsAFlagErrorUnlessAllowed) {
  RunResult refused =
      RunToCompletion(BinaryPath("criteria-server"),
                      {"--listen=0.0.0.0:0", "--data_dir=" + Path("db1"),
                       "--config_dir=" + testing::ShippedConfigDir()});
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("--allow_insecure"), std::string::npos)
      << refused.output;

  auto allowed = ServerProcess::Start(
      BinaryPath("criteria-server"),
      {"--listen=0.0.0.0:0", "--allow_insecure", "--data_dir=" + Path("db2"),
       "--config_dir=" + testing::ShippedConfigDir()},
      Path("allowed.log"));
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  (*allowed)->Signal(SIGTERM);
  ASSERT_TRUE((*allowed)->Wait().ok());
  std::ifstream log(Path("allowed.log"));
  std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(text.find("serving without mTLS on a non-loopback address"),
            std::string::npos)
      << text;

  // A bad TLS file is a flag error naming the flag.
  RunResult bad = RunToCompletion(
      BinaryPath("criteria-server"),
      {"--listen=127.0.0.1:0", "--data_dir=" + Path("db3"),
       "--config_dir=" + testing::ShippedConfigDir(),
       "--tls_cert=" + Path("none.pem"), "--tls_key=" + server_.key});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("--tls_cert: cannot read"), std::string::npos)
      << bad.output;
}

}  // namespace
}  // namespace nq57
