// ParseServerFlags: the common flags every server takes, and their
// environment variables (a flag on the command line wins).
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/server/server_main.h"
#include "gtest/gtest.h"

namespace nq57 {
namespace {

constexpr ProgramInfo kInfo = {.program = "test-server",
                               .default_listen = "127.0.0.1:50999"};

absl::StatusOr<ServerOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "test-server");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return ParseServerFlags(static_cast<int>(argv.size()), argv.data(), kInfo);
}

// Flags keep their values between parses in one process, so every case sets
// the ones it looks at.
const std::vector<std::string> kReset = {
    "--listen=", "--data_dir=", "--config_dir=deploy/config",
    "--metrics_listen=", "--log_format=json", "--drain_seconds=10",
    "--tls_cert=", "--tls_key=", "--tls_client_ca=", "--tls_ca=",
    "--tls_refresh_seconds=30", "--allow_insecure=false",
    "--health_listen=", "--accept_data_loss=false", "--max_write_queue=10000",
    "--max_streams=1000", "--max_streams_per_peer=100", "--max_call_seconds=60",
    // Last: a case drops it.
    "--province="};

std::vector<std::string> With(std::vector<std::string> extra) {
  std::vector<std::string> args = kReset;
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(ParseServerFlags, DefaultsComeFromTheProgram) {
  absl::StatusOr<ServerOptions> o = Parse(With({}));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->program, "test-server");
  EXPECT_EQ(o->listen, "127.0.0.1:50999");
  EXPECT_EQ(o->data_dir, "var/test-server");
  EXPECT_EQ(o->config_dir, "deploy/config");
  EXPECT_EQ(o->metrics_listen, "");
  EXPECT_EQ(o->drain, absl::Seconds(10));
  EXPECT_EQ(o->province, "");
}

TEST(ParseServerFlags, ProvinceFromFlagOrEnvironment) {
  absl::StatusOr<ServerOptions> o = Parse(With({"--province=provinces/25"}));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->province, "provinces/25");
  setenv("NQ57_PROVINCE", "provinces/01", 1);
  std::vector<std::string> args = kReset;
  args.pop_back();  // no --province on the command line
  o = Parse(args);
  unsetenv("NQ57_PROVINCE");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->province, "provinces/01");
  for (const char* bad : {"--province=25", "--province=provinces/",
                          "--province=provinces/25/communes/07900"}) {
    o = Parse(With({bad}));
    ASSERT_FALSE(o.ok()) << bad;
    EXPECT_NE(o.status().message().find("--province: expected provinces/NN"),
              std::string::npos);
  }
}

TEST(ParseServerFlags, EveryFlagIsRead) {
  absl::StatusOr<ServerOptions> o = Parse(With(
      {"--listen=0.0.0.0:7000", "--data_dir=/data", "--config_dir=/etc/nq57",
       "--metrics_listen=127.0.0.1:0", "--drain_seconds=3",
       "--tls_cert=/tls/tls.crt", "--tls_key=/tls/tls.key",
       "--tls_client_ca=/tls/ca.crt", "--tls_ca=/tls/upstream.crt",
       "--tls_refresh_seconds=5", "--health_listen=0.0.0.0:7001"}));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->tls.cert, "/tls/tls.crt");
  EXPECT_EQ(o->tls.key, "/tls/tls.key");
  EXPECT_EQ(o->tls.client_ca, "/tls/ca.crt");
  EXPECT_EQ(o->tls.refresh_seconds, 5);
  EXPECT_EQ(o->tls_ca, "/tls/upstream.crt");
  EXPECT_EQ(o->client_tls().ca, "/tls/upstream.crt");
  EXPECT_EQ(o->client_tls().cert, "/tls/tls.crt");
  EXPECT_EQ(o->health_listen, "0.0.0.0:7001");
  EXPECT_FALSE(o->allow_insecure);
  EXPECT_EQ(o->listen, "0.0.0.0:7000");
  EXPECT_EQ(o->data_dir, "/data");
  EXPECT_EQ(o->config_dir, "/etc/nq57");
  EXPECT_EQ(o->metrics_listen, "127.0.0.1:0");
  EXPECT_EQ(o->drain, absl::Seconds(3));
}

