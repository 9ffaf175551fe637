// PublicServiceServer: publicservice-server as one object. It owns the unit
// registry, the indicator catalogue, the store, the domain core, the
// PublicServiceStatistics adapter and the change feed over the store's log,
// and the ServerHost that serves them.
//
// Create() loads <config_dir>/units and
// <config_dir>/indicators/publicservice.textproto (checking that the
// catalogue defines every measure the service records), opens the store
// under <data_dir> (created if missing), builds the core, the adapter and
// the feed, and only then starts the host: nothing is served before
// everything it serves exists. BeginShutdown() closes the change log so
// Subscribe streams end before the drain.
//
// Ownership: the registry, the store and the feed live in DataServer
// (data_server.h says in which order things go). The host goes first, and
// it waits for every call, so no commit that refers to the catalogue is left
// when the catalogue goes.
// Thread-safety: host() and BeginShutdown() may be called from any thread;
// the services it serves are thread-safe.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<PublicServiceServer> server,
//                    PublicServiceServer::Create(
//                        {.server = {.listen = "127.0.0.1:0",
//                                    .data_dir = "/tmp/publicservice"}}));
//   std::cout << server->host().address() << "\n";
#ifndef NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_SERVER_H_
#define NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_SERVER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/indicators/indicator_catalog.h"
#include "common/server/data_server.h"
#include "common/server/server.h"
#include "common/server/server_host.h"
#include "services/publicservice/publicservice_core.h"
#include "services/publicservice/publicservice_service.h"

namespace nq57::publicservice {

struct PublicServiceOptions {
  ServerOptions server;
};

class PublicServiceServer final : public DataServer {
 public:
  // The catalogue file, relative to the config directory.
  static constexpr char kCatalogPath[] = "indicators/publicservice.textproto";

  static absl::StatusOr<std::unique_ptr<PublicServiceServer>> Create(
      const PublicServiceOptions& options);

  ServerHost& host() override { return *host_; }
  const PublicServiceCore& core() const { return core_; }

 private:
  PublicServiceServer(Basics basics, std::unique_ptr<IndicatorCatalog> catalog);

  const std::unique_ptr<IndicatorCatalog> catalog_;
  const PublicServiceCore core_;
  PublicServiceStatisticsService statistics_;
  std::unique_ptr<ServerHost> host_;  // last: stops serving first
};

}  // namespace nq57::publicservice

#endif  // NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_SERVER_H_
