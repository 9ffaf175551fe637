#include "services/publicservice/publicservice_server.h"

#include <filesystem>
#include <utility>

#include "common/base/status_macros.h"
#include "common/server/data_service_host.h"
#include "common/time/clock.h"

namespace nq57::publicservice {

absl::StatusOr<std::unique_ptr<PublicServiceServer>>
PublicServiceServer::Create(const PublicServiceOptions& options) {
  const ServerOptions& server_options = options.server;
  ASSIGN_OR_RETURN(std::unique_ptr<UnitRegistry> units,
                   UnitRegistry::Load(server_options.config_dir,
                                      {.province = server_options.province}));
  ASSIGN_OR_RETURN(
      std::unique_ptr<IndicatorCatalog> catalog,
      IndicatorCatalog::LoadFile(
          (std::filesystem::path(server_options.config_dir) / kCatalogPath)
              .string()));
  RETURN_IF_ERROR(PublicServiceCore::CheckCatalog(*catalog));
  ASSIGN_OR_RETURN(
      std::unique_ptr<Store> store,
      Store::Open(server_options.data_dir,
                  {.column_families = PublicServiceCore::ColumnFamilies()}));
  auto server = std::unique_ptr<PublicServiceServer>(new PublicServiceServer(
      std::move(units), std::move(catalog), std::move(store)));
  ASSIGN_OR_RETURN(
      server->host_,
      StartDataServiceHost(server_options, &server->statistics_,
                           v1::PublicServiceStatistics::service_full_name(),
                           &server->feed_, *server->store_, "publicservice"));
  return server;
}

PublicServiceServer::PublicServiceServer(
    std::unique_ptr<UnitRegistry> units,
    std::unique_ptr<IndicatorCatalog> catalog, std::unique_ptr<Store> store)
    : units_(std::move(units)),
      catalog_(std::move(catalog)),
      store_(std::move(store)),
      core_(store_.get(), units_.get(), catalog_.get(), RealClock()),
      statistics_(&core_, store_.get()),
      feed_(&store_->change_log(), units_->deployment_province()) {}

}  // namespace nq57::publicservice
