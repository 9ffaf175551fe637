// ServerProcessTest: a test fixture that runs nq57 server binaries of this
// build as child processes, each in the test's own temp dir, and checks
// them as an ordinary gRPC client would.
//
// StartServer("x-server") runs <build>/bin/x-server on a free loopback port
// with --data_dir=<dir>/data, the shipped --config_dir (deploy/config of this
// source tree) and any extra flags, its stderr (the JSON log) in
// <dir>/stderr.log (ServerFlags changes any of these). A server that fails
// to start is a test failure. The checks every process test makes are
// AssertionResults, so a test states them with EXPECT_TRUE/ASSERT_TRUE:
// Serving (grpc.health.v1), ListsServices (reflection), DiesOnSigkill and
// TerminatesCleanly (SIGTERM drains and exits 0).
//
// The fixture owns nothing but its temp dir; the test owns each
// ServerProcess it gets. Not thread-safe. Links no server code.
//
//   class XProcessTest : public nq57::testing::ServerProcessTest {};
//   TEST_F(XProcessTest, Drains) {
//     std::unique_ptr<ServerProcess> server = StartServer("x-server");
//     ASSERT_NE(server, nullptr);
//     ASSERT_TRUE(Serving(ChannelTo(*server), "nq57.x.v1.XService"));
//     EXPECT_TRUE(TerminatesCleanly(*server));
//   }
#ifndef NQ57_TESTS_SUPPORT_PROCESS_FIXTURE_H_
#define NQ57_TESTS_SUPPORT_PROCESS_FIXTURE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "gtest/gtest.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace nq57::testing {

struct ServerFlags {
  std::string data = "data";       // --data_dir=Path(data)
  std::string log = "stderr.log";  // the server's stderr: Path(log)
  bool shipped_config = true;      // --config_dir=ShippedConfigDir()
  std::vector<std::string> extra;  // appended as they are
};

class ServerProcessTest : public TempDirTest {
 protected:
  // The flags StartServer passes: --listen=127.0.0.1:0, then `flags`.
  std::vector<std::string> ServerArgs(const ServerFlags& flags = {}) const;
  // Starts BinaryPath(`binary`) with ServerArgs(flags); nullptr (and a
  // test failure) if it did not start.
  std::unique_ptr<ServerProcess> StartServer(std::string_view binary,
                                             const ServerFlags& flags = {});
  // What the servers started with the default log wrote to stderr.log.
  std::string ServerLog() const;

  // An insecure channel to `server`'s address.
  static std::shared_ptr<grpc::Channel> ChannelTo(const ServerProcess& server);
  // The Check of `service` ("" = the whole server) answers SERVING.
  static ::testing::AssertionResult Serving(
      const std::shared_ptr<grpc::Channel>& channel,
      const std::string& service);
  // Reflection lists every one of `expected` (among others).
  static ::testing::AssertionResult ListsServices(
      const std::shared_ptr<grpc::Channel>& channel,
      const std::vector<std::string>& expected);
  // SIGKILL, then the child ends by that signal (exit code 128 + SIGKILL).
  static ::testing::AssertionResult DiesOnSigkill(ServerProcess& server);
  // SIGTERM, then the exit code is 0 within `timeout`.
  static ::testing::AssertionResult TerminatesCleanly(
      ServerProcess& server, absl::Duration timeout = absl::Seconds(30));
};

}  // namespace nq57::testing

#endif  // NQ57_TESTS_SUPPORT_PROCESS_FIXTURE_H_
