// CriteriaServer: criteria-server assembled — the unit registry, the store,
// the domain core, the CriteriaService adapter and the change feed over the
// store's log, then the running ServerHost that serves them.
//
// Create() loads <config_dir>/units, opens <data_dir> (Store::Open creates
// it), builds the core, the adapter and the feed, and only then starts the
// host, so nothing is served before everything it serves exists.
//
// Ownership: the server owns everything it built; the registry, the store
// and the feed live in DataServer (data_server.h says in which order things
// go). Thread-safety: host() and BeginShutdown() may be called from any
// thread (BeginShutdown() once); the core and the store are thread-safe.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<criteria::CriteriaServer> server,
//                    criteria::CriteriaServer::Create(
//                        {.server = {.listen = "127.0.0.1:0",
//                                    .data_dir = "/tmp/criteria"}}));
//   std::cout << server->host().address() << "\n";
#ifndef NQ57_SERVICES_CRITERIA_CRITERIA_SERVER_H_
#define NQ57_SERVICES_CRITERIA_CRITERIA_SERVER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/server/data_server.h"
#include "common/server/server.h"
#include "common/server/server_host.h"
#include "services/criteria/criteria_core.h"
#include "services/criteria/criteria_service.h"

namespace nq57::criteria {

struct CriteriaOptions {
  ServerOptions server;
};

class CriteriaServer final : public DataServer {
 public:
  static absl::StatusOr<std::unique_ptr<CriteriaServer>> Create(
      const CriteriaOptions& options);

  ServerHost& host() override { return *host_; }
  const CriteriaCore& core() const { return core_; }

 private:
  explicit CriteriaServer(Basics basics);

  const CriteriaCore core_;
  CriteriaService criteria_;
  std::unique_ptr<ServerHost> host_;  // last: stops serving first
};

}  // namespace nq57::criteria

#endif  // NQ57_SERVICES_CRITERIA_CRITERIA_SERVER_H_
