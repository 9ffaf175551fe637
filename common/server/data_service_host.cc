#include "common/server/data_service_host.h"

#include "common/base/status_macros.h"
#include "common/server/metrics.h"
#include "nq57/changes/v1/changes.grpc.pb.h"

namespace nq57 {

std::vector<HealthCheck> StoreHealthChecks(const Store& store) {
  const Store* const s = &store;
  return {{.name = "store:writes", .check = [s] { return s->health().writes; }},
          {.name = "store:data",
           .check = [s] { return s->health().data; },
           .gates_server = true}};
}

absl::StatusOr<std::unique_ptr<ServerHost>> StartDataServiceHost(
    const ServerOptions& options, grpc::Service* service,
    std::string service_name, ChangeFeedService* feed, const Store& store,
    std::string_view store_name, const StreamLimits* streams,
    StoreAdminService* admin) {
  const Store* const s = &store;
  ServerHostOptions host_options = options.host_options();
  host_options.collect_metrics =
      [s, streams, name = std::string(store_name)](MetricSink& sink) {
        ReportStoreMetrics(*s, name, sink);
        if (streams != nullptr) ReportStreamMetrics(*streams, sink);
      };
  host_options.health_checks = StoreHealthChecks(store);
  std::vector<grpc::Service*> services = {service, feed};
  if (admin != nullptr) services.push_back(admin);
  ASSIGN_OR_RETURN(
      std::unique_ptr<ServerHost> host,
      ServerHost::Start(host_options, services,
                        {std::move(service_name),
                         changes::v1::ChangeFeed::service_full_name()}));
  host->SetServing(true);
  return host;
}

}  // namespace nq57
