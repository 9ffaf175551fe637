#include "services/criteria/criteria_server.h"

#include <utility>

#include "common/base/status_macros.h"
#include "common/server/data_service_host.h"
#include "common/time/clock.h"

namespace nq57::criteria {

absl::StatusOr<std::unique_ptr<CriteriaServer>> CriteriaServer::Create(
    const CriteriaOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<UnitRegistry> units,
                   UnitRegistry::Load(options.server.config_dir,
                                      {.province = options.server.province}));
  ASSIGN_OR_RETURN(
      std::unique_ptr<Store> store,
      Store::Open(options.server.data_dir,
                  {.column_families = CriteriaCore::ColumnFamilies()}));
  auto server = std::unique_ptr<CriteriaServer>(
      new CriteriaServer(std::move(units), std::move(store)));
  ASSIGN_OR_RETURN(
      server->host_,
      StartDataServiceHost(options.server, &server->criteria_,
                           v1::CriteriaService::service_full_name(),
                           &server->feed_, *server->store_, "criteria"));
  return server;
}

CriteriaServer::CriteriaServer(std::unique_ptr<UnitRegistry> units,
                               std::unique_ptr<Store> store)
    : units_(std::move(units)),
      store_(std::move(store)),
      core_(store_.get(), units_.get(), RealClock()),
      criteria_(&core_, store_.get()),
      feed_(&store_->change_log(), units_->deployment_province()) {}

}  // namespace nq57::criteria
