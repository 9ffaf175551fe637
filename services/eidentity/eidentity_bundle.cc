#include "services/eidentity/eidentity_bundle.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

ABSL_FLAG(int, stale_after_days, 45,
          "A commune whose latest report is more than this many days before "
          "the as-of date of a rollup is stale, unless the request says");

namespace nq57::eidentity {

absl::StatusOr<std::unique_ptr<ServiceBundle>> EidentityBundle::Create(
    const ServerConfig& config) {
  EidentityOptions options;
  options.stale_after_days = absl::GetFlag(FLAGS_stale_after_days);
  if (options.stale_after_days <= 0) {
    return absl::InvalidArgumentError("--stale_after_days must be positive");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<EidentityBundle> bundle,
                   Create(config, options));
  return std::unique_ptr<ServiceBundle>(std::move(bundle));
}

absl::StatusOr<std::unique_ptr<EidentityBundle>> EidentityBundle::Create(
    const ServerConfig& config, EidentityOptions options) {
  ASSIGN_OR_RETURN(std::unique_ptr<UnitRegistry> units,
                   UnitRegistry::Load(config.config_dir));
  ASSIGN_OR_RETURN(std::unique_ptr<IndicatorCatalog> catalog,
                   IndicatorCatalog::LoadFile(
                       absl::StrCat(config.config_dir, kCatalogPath)));
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "cannot create data directory ", config.data_dir, ": ", ec.message()));
  }
  ASSIGN_OR_RETURN(
      std::unique_ptr<Store> store,
      Store::Open(config.data_dir,
                  {.column_families = EidentityCore::ColumnFamilies()}));
  return std::unique_ptr<EidentityBundle>(new EidentityBundle(
      std::move(units), std::move(catalog), std::move(store), options));
}

EidentityBundle::EidentityBundle(std::unique_ptr<UnitRegistry> units,
                                 std::unique_ptr<IndicatorCatalog> catalog,
                                 std::unique_ptr<Store> store,
                                 EidentityOptions options)
    : units_(std::move(units)),
      catalog_(std::move(catalog)),
      store_(std::move(store)),
      core_(store_.get(), units_.get(), catalog_.get(), options),
      eidentity_(&core_, store_.get()),
      feed_(&store_->change_log()) {}

std::vector<grpc::Service*> EidentityBundle::services() {
  return {&eidentity_, &feed_};
}

std::vector<std::string> EidentityBundle::service_names() {
  return {v1::EidentityService::service_full_name(),
          changes::v1::ChangeFeed::service_full_name()};
}

void EidentityBundle::BeginShutdown() { store_->change_log().Close(); }

void EidentityBundle::CollectMetrics(MetricSink& sink) {
  ReportStoreMetrics(*store_, "eidentity", sink);
}

}  // namespace nq57::eidentity
