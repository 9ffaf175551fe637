// EidentityServer: eidentity-server assembled (the e-identity and Project 06
// metrics service, nq57.eidentity.v1), as ServerMain and the tests run it.
//
// Create() loads <config_dir>/units and
// <config_dir>/indicators/eidentity.textproto, opens the store under
// <data_dir> (creating it), builds the domain core, the EidentityService
// adapter and the change feed over the store's log, and only then starts
// the host (gRPC, health SERVING, reflection, /metrics with the store's
// values). BeginShutdown() closes the change log so Subscribe streams end
// before the drain.
//
// Ownership: the server owns everything it built. Members are destroyed in
// reverse order of declaration: the host first (no call in flight), then the
// store (which completes queued commits) before the registry and catalogue
// those commits refer to.
// Thread-safety: host() and BeginShutdown() may be called from any thread;
// the services it serves are thread-safe.
//
//   ASSIGN_OR_RETURN(
//       std::unique_ptr<eidentity::EidentityServer> server,
//       eidentity::EidentityServer::Create(
//           {.server = {.listen = "127.0.0.1:0", .data_dir = "/tmp/eid"},
//            .stale_after_days = 10}));
//   std::cout << server->host().address() << "\n";
#ifndef NQ57_SERVICES_EIDENTITY_EIDENTITY_SERVER_H_
#define NQ57_SERVICES_EIDENTITY_EIDENTITY_SERVER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/indicators/indicator_catalog.h"
#include "common/server/change_feed_service.h"
#include "common/server/server.h"
#include "common/server/server_host.h"
#include "common/store/store.h"
#include "common/units/unit_registry.h"
#include "services/eidentity/eidentity_core.h"
#include "services/eidentity/eidentity_service.h"

namespace nq57::eidentity {

struct EidentityOptions {
  ServerOptions server;
  // A reporting commune whose latest report is more than this many days
  // before the as-of date of a rollup is stale, unless the request says.
  // Must be positive (main.cc checks the flag).
  int stale_after_days = kDefaultStaleAfterDays;
};

class EidentityServer final : public Server {
 public:
  // The catalogue's path under the config directory.
  static constexpr char kCatalogPath[] = "/indicators/eidentity.textproto";

  static absl::StatusOr<std::unique_ptr<EidentityServer>> Create(
      const EidentityOptions& options);

  ServerHost& host() override { return *host_; }
  void BeginShutdown() override { store_->change_log().Close(); }

  Store& store() { return *store_; }
  const EidentityCore& core() const { return core_; }

 private:
  EidentityServer(std::unique_ptr<UnitRegistry> units,
                  std::unique_ptr<IndicatorCatalog> catalog,
                  std::unique_ptr<Store> store, EidentityCoreOptions options);

  const std::unique_ptr<UnitRegistry> units_;
  const std::unique_ptr<IndicatorCatalog> catalog_;
  const std::unique_ptr<Store> store_;
  const EidentityCore core_;
  EidentityService eidentity_;
  ChangeFeedService feed_;
  std::unique_ptr<ServerHost> host_;  // last: stops serving first
};

}  // namespace nq57::eidentity

#endif  // NQ57_SERVICES_EIDENTITY_EIDENTITY_SERVER_H_
