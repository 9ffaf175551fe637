#include "services/publicservice/publicservice_bundle.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace nq57::publicservice {

absl::StatusOr<std::unique_ptr<ServiceBundle>> PublicServiceBundle::Create(
    const ServerConfig& config) {
  ASSIGN_OR_RETURN(std::unique_ptr<UnitRegistry> units,
                   UnitRegistry::Load(config.config_dir));
  ASSIGN_OR_RETURN(
      std::unique_ptr<IndicatorCatalog> catalog,
      IndicatorCatalog::LoadFile(
          (std::filesystem::path(config.config_dir) / kCatalogPath).string()));
  RETURN_IF_ERROR(PublicServiceCore::CheckCatalog(*catalog));
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "cannot create data directory ", config.data_dir, ": ", ec.message()));
  }
  ASSIGN_OR_RETURN(
      std::unique_ptr<Store> store,
      Store::Open(config.data_dir,
                  {.column_families = PublicServiceCore::ColumnFamilies()}));
  return std::unique_ptr<ServiceBundle>(new PublicServiceBundle(
      std::move(units), std::move(catalog), std::move(store)));
}

PublicServiceBundle::PublicServiceBundle(
    std::unique_ptr<UnitRegistry> units,
    std::unique_ptr<IndicatorCatalog> catalog, std::unique_ptr<Store> store)
    : units_(std::move(units)),
      catalog_(std::move(catalog)),
      store_(std::move(store)),
      core_(store_.get(), units_.get(), catalog_.get()),
      statistics_(&core_, store_.get()),
      feed_(&store_->change_log()) {}

std::vector<grpc::Service*> PublicServiceBundle::services() {
  return {&statistics_, &feed_};
}

std::vector<std::string> PublicServiceBundle::service_names() {
  return {v1::PublicServiceStatistics::service_full_name(),
          changes::v1::ChangeFeed::service_full_name()};
}

void PublicServiceBundle::BeginShutdown() { store_->change_log().Close(); }

void PublicServiceBundle::CollectMetrics(MetricSink& sink) {
  ReportStoreMetrics(*store_, "publicservice", sink);
}

}  // namespace nq57::publicservice
