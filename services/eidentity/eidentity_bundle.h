// EidentityBundle: everything eidentity-server serves, packaged for
// ServerMain: the unit registry, the metric catalogue, the store, the domain
// core, the EidentityService adapter and the change feed over the store's
// log.
//
// Create() loads <config_dir>/units and
// <config_dir>/indicators/eidentity.textproto, and opens <data_dir>
// (creating it). The default staleness comes from --stale_after_days
// (ServerMain maps only its own flags from the environment).
// BeginShutdown() closes the change log
// so Subscribe streams end before the drain. Members are destroyed in
// reverse order of declaration: the store (which completes queued commits)
// before the registry and catalogue they refer to.
// Not thread-safe itself; the services it hands out are.
#ifndef NQ57_SERVICES_EIDENTITY_EIDENTITY_BUNDLE_H_
#define NQ57_SERVICES_EIDENTITY_EIDENTITY_BUNDLE_H_

#include <memory>
#include <string>
#include <vector>

#include "common/indicators/indicator_catalog.h"
#include "common/server/change_feed_service.h"
#include "common/server/metrics.h"
#include "common/server/server_main.h"
#include "common/store/store.h"
#include "common/units/unit_registry.h"
#include "services/eidentity/eidentity_core.h"
#include "services/eidentity/eidentity_service.h"

namespace nq57::eidentity {

class EidentityBundle : public ServiceBundle {
 public:
  // The catalogue's path under the config directory.
  static constexpr char kCatalogPath[] = "/indicators/eidentity.textproto";

  // With the options from the flags.
  static absl::StatusOr<std::unique_ptr<ServiceBundle>> Create(
      const ServerConfig& config);
  static absl::StatusOr<std::unique_ptr<EidentityBundle>> Create(
      const ServerConfig& config, EidentityOptions options);

  std::vector<grpc::Service*> services() override;
  std::vector<std::string> service_names() override;
  void BeginShutdown() override;
  void CollectMetrics(MetricSink& sink) override;

  Store& store() { return *store_; }
  const EidentityCore& core() const { return core_; }

 private:
  EidentityBundle(std::unique_ptr<UnitRegistry> units,
                  std::unique_ptr<IndicatorCatalog> catalog,
                  std::unique_ptr<Store> store, EidentityOptions options);

  const std::unique_ptr<UnitRegistry> units_;
  const std::unique_ptr<IndicatorCatalog> catalog_;
  const std::unique_ptr<Store> store_;
  const EidentityCore core_;
  EidentityService eidentity_;
  ChangeFeedService feed_;
};

}  // namespace nq57::eidentity

#endif  // NQ57_SERVICES_EIDENTITY_EIDENTITY_BUNDLE_H_
