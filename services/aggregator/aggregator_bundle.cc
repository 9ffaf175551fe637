#include "services/aggregator/aggregator_bundle.h"

#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "common/server/server_host.h"

ABSL_FLAG(std::vector<std::string>, source,
          std::vector<std::string>({"criteria@127.0.0.1:50571",
                                    "publicservice@127.0.0.1:50572",
                                    "eidentity@127.0.0.1:50573"}),
          "sources to follow, comma-separated name=kind@host:port (kind "
          "defaults to name): criteria, publicservice, eidentity, aggregator");
ABSL_FLAG(int, criteria_decimals, 1, "decimals of criteria percentages");
ABSL_FLAG(std::string, criteria_rounding, "half_up",
          "rounding of criteria percentages: half_up, half_even, truncate");
ABSL_FLAG(int, stale_days, 45,
          "a unit whose latest stock report is older than this is stale");

namespace nq57::aggregator {

absl::StatusOr<std::unique_ptr<AggregatorBundle>> AggregatorBundle::Create(
    const ServerConfig& config, AggregatorOptions options) {
  auto bundle = std::unique_ptr<AggregatorBundle>(new AggregatorBundle());
  RETURN_IF_ERROR(bundle->Init(config, std::move(options)));
  return bundle;
}

AggregatorBundle::~AggregatorBundle() { StopFollowing(); }

std::vector<grpc::Service*> AggregatorBundle::services() {
  return {service_.get(), feed_.get()};
}

std::vector<std::string> AggregatorBundle::service_names() {
  return {v1::AggregatorService::service_full_name(),
          changes::v1::ChangeFeed::service_full_name()};
}

absl::Status AggregatorBundle::OnStarted(ServerHost& host) {
  for (const SourceSpec& s : engine_->sources()) {
    consumers_.push_back(std::make_unique<SourceConsumer>(engine_.get(), s));
  }
  monitor_ = std::thread([this, &host] { Monitor(host); });
  return absl::OkStatus();
}

void AggregatorBundle::BeginShutdown() {
  StopFollowing();
  store_->change_log().Close();
}

void AggregatorBundle::CollectMetrics(MetricSink& sink) {
  ReportStoreMetrics(*store_, "aggregator", sink);
  for (const v1::SourceFreshness& f : Freshness()) {
    const MetricSink::Labels labels = {{"source", f.source()}};
    sink.Gauge("nq57_source_applied_sequence",
               "Last source sequence applied durably.", labels,
               static_cast<double>(f.applied_sequence()));
    sink.Gauge("nq57_source_head_sequence",
               "The source's head sequence when last heard from.", labels,
               static_cast<double>(f.head_sequence()));
    sink.Gauge(
        "nq57_source_lag_records",
        "Records the source has that are not applied yet.", labels,
        static_cast<double>(f.head_sequence() > f.applied_sequence()
                                ? f.head_sequence() - f.applied_sequence()
                                : 0));
    sink.Gauge("nq57_source_serving",
               "1 when the source is connected and caught up.", labels,
               f.serving() ? 1 : 0);
  }
}

bool AggregatorBundle::CaughtUp() const {
  for (const auto& c : consumers_) {
    if (!c->caught_up()) return false;
  }
  return !consumers_.empty();
}

absl::Status AggregatorBundle::Init(const ServerConfig& config,
                                    AggregatorOptions options) {
  ASSIGN_OR_RETURN(units_, UnitRegistry::Load(config.config_dir));
  std::vector<CatalogSection> sections;
  for (const char* source : {"publicservice", "eidentity"}) {
    const std::string path =
        absl::StrCat(config.config_dir, "/indicators/", source, ".textproto");
    if (!std::filesystem::exists(path)) continue;
    ASSIGN_OR_RETURN(auto catalog, IndicatorCatalog::LoadFile(path));
    sections.push_back({source, catalog.get(), UnitLevel::kCommune});
    catalogs_.push_back(std::move(catalog));
  }
  const std::string published =
      absl::StrCat(config.config_dir, "/published/figures.csv");
  if (std::filesystem::exists(published)) {
    ASSIGN_OR_RETURN(published_, PublishedFigures::Load(published));
  }
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  ASSIGN_OR_RETURN(
      store_, Store::Open(config.data_dir,
                          {.column_families = RollupEngine::ColumnFamilies()}));
  ASSIGN_OR_RETURN(
      engine_, RollupEngine::Create(store_.get(), std::move(options.sources)));
  builder_ = std::make_unique<ReportBuilder>(store_.get(), units_.get(),
                                             std::move(sections),
                                             published_.get(), options.report);
  core_ = std::make_unique<AggregatorCore>(store_.get(), engine_.get(),
                                           builder_.get(), units_.get(),
                                           [this] { return Freshness(); });
  service_ = std::make_unique<AggregatorService>(store_.get(), core_.get(),
                                                 engine_.get());
  feed_ = std::make_unique<ChangeFeedService>(&store_->change_log());
  return absl::OkStatus();
}

std::vector<v1::SourceFreshness> AggregatorBundle::Freshness() const {
  std::vector<v1::SourceFreshness> out;
  for (const auto& c : consumers_) out.push_back(c->Status());
  return out;
}

// Health follows the sources until shutdown.
void AggregatorBundle::Monitor(ServerHost& host) {
  bool all_caught_up_once = false;
  while (!stop_.WaitForNotificationWithTimeout(absl::Milliseconds(100))) {
    bool all = true;
    for (const auto& c : consumers_) {
      const bool up = c->caught_up();
      host.SetServiceServing(absl::StrCat("source:", c->Status().source()), up);
      all = all && up;
    }
    if (all && !all_caught_up_once) {
      all_caught_up_once = true;
      host.SetServing(true);
      LogInfo("all sources caught up",
              {{"sources", static_cast<int64_t>(consumers_.size())}});
    }
  }
}

void AggregatorBundle::StopFollowing() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (monitor_.joinable()) monitor_.join();
  for (auto& c : consumers_) c->Stop();
}