TEST(ParseServerFlags, PlaintextOffLoopbackNeedsAllowInsecure) {
  absl::StatusOr<ServerOptions> o = Parse(With({"--listen=0.0.0.0:7000"}));
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("--listen: 0.0.0.0:7000 is not a "
                                      "loopback address"),
            std::string::npos)
      << o.status();
  setenv("NQ57_ALLOW_INSECURE", "true", 1);
  std::vector<std::string> args = kReset;
  args.erase(std::find(args.begin(), args.end(), "--allow_insecure=false"));
  args.push_back("--listen=0.0.0.0:7000");
  o = Parse(args);
  unsetenv("NQ57_ALLOW_INSECURE");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->allow_insecure);
  // The client CA defaults to the one clients are checked against.
  o = Parse(With({"--tls_cert=a", "--tls_key=b", "--tls_client_ca=ca"}));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->client_tls().ca, "ca");
}

TEST(ParseServerFlags, EnvironmentSetsFlagsAndTheCommandLineWins) {
  setenv("NQ57_DATA_DIR", "/from-env", 1);
  setenv("NQ57_DRAIN_SECONDS", "7", 1);
  absl::StatusOr<ServerOptions> o = Parse({"--listen=", "--data_dir="});
  // An explicit (even empty) flag on the command line wins; the program's
  // default then applies.
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->data_dir, "var/test-server");
  EXPECT_EQ(o->drain, absl::Seconds(7));
  o = Parse({"--listen="});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->data_dir, "/from-env");
  unsetenv("NQ57_DATA_DIR");
  unsetenv("NQ57_DRAIN_SECONDS");
}

TEST(ParseServerFlags, LimitsFromFlagsOrEnvironment) {
  struct Limits {
    size_t write_queue, streams, streams_per_peer;
    absl::Duration call;
    bool accept_data_loss;
  };
  auto limits_of = [](const ServerOptions& o) {
    // What the store and the host are given, not only the options.
    EXPECT_EQ(o.store_options({}).max_queued, o.max_write_queue);
    EXPECT_EQ(o.store_options({}).accept_data_loss, o.accept_data_loss);
    EXPECT_EQ(o.host_options().max_call, o.max_call);
    return Limits{o.max_write_queue, o.max_streams, o.max_streams_per_peer,
                  o.max_call, o.accept_data_loss};
  };
  auto expect = [](const Limits& got, const Limits& want) {
    EXPECT_EQ(got.write_queue, want.write_queue);
    EXPECT_EQ(got.streams, want.streams);
    EXPECT_EQ(got.streams_per_peer, want.streams_per_peer);
    EXPECT_EQ(got.call, want.call);
    EXPECT_EQ(got.accept_data_loss, want.accept_data_loss);
  };
  absl::StatusOr<ServerOptions> o = Parse(kReset);
  ASSERT_TRUE(o.ok()) << o.status();
  expect(limits_of(*o), {10000, 1000, 100, absl::Seconds(60), false});

  const std::pair<const char*, const char*> environment[] = {
      {"NQ57_MAX_WRITE_QUEUE", "77"},
      {"NQ57_MAX_STREAMS", "50"},
      {"NQ57_MAX_STREAMS_PER_PEER", "5"},
      {"NQ57_MAX_CALL_SECONDS", "9"},
      {"NQ57_ACCEPT_DATA_LOSS", "true"}};
  for (const auto& [name, value] : environment) setenv(name, value, 1);
  o = Parse({"--listen="});
  for (const auto& [name, value] : environment) unsetenv(name);
  ASSERT_TRUE(o.ok()) << o.status();
  expect(limits_of(*o), {77, 50, 5, absl::Seconds(9), true});
}

TEST(ParseServerFlags, BadValuesNameTheFlag) {
  struct Case {
    std::string flag;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"--log_format=xml", "--log_format: expected json or text"},
           {"--listen=nonsense", "--listen: expected HOST:PORT"},
           {"--listen=127.0.0.1:70000", "--listen: expected HOST:PORT"},
           {"--drain_seconds=-1", "--drain_seconds: expected 0..3600"},
           {"--drain_seconds=3601", "--drain_seconds: expected 0..3600"},
           {"--tls_refresh_seconds=0", "--tls_refresh_seconds: expected"},
           {"--health_listen=nope", "--health_listen: expected HOST:PORT"},
           {"--max_write_queue=0", "--max_write_queue: expected 1..1000000"},
           {"--max_streams=0", "--max_streams: expected 1..100000"},
           {"--max_streams_per_peer=1001",
            "--max_streams_per_peer: expected 1..--max_streams"},
           {"--max_call_seconds=0", "--max_call_seconds: expected 1..86400"}}) {
    absl::StatusOr<ServerOptions> o = Parse(With({c.flag}));
    ASSERT_FALSE(o.ok()) << c.flag;
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(o.status().message().find(c.message), std::string::npos)
        << o.status();
  }
  absl::StatusOr<ServerOptions> o = Parse(With({"positional"}));
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("unexpected argument"),
            std::string::npos);
}

}  // namespace
}  // namespace nq57
