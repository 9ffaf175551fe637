#include "common/server/server_main.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "common/security/tls_flags.h"
#include "common/server/server_host.h"
#include "google/protobuf/stubs/logging.h"
#include "grpc/support/log.h"

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
ABSL_FLAG(std::string, province, "",
          "the province this deployment serves, e.g. provinces/25: writes for "
          "units outside it are rejected; empty = the whole country (env "
          "NQ57_PROVINCE)");
ABSL_FLAG(int, drain_seconds, 10,
          "on SIGTERM, how long in-flight calls may finish before they are "
          "cancelled (env NQ57_DRAIN_SECONDS)");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA a client certificate must be signed by (mTLS; the caller's "
          "identity is its URI SAN) (env NQ57_TLS_CLIENT_CA)");
ABSL_FLAG(bool, allow_insecure, false,
          "serve plaintext on a non-loopback --listen address (a warning is "
          "logged) (env NQ57_ALLOW_INSECURE)");
ABSL_FLAG(std::string, access_policy, "",
          "the access policy (textproto) an mTLS server enforces; default "
          "<config_dir>/access/access.textproto (env NQ57_ACCESS_POLICY)");
ABSL_FLAG(std::string, health_listen, "",
          "HOST:PORT of a plaintext server that answers grpc.health.v1 only, "
          "for probes without a client certificate (env NQ57_HEALTH_LISTEN)");

ABSL_FLAG(bool, accept_data_loss, false,
          "start even if the store's write-ahead log does not replay "
          "completely: serve what replays, under a new log identity so "
          "consumers rebuild; without it such a store stops the start with "
          "exit code 3 (env NQ57_ACCEPT_DATA_LOSS)");
ABSL_FLAG(int, max_write_queue, 10000,
          "write requests waiting for the store's writer beyond which "
          "writes are refused with RESOURCE_EXHAUSTED (env "
          "NQ57_MAX_WRITE_QUEUE)");

ABSL_FLAG(int, max_streams, 1000,
          "open streams (Subscribe, WatchReports) this server holds at once; "
          "more are refused with RESOURCE_EXHAUSTED (env NQ57_MAX_STREAMS)");
ABSL_FLAG(int, max_call_seconds, 60,
          "longest a unary call may run: the server cancels it then, "
          "whatever deadline the client sent (env NQ57_MAX_CALL_SECONDS)");
ABSL_FLAG(std::string, backup_dir, "",
          "directory the StoreAdmin/CreateBackup call writes online backups "
          "of the store to (its own volume); empty = backups are refused "
          "(env NQ57_BACKUP_DIR)");
ABSL_FLAG(int, backups_to_keep, 7,
          "backups kept in --backup_dir after a new one; older ones are "
          "deleted (env NQ57_BACKUPS_TO_KEEP)");
ABSL_FLAG(int, max_streams_per_peer, 100,
          "open streams one caller (its identity, or its address) may hold "
          "(env NQ57_MAX_STREAMS_PER_PEER)");

