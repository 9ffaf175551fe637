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
// Ownership: members are destroyed in reverse order of declaration: the
// host first (no call in flight), then the store (which completes queued
// commits) before the registry and catalogue its commits refer to.
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
#include "common/server/change_feed_service.h"
#include "common/server/server.h"
#include "common/server/server_host.h"
#include "common/store/store.h"
#include "common/units/unit_registry.h"
#include "services/publicservice/publicservice_core.h"
#include "services/publicservice/publicservice_service.h"

namespace nq57::publicservice {

struct PublicServiceOptions {
  ServerOptions server;
};

class PublicServiceServer final : public Server {
 public:
  // The catalogue file, relative to the config directory.
  static constexpr char kCatalogPath[] = "indicators/publicservice.textproto";

  static absl::StatusOr<std::unique_ptr<PublicServiceServer>> Create(
      const PublicServiceOptions& options);

  ServerHost& host() override { return *host_; }
  void BeginShutdown() override { store_->change_log().Close(); }

  Store& store() { return *store_; }
  const PublicServiceCore& core() const { return core_; }

 private:
  PublicServiceServer(std::unique_ptr<UnitRegistry> units,
                      std::unique_ptr<IndicatorCatalog> catalog,
                      std::unique_ptr<Store> store);

  const std::unique_ptr<UnitRegistry> units_;
  const std::unique_ptr<IndicatorCatalog> catalog_;
  const std::unique_ptr<Store> store_;
  const PublicServiceCore core_;
  PublicServiceStatisticsService statistics_;
  ChangeFeedService feed_;
  std::unique_ptr<ServerHost> host_;  // last: stops serving first
};

}  // namespace nq57::publicservice

#endif  // NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_SERVER_H_
