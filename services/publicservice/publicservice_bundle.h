// PublicServiceBundle: everything publicservice-server serves, packaged for
// ServerMain: the unit registry, the indicator catalogue, the store, the
// domain core, the PublicServiceStatistics adapter and the change feed over
// the store's log.
//
// Create() loads <config_dir>/units and
// <config_dir>/indicators/publicservice.textproto (checking that the
// catalogue defines every measure the service records) and opens <data_dir>
// (creating it). BeginShutdown() closes the change log so Subscribe streams
// end before the drain. Members are destroyed in reverse order of
// declaration: the store (which completes queued commits) before the
// registry and catalogue its commits refer to. Not thread-safe itself; the
// services it hands out are.
#ifndef NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_BUNDLE_H_
#define NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_BUNDLE_H_

#include <memory>
#include <string>
#include <vector>

#include "common/indicators/indicator_catalog.h"
#include "common/server/change_feed_service.h"
#include "common/server/metrics.h"
#include "common/server/server_main.h"
#include "common/store/store.h"
#include "common/units/unit_registry.h"
#include "services/publicservice/publicservice_core.h"
#include "services/publicservice/publicservice_service.h"

namespace nq57::publicservice {

class PublicServiceBundle : public ServiceBundle {
 public:
  // The catalogue file, relative to the config directory.
  static constexpr char kCatalogPath[] = "indicators/publicservice.textproto";

  static absl::StatusOr<std::unique_ptr<ServiceBundle>> Create(
      const ServerConfig& config);

  std::vector<grpc::Service*> services() override;
  std::vector<std::string> service_names() override;
  void BeginShutdown() override;
  void CollectMetrics(MetricSink& sink) override;

  Store& store() { return *store_; }
  const PublicServiceCore& core() const { return core_; }

 private:
  PublicServiceBundle(std::unique_ptr<UnitRegistry> units,
                      std::unique_ptr<IndicatorCatalog> catalog,
                      std::unique_ptr<Store> store);

  const std::unique_ptr<UnitRegistry> units_;
  const std::unique_ptr<IndicatorCatalog> catalog_;
  const std::unique_ptr<Store> store_;
  const PublicServiceCore core_;
  PublicServiceStatisticsService statistics_;
  ChangeFeedService feed_;
};

}  // namespace nq57::publicservice

#endif  // NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_BUNDLE_H_
