#include "services/eidentity/eidentity_server.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace nq57::eidentity {

absl::StatusOr<std::unique_ptr<EidentityServer>> EidentityServer::Create(
    const EidentityOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<IndicatorCatalog> catalog,
                   IndicatorCatalog::LoadFile(
                       absl::StrCat(options.server.config_dir, kCatalogPath)));
  ASSIGN_OR_RETURN(Basics basics,
                   OpenBasics(options.server, EidentityCore::ColumnFamilies(),
                              v1::EidentityService::service_full_name()));
  auto server = std::unique_ptr<EidentityServer>(
      new EidentityServer(std::move(basics), std::move(catalog),
                          {.stale_after_days = options.stale_after_days}));
  ASSIGN_OR_RETURN(server->host_,
                   server->StartHost(options.server, &server->eidentity_,
                                     v1::EidentityService::service_full_name(),
                                     "eidentity"));
  return server;
}

EidentityServer::EidentityServer(Basics basics,
                                 std::unique_ptr<IndicatorCatalog> catalog,
                                 EidentityCoreOptions options)
    : DataServer(std::move(basics)),
      catalog_(std::move(catalog)),
      core_(store_.get(), units_.get(), catalog_.get(), RealClock(), options),
      eidentity_(&core_, store_.get(), gate_.get()) {}

}  // namespace nq57::eidentity
