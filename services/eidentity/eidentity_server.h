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
// Ownership: the server owns everything it built; the registry, the store
// and the feed live in DataServer (data_server.h says in which order things
// go). The host goes first, and it waits for every call, so no commit that
// refers to the catalogue is left when the catalogue goes.
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
#include "common/server/data_server.h"
#include "common/server/server.h"
#include "common/server/server_host.h"
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

class EidentityServer final : public DataServer {
 public:
  // The catalogue's path under the config directory.
  static constexpr char kCatalogPath[] = "/indicators/eidentity.textproto";

  static absl::StatusOr<std::unique_ptr<EidentityServer>> Create(
      const EidentityOptions& options);

  ServerHost& host() override { return *host_; }
  const EidentityCore& core() const { return core_; }

 private:
  EidentityServer(Basics basics, std::unique_ptr<IndicatorCatalog> catalog,
                  EidentityCoreOptions options);

  const std::unique_ptr<IndicatorCatalog> catalog_;
  const EidentityCore core_;
  EidentityService eidentity_;
  std::unique_ptr<ServerHost> host_;  // last: stops serving first
};

}  // namespace nq57::eidentity

#endif  // NQ57_SERVICES_EIDENTITY_EIDENTITY_SERVER_H_