namespace nq57 {
namespace {

// Environment values go in front of the real arguments, so an explicit flag
// on the command line (parsed later) wins.
std::vector<std::string> ArgsWithEnvironment(int argc, char** argv) {
  // Each flag's variable is NQ57_ and its name in capitals.
  static constexpr const char* kFromEnvironment[] = {"listen",
                                                     "data_dir",
                                                     "config_dir",
                                                     "log_format",
                                                     "drain_seconds",
                                                     "metrics_listen",
                                                     "province",
                                                     "tls_cert",
                                                     "tls_key",
                                                     "tls_client_ca",
                                                     "tls_ca",
                                                     "tls_refresh_seconds",
                                                     "allow_insecure",
                                                     "health_listen",
                                                     "access_policy",
                                                     "accept_data_loss",
                                                     "max_write_queue",
                                                     "max_streams",
                                                     "max_streams_per_peer",
                                                     "max_call_seconds",
                                                     "backup_dir",
                                                     "backups_to_keep"};
  std::vector<std::string> args = {argv[0]};
  for (const char* flag : kFromEnvironment) {
    const std::string env = absl::StrCat("NQ57_", absl::AsciiStrToUpper(flag));
    if (const char* value = std::getenv(env.c_str())) {
      args.push_back(absl::StrCat("--", flag, "=", value));
    }
  }
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  return args;
}

}  // namespace

absl::StatusOr<ServerOptions> ParseServerFlags(int argc, char** argv,
                                               const ProgramInfo& info) {
  static std::once_flag usage_once;  // absl allows one usage message
  std::call_once(usage_once, [&] {
    absl::SetProgramUsageMessage(absl::StrCat(
        info.program, ": an nq57 service.\nUsage: ", info.program,
        " [--listen=HOST:PORT] [--data_dir=DIR] [--config_dir=DIR]"));
  });
  std::vector<std::string> args = ArgsWithEnvironment(argc, argv);
  std::vector<char*> raw;
  for (std::string& a : args) raw.push_back(a.data());
  std::vector<char*> rest =
      absl::ParseCommandLine(static_cast<int>(raw.size()), raw.data());
  if (rest.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unexpected argument \"", rest[1], "\" (flags are --name=value)"));
  }
  ServerOptions options;
  options.program = info.program;
  options.listen = absl::GetFlag(FLAGS_listen);
  if (options.listen.empty()) options.listen = info.default_listen;
  RETURN_IF_ERROR(CheckListenAddress(options.listen, "--listen"));
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  if (options.data_dir.empty()) {
    options.data_dir = absl::StrCat("var/", info.program);
  }
  options.config_dir = absl::GetFlag(FLAGS_config_dir);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.province = absl::GetFlag(FLAGS_province);
  if (!options.province.empty() &&
      (options.province.rfind("provinces/", 0) != 0 ||
       options.province.find('/', 10) != std::string::npos ||
       options.province.size() == 10)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--province: expected provinces/NN, got \"",
                     options.province.substr(0, 64), "\""));
  }
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
  options.drain = absl::Seconds(drain);
  const ClientTls tls = ClientTlsFromFlags();
  options.tls = {.cert = tls.cert,
                 .key = tls.key,
                 .client_ca = absl::GetFlag(FLAGS_tls_client_ca),
                 .refresh_seconds = tls.refresh_seconds};
  if (options.tls.refresh_seconds < 1 || options.tls.refresh_seconds > 86400) {
    return absl::InvalidArgumentError(
        "--tls_refresh_seconds: expected 1..86400");
  }
  options.tls_ca = tls.ca;
  options.allow_insecure = absl::GetFlag(FLAGS_allow_insecure);
  if (options.tls.client_ca.empty() && !options.allow_insecure &&
      !IsLoopbackAddress(options.listen)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--listen: ", options.listen,
        " is not a loopback address; serve it with mTLS (--tls_cert, "
        "--tls_key and --tls_client_ca: without client certificates every "
        "call is admitted), or say --allow_insecure"));
  }
  options.access_policy = absl::GetFlag(FLAGS_access_policy);
  if (!options.access_policy.empty() && options.tls.client_ca.empty()) {
    return absl::InvalidArgumentError(
        "--access_policy: needs --tls_client_ca (identities come from "
        "client certificates)");
  }
  options.accept_data_loss = absl::GetFlag(FLAGS_accept_data_loss);
  const int queue = absl::GetFlag(FLAGS_max_write_queue);
  if (queue < 1 || queue > 1000000) {
    return absl::InvalidArgumentError("--max_write_queue: expected 1..1000000");
  }
  options.max_write_queue = static_cast<size_t>(queue);
  const int streams = absl::GetFlag(FLAGS_max_streams);
  const int per_peer = absl::GetFlag(FLAGS_max_streams_per_peer);
  if (streams < 1 || streams > 100000) {
    return absl::InvalidArgumentError("--max_streams: expected 1..100000");
  }
  if (per_peer < 1 || per_peer > streams) {
    return absl::InvalidArgumentError(
        "--max_streams_per_peer: expected 1..--max_streams");
  }
  options.max_streams = static_cast<size_t>(streams);
  const int max_call = absl::GetFlag(FLAGS_max_call_seconds);
  if (max_call < 1 || max_call > 86400) {
    return absl::InvalidArgumentError("--max_call_seconds: expected 1..86400");
  }
  options.max_call = absl::Seconds(max_call);
  options.max_streams_per_peer = static_cast<size_t>(per_peer);
  options.backup_dir = absl::GetFlag(FLAGS_backup_dir);
  options.backups_to_keep = absl::GetFlag(FLAGS_backups_to_keep);
  if (options.backups_to_keep < 1 || options.backups_to_keep > 1000) {
    return absl::InvalidArgumentError("--backups_to_keep: expected 1..1000");
  }
  options.health_listen = absl::GetFlag(FLAGS_health_listen);
  if (!options.health_listen.empty()) {
    RETURN_IF_ERROR(
        CheckListenAddress(options.health_listen, "--health_listen"));
  }
  return options;
}

