// CriteriaBundle: everything criteria-server serves, packaged for
// ServerMain: the unit registry, the store, the domain core, the
// CriteriaService adapter and the change feed over the store's log.
//
// Create() loads <config_dir>/units and opens <data_dir> (creating it).
// BeginShutdown() closes the change log so Subscribe streams end before the
// drain. Members are destroyed in reverse order of declaration: the store
// (which completes queued commits) before the registry they refer to.
// Not thread-safe itself; the services it hands out are.
#ifndef NQ57_SERVICES_CRITERIA_CRITERIA_BUNDLE_H_
#define NQ57_SERVICES_CRITERIA_CRITERIA_BUNDLE_H_

#include <memory>
#include <string>
#include <vector>

#include "common/server/change_feed_service.h"
#include "common/server/metrics.h"
#include "common/server/server_main.h"
#include "common/store/store.h"
#include "common/units/unit_registry.h"
#include "services/criteria/criteria_core.h"
#include "services/criteria/criteria_service.h"

namespace nq57::criteria {

class CriteriaBundle : public ServiceBundle {
 public:
  static absl::StatusOr<std::unique_ptr<ServiceBundle>> Create(
      const ServerConfig& config);

  std::vector<grpc::Service*> services() override;
  std::vector<std::string> service_names() override;
  void BeginShutdown() override;
  void CollectMetrics(MetricSink& sink) override;

  Store& store() { return *store_; }
  const CriteriaCore& core() const { return core_; }

 private:
  CriteriaBundle(std::unique_ptr<UnitRegistry> units,
                 std::unique_ptr<Store> store);

  const std::unique_ptr<UnitRegistry> units_;
  const std::unique_ptr<Store> store_;
  const CriteriaCore core_;
  CriteriaService criteria_;
  ChangeFeedService feed_;
};

}  // namespace nq57::criteria

#endif  // NQ57_SERVICES_CRITERIA_CRITERIA_BUNDLE_H_
