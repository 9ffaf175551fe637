// DataServer: what the servers of the three data services (criteria,
// publicservice, eidentity) hold besides their core and RPC adapter: the
// deployment's unit registry, the RocksDB store, and the change feed over
// the store's log.
//
// Ownership and lifetime: a base's members are built before and destroyed
// after its subclass's, so the subclass's core and adapter may keep pointers
// to the registry and the store. The subclass owns the running host as its
// last member (destroyed first: no call in flight once anything it serves
// goes) and starts it with StartHost() at the end of its Create(), so
// nothing is served before everything it serves exists.
// Thread-safety: BeginShutdown() may be called from any thread, once; the
// store is thread-safe.
//
//   class CriteriaServer final : public DataServer {
//    public:
//     static absl::StatusOr<std::unique_ptr<CriteriaServer>> Create(
//         const CriteriaOptions& options) {
//       ASSIGN_OR_RETURN(Basics basics,
//                        OpenBasics(options.server,
//                                   CriteriaCore::ColumnFamilies()));
//       auto server = std::unique_ptr<CriteriaServer>(
//           new CriteriaServer(std::move(basics)));
//       ASSIGN_OR_RETURN(server->host_,
//                        server->StartHost(options.server, &server->criteria_,
//                                          "nq57.criteria.v1.CriteriaService",
//                                          "criteria"));
//       return server;
//     }
//     ServerHost& host() override { return *host_; }
//     ...
//   };
#ifndef NQ57_COMMON_SERVER_DATA_SERVER_H_
#define NQ57_COMMON_SERVER_DATA_SERVER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/server/access_gate.h"
#include "common/server/change_feed_service.h"
#include "common/server/server.h"
#include "common/server/server_host.h"
#include "common/server/store_admin_service.h"
#include "common/store/store.h"
#include "common/units/unit_registry.h"

namespace nq57 {

class DataServer : public Server {
 public:
  // Closes the change log so Subscribe streams end before the drain.
  void BeginShutdown() override { store_->change_log().Close(); }

  Store& store() { return *store_; }

 protected:
  struct Basics {
    std::unique_ptr<UnitRegistry> units;
    std::unique_ptr<Store> store;
    std::unique_ptr<AccessGate> gate;
    StoreAdminService::Options admin;
  };
  // Loads <config_dir>/units (bound to --province when set), opens the
  // store under <data_dir> with `column_families` (Store::Open creates it)
  // and the access gate of `service_name`, the change feed and the
  // StoreAdmin.
  static absl::StatusOr<Basics> OpenBasics(
      const ServerOptions& options, std::vector<std::string> column_families,
      const std::string& service_name);

  explicit DataServer(Basics basics);

  // Starts serving `service` (health name `service_name`), the change
  // feed and the StoreAdmin, with the store's figures under `store_name` in
  // /metrics.
  absl::StatusOr<std::unique_ptr<ServerHost>> StartHost(
      const ServerOptions& options, grpc::Service* service,
      std::string service_name, std::string_view store_name);

  const std::unique_ptr<UnitRegistry> units_;
  const std::unique_ptr<Store> store_;
  const std::unique_ptr<AccessGate> gate_;
  ChangeFeedService feed_;
  StoreAdminService admin_;
};

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_DATA_SERVER_H_
