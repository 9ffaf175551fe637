#include "common/server/server_main.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/base/log.h"
#include "common/server/metrics.h"
#include "common/server/server_host.h"

ABSL_FLAG(std::string, listen, "",
          "HOST:PORT to serve on; port 0 picks a free one (env NQ57_LISTEN)");
ABSL_FLAG(std::string, data_dir, "",
          "directory of this service's RocksDB store (env NQ57_DATA_DIR)");
ABSL_FLAG(std::string, config_dir, "deploy/config",
          "directory of the versioned reference data: units, indicators, "
          "thresholds (env NQ57_CONFIG_DIR)");
ABSL_FLAG(std::string, log_format, "json",
          "json (one JSON object per line) or text (env NQ57_LOG_FORMAT)");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT to serve Prometheus /metrics on; empty = off (env "
          "NQ57_METRICS_LISTEN)");
ABSL_FLAG(int, drain_seconds, 10,
          "on SIGTERM, how long in-flight calls may finish before they are "
          "cancelled (env NQ57_DRAIN_SECONDS)");

namespace nq57 {
namespace {

// Environment values go in front of the real arguments, so an explicit flag
// on the command line (parsed later) wins.
std::vector<std::string> ArgsWithEnvironment(int argc, char** argv) {
  static constexpr std::pair<const char*, const char*> kEnv[] = {
      {"NQ57_LISTEN", "listen"},
      {"NQ57_DATA_DIR", "data_dir"},
      {"NQ57_CONFIG_DIR", "config_dir"},
      {"NQ57_LOG_FORMAT", "log_format"},
      {"NQ57_DRAIN_SECONDS", "drain_seconds"},
      {"NQ57_METRICS_LISTEN", "metrics_listen"}};
  std::vector<std::string> args = {argv[0]};
  for (const auto& [env, flag] : kEnv) {
    if (const char* value = std::getenv(env)) {
      args.push_back(absl::StrCat("--", flag, "=", value));
    }
  }
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  return args;
}

}  // namespace

absl::StatusOr<ServerConfig> ParseServerFlags(int argc, char** argv,
                                              const ProgramInfo& info) {
  absl::SetProgramUsageMessage(absl::StrCat(
      info.program, ": an nq57 service.\nUsage: ", info.program,
      " [--listen=HOST:PORT] [--data_dir=DIR] [--config_dir=DIR]"));
  std::vector<std::string> args = ArgsWithEnvironment(argc, argv);
  std::vector<char*> raw;
  for (std::string& a : args) raw.push_back(a.data());
  std::vector<char*> rest =
      absl::ParseCommandLine(static_cast<int>(raw.size()), raw.data());
  if (rest.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unexpected argument \"", rest[1], "\" (flags are --name=value)"));
  }
  ServerConfig config;
  config.program = info.program;
  config.listen = absl::GetFlag(FLAGS_listen);
  if (config.listen.empty()) config.listen = info.default_listen;
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  if (config.data_dir.empty()) {
    config.data_dir = absl::StrCat("var/", info.program);
  }
  config.config_dir = absl::GetFlag(FLAGS_config_dir);
  config.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  LogFormat format;
  if (!ParseLogFormat(absl::GetFlag(FLAGS_log_format), &format)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--log_format: expected json or text, got \"",
                     absl::GetFlag(FLAGS_log_format), "\""));
  }
  SetLogFormat(format);
  const int drain = absl::GetFlag(FLAGS_drain_seconds);
  if (drain < 0 || drain > 3600) {
    return absl::InvalidArgumentError("--drain_seconds: expected 0..3600");
  }
  config.drain = absl::Seconds(drain);
  return config;
}

int ServerMain(int argc, char** argv, const ProgramInfo& info,
               BundleFactory factory) {
  absl::StatusOr<ServerConfig> config = ParseServerFlags(argc, argv, info);
  if (!config.ok()) {
    std::cerr << info.program << ": " << config.status().message() << "\n";
    return 2;
  }
  // Block the termination signals in every thread (gRPC's and RocksDB's
  // threads inherit the mask) and take them synchronously below: no async
  // signal handler, no races with the shutdown sequence.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<std::unique_ptr<ServiceBundle>> bundle = factory(*config);
  if (!bundle.ok()) {
    LogError("cannot start", {{"program", info.program},
                              {"error", bundle.status().ToString()}});
    std::cerr << info.program << ": " << bundle.status() << "\n";
    return 1;
  }
  absl::StatusOr<std::unique_ptr<ServerHost>> host =
      ServerHost::Start({.listen = config->listen}, (*bundle)->services(),
                        (*bundle)->service_names());
  if (!host.ok()) {
    std::cerr << info.program << ": " << host.status().message() << "\n";
    return host.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::unique_ptr<MetricsExporter> metrics;
  if (!config->metrics_listen.empty()) {
    ServiceBundle* service = bundle->get();
    absl::StatusOr<std::unique_ptr<MetricsExporter>> exporter =
        MetricsExporter::Start(
            config->metrics_listen, {(*host)->rpc_metrics().registry()},
            [service](MetricSink& sink) { service->CollectMetrics(sink); });
    if (!exporter.ok()) {
      std::cerr << info.program << ": " << exporter.status().message() << "\n";
      return exporter.status().code() == absl::StatusCode::kInvalidArgument ? 2
                                                                            : 1;
    }
    metrics = std::move(*exporter);
    std::cout << info.program << " metrics on " << metrics->address()
              << std::endl;
  }
  absl::Status started = (*bundle)->OnStarted(**host);
  if (!started.ok()) {
    std::cerr << info.program << ": " << started << "\n";
    return 1;
  }
  if (!(*bundle)->ManagesHealth()) (*host)->SetServing(true);
  std::cout << info.program << " listening on " << (*host)->address()
            << std::endl;
  LogInfo("serving", {{"program", info.program},
                      {"address", (*host)->address()},
                      {"data_dir", config->data_dir}});

  int signal = 0;
  sigwait(&signals, &signal);
  LogInfo("shutting down",
          {{"program", info.program},
           {"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
  const absl::Time drain_start = absl::Now();
  (*host)->SetServing(false);
  (*bundle)->BeginShutdown();
  (*host)->Shutdown(config->drain);
  LogInfo("drained", {{"program", info.program},
                      {"drain_ms",
                       absl::ToDoubleMilliseconds(absl::Now() - drain_start)}});
  metrics.reset();
  host->reset();
  bundle->reset();  // closes the store: queued commits finish, WAL synced
  LogInfo("stopped", {{"program", info.program},
                      {"shutdown_ms",
                       absl::ToDoubleMilliseconds(absl::Now() - drain_start)}});
  return 0;
}

}  // namespace nq57
