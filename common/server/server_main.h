// ServerMain: the whole life of an nq57 server process, shared by every
// service's main.cc.
//
// It parses the common flags (each also settable through the environment:
// --listen / NQ57_LISTEN, --data_dir / NQ57_DATA_DIR, --config_dir /
// NQ57_CONFIG_DIR, --log_format / NQ57_LOG_FORMAT, --drain_seconds /
// NQ57_DRAIN_SECONDS, --metrics_listen / NQ57_METRICS_LISTEN; a flag on the
// command line wins over the environment), builds the service through the
// caller's factory, serves (and, with --metrics_listen, exposes /metrics
// for Prometheus, printing "<program> metrics on HOST:PORT"), prints
// "<program> listening on HOST:PORT" as one line on stdout, and on
// SIGTERM or SIGINT: marks health NOT_SERVING, ends change-feed streams,
// drains in-flight calls within the drain deadline, closes the store and
// returns 0. Bad flag values print one clear line and return 2; a service
// that cannot start returns 1.
//
//   int main(int argc, char** argv) {
//     return nq57::ServerMain(argc, argv,
//                             {.program = "criteria-server",
//                              .default_listen = "127.0.0.1:50571"},
//                             &nq57::criteria::BuildCriteriaServer);
//   }
#ifndef NQ57_COMMON_SERVER_SERVER_MAIN_H_
#define NQ57_COMMON_SERVER_SERVER_MAIN_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/impl/codegen/service_type.h"

namespace nq57 {

class ServerHost;
class MetricSink;

// The settings every server gets from flags or environment.
struct ServerConfig {
  std::string program;
  std::string listen;
  std::string data_dir;
  std::string config_dir;
  std::string metrics_listen;  // empty: no /metrics
  absl::Duration drain = absl::Seconds(10);
};

// What a service contributes to the common server: the gRPC services it
// serves and how to wind down. Owns the service's state (its store).
class ServiceBundle {
 public:
  virtual ~ServiceBundle() = default;
  // Services to register; owned by the bundle.
  virtual std::vector<grpc::Service*> services() = 0;
  // Fully-qualified names for health, e.g. "nq57.criteria.v1.CriteriaService".
  virtual std::vector<std::string> service_names() = 0;
  // Called once the server listens. Returns when the service is ready to
  // answer (the aggregator may set health itself and return at once).
  virtual absl::Status OnStarted(ServerHost& host) {
    (void)host;
    return absl::OkStatus();
  }
  // False (the default): the server reports SERVING as soon as OnStarted
  // returns. True: the bundle calls host.SetServing itself, e.g. the
  // aggregator once its sources have caught up.
  virtual bool ManagesHealth() const { return false; }
  // Reports the service's own values when /metrics is scraped (e.g. its
  // store's commit counters through ReportStoreMetrics). Thread-safe.
  virtual void CollectMetrics(MetricSink& sink) { (void)sink; }
  // Called when draining begins, before in-flight calls are awaited: end
  // long-lived streams here (e.g. close the change log).
  virtual void BeginShutdown() {}
};

using BundleFactory =
    absl::AnyInvocable<absl::StatusOr<std::unique_ptr<ServiceBundle>>(
        const ServerConfig&)>;

struct ProgramInfo {
  const char* program;         // e.g. "criteria-server"
  const char* default_listen;  // e.g. "127.0.0.1:50571"
};

int ServerMain(int argc, char** argv, const ProgramInfo& info,
               BundleFactory factory);

// Parses flags and environment into a config (exposed for tests). Returns
// INVALID_ARGUMENT naming the flag on a bad value.
absl::StatusOr<ServerConfig> ParseServerFlags(int argc, char** argv,
                                              const ProgramInfo& info);

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_SERVER_MAIN_H_