namespace {

// gRPC's and protobuf's own diagnostics ("E1202 ... hpack_parser.cc",
// "[libprotobuf ERROR ...]") would otherwise be plain text lines in the
// middle of the JSON log; they become its lines instead.
void GrpcLog(gpr_log_func_args* args) {
  const std::string_view where = args->file == nullptr ? "" : args->file;
  const std::initializer_list<LogField> fields = {
      {"library", "grpc"},
      {"detail", args->message == nullptr ? "" : args->message},
      {"source", where},
      {"line", args->line}};
  if (args->severity == GPR_LOG_SEVERITY_ERROR) {
    LogError("grpc", fields);
  } else {
    LogInfo("grpc", fields);
  }
}

void ProtobufLog(google::protobuf::LogLevel level, const char* file, int line,
                 const std::string& message) {
  const std::initializer_list<LogField> fields = {{"library", "protobuf"},
                                                  {"detail", message},
                                                  {"source", file},
                                                  {"line", line}};
  if (level >= google::protobuf::LOGLEVEL_ERROR) {
    LogError("protobuf", fields);
  } else {
    LogWarning("protobuf", fields);
  }
}

}  // namespace

namespace server_main_internal {

void RouteLibraryLogs() {
  gpr_set_log_function(GrpcLog);
  google::protobuf::SetLogHandler(ProtobufLog);
}

void BlockTerminationSignals() {
  // Blocked in every thread (gRPC's and RocksDB's threads inherit the mask)
  // and taken synchronously in Serve: no async signal handler, no races with
  // the shutdown sequence.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int FlagError(const ProgramInfo& info, const absl::Status& status) {
  std::cerr << info.program << ": " << status.message() << "\n";
  return 2;
}

int Serve(const ProgramInfo& info, const ServerOptions& options,
          absl::StatusOr<std::unique_ptr<Server>> server) {
  if (!server.ok()) {
    const bool damaged = IsDamage(server.status());
    LogError(
        damaged ? "store damaged" : "cannot start",
        {{"program", info.program}, {"error", server.status().ToString()}});
    std::cerr << info.program << ": " << server.status().message() << "\n";
    return damaged ? kExitDamagedStore : 1;
  }
  ServerHost& host = (*server)->host();
  if (!host.metrics_address().empty()) {
    std::cout << info.program << " metrics on " << host.metrics_address()
              << std::endl;
  }
  if (!host.health_address().empty()) {
    std::cout << info.program << " health on " << host.health_address()
              << std::endl;
  }
  std::cout << info.program << " listening on " << host.address() << std::endl;
  LogInfo("serving", {{"program", info.program},
                      {"address", host.address()},
                      {"transport", !options.tls.enabled() ? "plaintext"
                                    : options.tls.client_ca.empty() ? "tls"
                                                                    : "mtls"},
                      {"data_dir", options.data_dir}});

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int signal = 0;
  sigwait(&signals, &signal);
  LogInfo("shutting down",
          {{"program", info.program},
           {"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
  const absl::Time drain_start = absl::Now();
  host.SetServing(false);
  (*server)->BeginShutdown();
  host.Shutdown(options.drain);
  LogInfo("drained", {{"program", info.program},
                      {"drain_ms",
                       absl::ToDoubleMilliseconds(absl::Now() - drain_start)}});
  server->reset();  // closes the store: queued commits finish, WAL synced
  LogInfo("stopped", {{"program", info.program},
                      {"shutdown_ms",
                       absl::ToDoubleMilliseconds(absl::Now() - drain_start)}});
  return 0;
}

}  // namespace server_main_internal
}  // namespace nq57
