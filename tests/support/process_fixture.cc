#include "tests/support/process_fixture.h"

#include <signal.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/support/grpc_probes.h"
#include "tests/support/reflection_client.h"

namespace nq57::testing {

using grpc::health::v1::HealthCheckResponse;

std::vector<std::string> ServerProcessTest::ServerArgs(
    const ServerFlags& flags) const {
  std::vector<std::string> args = {
      "--listen=127.0.0.1:0", absl::StrCat("--data_dir=", Path(flags.data))};
  if (flags.shipped_config) {
    args.push_back(absl::StrCat("--config_dir=", ShippedConfigDir()));
  }
  args.insert(args.end(), flags.extra.begin(), flags.extra.end());
  return args;
}

std::unique_ptr<ServerProcess> ServerProcessTest::StartServer(
    std::string_view binary, const ServerFlags& flags) {
  auto p = ServerProcess::Start(BinaryPath(binary), ServerArgs(flags),
                                Path(flags.log));
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? std::move(*p) : nullptr;
}

std::string ServerProcessTest::ServerLog() const {
  std::ifstream in(Path("stderr.log"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<grpc::Channel> ServerProcessTest::ChannelTo(
    const ServerProcess& server) {
  return InsecureChannel(server.address());
}

::testing::AssertionResult ServerProcessTest::Serving(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  const HealthCheckResponse::ServingStatus status = HealthOf(channel, service);
  if (status == HealthCheckResponse::SERVING) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "health of \"" << service
         << "\": " << HealthCheckResponse::ServingStatus_Name(status);
}

::testing::AssertionResult ServerProcessTest::ListsServices(
    const std::shared_ptr<grpc::Channel>& channel,
    const std::vector<std::string>& expected) {
  ReflectionClient reflection(channel);
  absl::StatusOr<std::vector<std::string>> names = reflection.ListServices();
  if (!names.ok()) {
    return ::testing::AssertionFailure() << "reflection: " << names.status();
  }
  std::vector<std::string> missing = MissingNames(*names, expected);
  if (!missing.empty()) {
    return ::testing::AssertionFailure()
           << "not listed: " << absl::StrJoin(missing, ", ")
           << "; listed: " << absl::StrJoin(*names, ", ");
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult ServerProcessTest::DiesOnSigkill(
    ServerProcess& server) {
  server.Signal(SIGKILL);
  absl::StatusOr<int> code = server.Wait();
  if (!code.ok()) {
    return ::testing::AssertionFailure() << "after SIGKILL: " << code.status();
  }
  if (*code != 128 + SIGKILL) {
    return ::testing::AssertionFailure() << "after SIGKILL: exit code " << *code
                                         << ", expected " << 128 + SIGKILL;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult ServerProcessTest::TerminatesCleanly(
    ServerProcess& server, absl::Duration timeout) {
  server.Signal(SIGTERM);
  absl::StatusOr<int> code = server.Wait(timeout);
  if (!code.ok()) {
    return ::testing::AssertionFailure() << "after SIGTERM: " << code.status();
  }
  if (*code != 0) {
    return ::testing::AssertionFailure()
           << "after SIGTERM: exit code " << *code << ", expected 0";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace nq57::testing
