// StartDataServiceHost: the ServerHost of a data service, assembled the same
// way for criteria, publicservice and eidentity (and the probe service).
//
// It serves the service's own gRPC service, the ChangeFeed over its
// store's change log and, when given, the StoreAdmin (backups), keeps the
// service's and the feed's names in health, reports the store's
// nq57_store_* values at each /metrics scrape, and reports SERVING at once
// (a data service is ready when its store is open). The store's health
// shows as two more health services (StoreHealthChecks): "store:writes" is
// NOT_SERVING while writes are refused (a full disk: reads still answer, so
// the server stays SERVING), and "store:data" is NOT_SERVING, with the
// whole server, once damage was met. With `streams` (the gate's), the open
// and refused streams are in /metrics too.
//
// Nothing is owned: `service`, `feed`, `admin` and `store` must outlive the
// host.
//
//   ASSIGN_OR_RETURN(host_, StartDataServiceHost(
//                               options.server, &criteria_,
//                               v1::CriteriaService::service_full_name(),
//                               &feed_, *store_, "criteria"));
#ifndef NQ57_COMMON_SERVER_DATA_SERVICE_HOST_H_
#define NQ57_COMMON_SERVER_DATA_SERVICE_HOST_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/server/change_feed_service.h"
#include "common/server/server.h"
#include "common/server/server_host.h"
#include "common/server/store_admin_service.h"
#include "common/server/stream_limits.h"
#include "common/store/store.h"

namespace nq57 {

// The health checks of a server over `store` (which must outlive the host).
std::vector<HealthCheck> StoreHealthChecks(const Store& store);

absl::StatusOr<std::unique_ptr<ServerHost>> StartDataServiceHost(
    const ServerOptions& options, grpc::Service* service,
    std::string service_name, ChangeFeedService* feed, const Store& store,
    std::string_view store_name, const StreamLimits* streams = nullptr,
    StoreAdminService* admin = nullptr);

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_DATA_SERVICE_HOST_H_
