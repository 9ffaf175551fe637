// Server: one running nq57 server, as every service builds it.
//
// Each service has one `XServer` class with
//
//   static absl::StatusOr<std::unique_ptr<XServer>> Create(const XOptions&);
//
// that loads its configuration, opens its store, builds its core and its
// gRPC services, and only then starts the ServerHost (gRPC, health,
// reflection, /metrics): nothing is served before everything it serves
// exists. XOptions holds a ServerOptions (the settings every server shares)
// plus the service's own. ServerMain (server_main.h) runs an XServer as a
// process; tests create one directly on port 0.
//
// Ownership: the XServer owns everything it built; its ServerHost is
// destroyed first, so no call is in flight when the store closes.
// Thread-safety: host() and BeginShutdown() may be called from any thread;
// BeginShutdown() once.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<criteria::CriteriaServer> server,
//                    criteria::CriteriaServer::Create(
//                        {.server = {.listen = "127.0.0.1:0",
//                                    .data_dir = "/tmp/criteria"}}));
//   std::cout << server->host().address() << "\n";
#ifndef NQ57_COMMON_SERVER_SERVER_H_
#define NQ57_COMMON_SERVER_SERVER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "common/server/server_host.h"
#include "common/store/store.h"

namespace nq57 {

// The settings every server gets, from flags or environment (server_main.h).
struct ServerOptions {
  std::string program = "nq57-server";  // for logs
  std::string listen = "127.0.0.1:0";   // "host:port"; port 0 picks one
  std::string data_dir;                 // the store; created if missing
  std::string config_dir = "deploy/config";
  std::string metrics_listen;  // empty: no /metrics
  // The province this deployment serves ("provinces/25"); writes for a unit
  // outside it are rejected. Empty: the whole country.
  std::string province;
  absl::Duration drain = absl::Seconds(10);
  // TLS of the served port (tls_credentials.h); no cert: plaintext, which
  // only loopback addresses get unless allow_insecure.
  ServerTls tls;
  bool allow_insecure = false;
  // The CA of the servers this process calls (the aggregator's sources);
  // empty: tls.client_ca. As a client it presents tls.cert.
  std::string tls_ca;
  // Plaintext grpc.health.v1 only, for probes; empty: none.
  std::string health_listen;
  // The access policy (access_gate.h). Needs mTLS; with a client CA and no
  // path, <config_dir>/access/access.textproto.
  std::string access_policy;
  // Serve a store whose write-ahead log does not replay completely, with
  // what replays, under a new log identity (store.h). Off: refuse to start.
  bool accept_data_loss = false;
  // Write requests waiting for the store's writer beyond which writes are
  // refused with RESOURCE_EXHAUSTED.
  size_t max_write_queue = 10000;
  // Open streams (Subscribe, WatchReports) in all and per peer, beyond
  // which a new stream is refused with RESOURCE_EXHAUSTED; 0: no limit.
  size_t max_streams = 1000;
  size_t max_streams_per_peer = 100;
  // How long one unary call may run before the server cancels it
  // (call_deadline.h).
  absl::Duration max_call = absl::Seconds(60);
  // Where StoreAdmin/CreateBackup writes backups (store_admin_service.h);
  // empty: backups are refused. The newest `backups_to_keep` are kept.
  std::string backup_dir;
  int backups_to_keep = 7;

  // How the store is opened.
  StoreOptions store_options(std::vector<std::string> column_families) const {
    return {.column_families = std::move(column_families),
            .accept_data_loss = accept_data_loss,
            .max_queued = max_write_queue};
  }

  // The access policy in force: empty on a server without client
  // certificates (every call is admitted).
  std::string access_policy_path() const {
    if (tls.client_ca.empty()) return "";
    return access_policy.empty() ? config_dir + "/access/access.textproto"
                                 : access_policy;
  }

  // The credentials this process calls other servers with.
  ClientTls client_tls() const {
    return {.ca = tls_ca.empty() ? tls.client_ca : tls_ca,
            .cert = tls.cert,
            .key = tls.key,
            .refresh_seconds = tls.refresh_seconds};
  }
  // What its ServerHost is started with; the service adds its metrics.
  ServerHostOptions host_options() const {
    return {.listen = listen,
            .metrics_listen = metrics_listen,
            .tls = tls,
            .allow_insecure = allow_insecure,
            .health_listen = health_listen,
            .max_call = max_call};
  }
};

class Server {
 public:
  virtual ~Server() = default;
  // The running gRPC server: its address and health.
  virtual ServerHost& host() = 0;
  // Draining begins: end long-lived streams (close the change log, stop
  // following sources) before in-flight calls are awaited.
  virtual void BeginShutdown() = 0;
};

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_SERVER_H_