absl::StatusOr<std::unique_ptr<ServiceBundle>> CreateAggregatorBundle(
    const ServerConfig& config) {
  AggregatorOptions options;
  for (const std::string& text : absl::GetFlag(FLAGS_source)) {
    ASSIGN_OR_RETURN(SourceSpec spec, ParseSourceSpec(text));
    options.sources.push_back(std::move(spec));
  }
  options.report.criteria_decimals = absl::GetFlag(FLAGS_criteria_decimals);
  if (options.report.criteria_decimals < 0 ||
      options.report.criteria_decimals > 6) {
    return absl::InvalidArgumentError("--criteria_decimals: expected 0..6");
  }
  const std::string rounding = absl::GetFlag(FLAGS_criteria_rounding);
  if (rounding == "half_up") {
    options.report.criteria_rounding = RoundingMode::kHalfUp;
  } else if (rounding == "half_even") {
    options.report.criteria_rounding = RoundingMode::kHalfEven;
  } else if (rounding == "truncate") {
    options.report.criteria_rounding = RoundingMode::kTruncate;
  } else {
    return absl::InvalidArgumentError(
        "--criteria_rounding: expected half_up, half_even or truncate");
  }
  const int stale_days = absl::GetFlag(FLAGS_stale_days);
  if (stale_days < 1)
    return absl::InvalidArgumentError("--stale_days: expected >= 1");
  options.report.stale_after = absl::Hours(24) * stale_days;
  ASSIGN_OR_RETURN(std::unique_ptr<AggregatorBundle> bundle,
                   AggregatorBundle::Create(config, std::move(options)));
  return std::unique_ptr<ServiceBundle>(std::move(bundle));
}

}  // namespace nq57::aggregator
