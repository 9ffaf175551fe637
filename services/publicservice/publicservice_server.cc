#include "services/publicservice/publicservice_server.h"

#include <filesystem>
#include <utility>

#include "common/base/status_macros.h"
#include "common/time/clock.h"

namespace nq57::publicservice {

absl::StatusOr<std::unique_ptr<PublicServiceServer>>
PublicServiceServer::Create(const PublicServiceOptions& options) {
  const ServerOptions& server_options = options.server;
  ASSIGN_OR_RETURN(
      std::unique_ptr<IndicatorCatalog> catalog,
      IndicatorCatalog::LoadFile(
          (std::filesystem::path(server_options.config_dir) / kCatalogPath)
              .string()));
  RETURN_IF_ERROR(PublicServiceCore::CheckCatalog(*catalog));
  ASSIGN_OR_RETURN(
      Basics basics,
      OpenBasics(server_options, PublicServiceCore::ColumnFamilies(),
                 v1::PublicServiceStatistics::service_full_name()));
  auto server = std::unique_ptr<PublicServiceServer>(
      new PublicServiceServer(std::move(basics), std::move(catalog)));
  RETURN_IF_ERROR(server->core_.IndexProcedureCodes());
  ASSIGN_OR_RETURN(
      server->host_,
      server->StartHost(server_options, &server->statistics_,
                        v1::PublicServiceStatistics::service_full_name(),
                        "publicservice"));
  return server;
}

PublicServiceServer::PublicServiceServer(
    Basics basics, std::unique_ptr<IndicatorCatalog> catalog)
    : DataServer(std::move(basics)),
      catalog_(std::move(catalog)),
      core_(store_.get(), units_.get(), catalog_.get(), RealClock()),
      statistics_(&core_, store_.get(), gate_.get()) {}

}  // namespace nq57::publicservice
