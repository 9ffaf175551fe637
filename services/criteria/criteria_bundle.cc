#include "services/criteria/criteria_bundle.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace nq57::criteria {

absl::StatusOr<std::unique_ptr<ServiceBundle>> CriteriaBundle::Create(
    const ServerConfig& config) {
  ASSIGN_OR_RETURN(std::unique_ptr<UnitRegistry> units,
                   UnitRegistry::Load(config.config_dir));
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "cannot create data directory ", config.data_dir, ": ", ec.message()));
  }
  ASSIGN_OR_RETURN(
      std::unique_ptr<Store> store,
      Store::Open(config.data_dir,
                  {.column_families = CriteriaCore::ColumnFamilies()}));
  return std::unique_ptr<ServiceBundle>(
      new CriteriaBundle(std::move(units), std::move(store)));
}

CriteriaBundle::CriteriaBundle(std::unique_ptr<UnitRegistry> units,
                               std::unique_ptr<Store> store)
    : units_(std::move(units)),
      store_(std::move(store)),
      core_(store_.get(), units_.get()),
      criteria_(&core_, store_.get()),
      feed_(&store_->change_log()) {}

std::vector<grpc::Service*> CriteriaBundle::services() {
  return {&criteria_, &feed_};
}

std::vector<std::string> CriteriaBundle::service_names() {
  return {v1::CriteriaService::service_full_name(),
          changes::v1::ChangeFeed::service_full_name()};
}

void CriteriaBundle::BeginShutdown() { store_->change_log().Close(); }

void CriteriaBundle::CollectMetrics(MetricSink& sink) {
  ReportStoreMetrics(*store_, "criteria", sink);
}

}  // namespace nq57::criteria
