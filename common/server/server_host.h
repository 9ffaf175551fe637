// ServerHost: the gRPC server every nq57 service runs in.
//
// It owns the grpc::Server and gives every service the same outer shape:
// the grpc.health.v1 health service (NOT_SERVING until the owner calls
// SetServing(true), NOT_SERVING again when shutdown begins), server
// reflection that can describe every registered service including Health,
// one structured log line per RPC (method, peer, status code, latency) and
// its Prometheus counters (rpc_metrics()), /metrics when asked for, and a
// graceful drain. Services are registered, not owned.
//
// Transport: TLS or mTLS when `tls` names files (tls_credentials.h), else
// plaintext, which Start() allows only on loopback addresses unless
// `allow_insecure` says otherwise (then it logs a warning). With
// `health_listen`, a second, plaintext server answers grpc.health.v1 only,
// with the same statuses, for probes that cannot present a certificate.
//
// Thread-safe. Shutdown() may be called once from any thread; the destructor
// calls it with no drain time if the owner did not.
//
//   ASSIGN_OR_RETURN(
//       std::unique_ptr<ServerHost> host,
//       ServerHost::Start({.listen = "127.0.0.1:0"}, {&criteria_service},
//                         {"nq57.criteria.v1.CriteriaService"}));
//   host->SetServing(true);
//   std::cout << host->address() << std::endl;
#ifndef NQ57_COMMON_SERVER_SERVER_HOST_H_
#define NQ57_COMMON_SERVER_SERVER_HOST_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/security/tls_credentials.h"
#include "common/server/call_deadline.h"
#include "common/server/health_port.h"
#include "common/server/metrics.h"
#include "grpcpp/server.h"

namespace nq57 {

// A condition the host checks on its own, every health_check_period, and
// shows on the health service: `name` is SERVING while `check` returns OK.
// With `gates_server`, a failing check also makes the whole server (and
// every service named at Start) NOT_SERVING, whatever SetServing said. A
// transition is logged once, with the check's error. `check` must be
// thread-safe and quick.
struct HealthCheck {
  std::string name;  // e.g. "store:writes"
  std::function<absl::Status()> check;
  bool gates_server = false;
};

struct ServerHostOptions {
  // "host:port"; port 0 picks a free port (see address()).
  std::string listen = "127.0.0.1:0";
  // Largest request a client may send.
  int max_receive_message_bytes = 16 << 20;
  // "host:port" to serve Prometheus /metrics on; empty: none.
  std::string metrics_listen;
  ServerTls tls;
  // Plaintext on a non-loopback address (a warning is logged).
  bool allow_insecure = false;
  // "host:port" of the plaintext health-only server; empty: none.
  std::string health_listen;
  // How long one unary call may run before the server cancels it
  // (call_deadline.h); zero: no cap.
  absl::Duration max_call = absl::Seconds(60);
  // The service's own values, reported at each scrape (thread-safe; must
  // stay valid for the host's lifetime).
  std::function<void(MetricSink&)> collect_metrics;
  std::vector<HealthCheck> health_checks;
  absl::Duration health_check_period = absl::Milliseconds(200);
};

// OK if `listen` is "host:port" with a port in 0..65535; otherwise
// INVALID_ARGUMENT naming `flag` (e.g. "--listen").
absl::Status CheckListenAddress(std::string_view listen, std::string_view flag);

// The health service name that is SERVING from the moment a server serves
// until it begins to shut down, whatever its readiness: for liveness and
// startup probes, so an aggregator waiting for its sources is not
// restarted for it (readiness uses the overall status, "").
inline constexpr char kLivenessHealthName[] = "live";

class ServerHost {
 public:
  // Binds and starts serving `services` (not owned; they must outlive the
  // host). `health_names` are the fully-qualified service names whose health
  // status follows SetServing, e.g. "nq57.criteria.v1.CriteriaService".
  static absl::StatusOr<std::unique_ptr<ServerHost>> Start(
      const ServerHostOptions& options, std::vector<grpc::Service*> services,
      std::vector<std::string> health_names);
  ~ServerHost();

  // The bound address, with the real port when listening on port 0.
  const std::string& address() const { return address_; }
  int port() const { return port_; }

  // Where /metrics is served (real port), or empty.
  const std::string& metrics_address() const;
  // Where the plaintext health server listens (real port), or empty.
  const std::string& health_address() const;

  // Per-RPC counts and latencies, for a MetricsExporter.
  const RpcMetrics& rpc_metrics() const { return *rpc_metrics_; }
  // Unary calls cancelled for running past ServerHostOptions::max_call.
  int64_t calls_cancelled() const {
    return call_deadline_ ? call_deadline_->cancelled() : 0;
  }

  // Sets the overall health and that of every service named at Start
  // (NOT_SERVING regardless while a gating health check fails).
  void SetServing(bool serving);
  // Sets one service's health (e.g. the aggregator while one source is
  // down).
  void SetServiceServing(const std::string& name, bool serving);

  // Marks everything NOT_SERVING, stops accepting calls, waits up to `drain`
  // for in-flight calls, then cancels what is left.
  void Shutdown(absl::Duration drain);

 private:
  // One service's status ("" = the server) on both health services.
  void SetStatus(const std::string& name, bool serving)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ServerHost(std::unique_ptr<RpcMetrics> rpc_metrics,
             std::unique_ptr<CallDeadline> call_deadline,
             std::unique_ptr<grpc::Server> server, std::string address,
             int port, std::vector<std::string> health_names,
             std::vector<HealthCheck> checks, absl::Duration check_period);
  // Runs the health checks until shutdown.
  void CheckLoop();
  // Applies the owner's wish and the gating checks to the overall status.
  void ApplyServing() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Outlive server_: the interceptors use them. call_deadline_ is null
  // without a cap.
  const std::unique_ptr<RpcMetrics> rpc_metrics_;
  const std::unique_ptr<CallDeadline> call_deadline_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<HealthPort> health_port_;  // null without health_listen
  std::unique_ptr<MetricsExporter> metrics_;
  const std::string address_;
  const int port_;
  const std::vector<std::string> health_names_;
  const std::vector<HealthCheck> checks_;
  const absl::Duration check_period_;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  bool wanted_serving_ ABSL_GUARDED_BY(mu_) = false;
  // Per check: its last result (true = OK). Starts OK.
  std::vector<bool> check_ok_ ABSL_GUARDED_BY(mu_);
  std::thread checker_;
};

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_SERVER_HOST_H_
