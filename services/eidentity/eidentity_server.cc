#include "services/eidentity/eidentity_server.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/server/data_service_host.h"

namespace nq57::eidentity {

absl::StatusOr<std::unique_ptr<EidentityServer>> EidentityServer::Create(
    const EidentityOptions& options) {
  const std::string& config_dir = options.server.config_dir;
  ASSIGN_OR_RETURN(
      std::unique_ptr<UnitRegistry> units,
      UnitRegistry::Load(config_dir, {.province = options.server.province}));
  ASSIGN_OR_RETURN(
      std::unique_ptr<IndicatorCatalog> catalog,
      IndicatorCatalog::LoadFile(absl::StrCat(config_dir, kCatalogPath)));
  ASSIGN_OR_RETURN(
      std::unique_ptr<Store> store,
      Store::Open(options.server.data_dir,
                  {.column_families = EidentityCore::ColumnFamilies()}));
  auto server = std::unique_ptr<EidentityServer>(new EidentityServer(
      std::move(units), std::move(catalog), std::move(store),
      {.stale_after_days = options.stale_after_days}));
  ASSIGN_OR_RETURN(
      server->host_,
      StartDataServiceHost(options.server, &server->eidentity_,
                           v1::EidentityService::service_full_name(),
                           &server->feed_, *server->store_, "eidentity"));
  return server;
}

EidentityServer::EidentityServer(std::unique_ptr<UnitRegistry> units,
                                 std::unique_ptr<IndicatorCatalog> catalog,
                                 std::unique_ptr<Store> store,
                                 EidentityCoreOptions options)
    : units_(std::move(units)),
      catalog_(std::move(catalog)),
      store_(std::move(store)),
      core_(store_.get(), units_.get(), catalog_.get(), RealClock(), options),
      eidentity_(&core_, store_.get()),
      feed_(&store_->change_log(), units_->deployment_province()) {}

}  // namespace nq57::eidentity
