#include "services/aggregator/aggregator_server.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "common/security/tls_credentials.h"
#include "common/server/data_service_host.h"
#include "common/time/clock.h"
#include "nq57/changes/v1/changes.grpc.pb.h"

namespace nq57::aggregator {

absl::StatusOr<std::unique_ptr<AggregatorServer>> AggregatorServer::Create(
    const AggregatorOptions& options) {
  const std::string& config_dir = options.server.config_dir;
  auto server = std::unique_ptr<AggregatorServer>(new AggregatorServer());
  AggregatorServer& s = *server;
  ASSIGN_OR_RETURN(
      s.units_,
      UnitRegistry::Load(config_dir, {.province = options.server.province}));
  ASSIGN_OR_RETURN(s.labels_, CriteriaLabels::LoadFromConfig(config_dir));
  std::vector<CatalogSection> sections;
  for (const char* source : {"publicservice", "eidentity"}) {
    const std::string path =
        absl::StrCat(config_dir, "/indicators/", source, ".textproto");
    if (!std::filesystem::exists(path)) continue;
    ASSIGN_OR_RETURN(auto catalog, IndicatorCatalog::LoadFile(path));
    sections.push_back({source, catalog.get(), UnitLevel::kCommune});
    s.catalogs_.push_back(std::move(catalog));
  }
  const std::string published =
      absl::StrCat(config_dir, "/published/figures.csv");
  if (std::filesystem::exists(published)) {
    ASSIGN_OR_RETURN(s.published_, PublishedFigures::Load(published));
  }
  StoreOptions store_options =
      options.server.store_options(RollupEngine::ColumnFamilies());
  // Its feed is read in order (watchers, a national aggregator), never per
  // measure.
  store_options.index_history = false;
  ASSIGN_OR_RETURN(s.store_,
                   Store::Open(options.server.data_dir, store_options));
  ASSIGN_OR_RETURN(s.engine_,
                   RollupEngine::Create(s.store_.get(), options.sources));
  if (s.engine_->recounting_for_layout()) {
    LogWarning(
        "aggregator store holds measures of another layout; cleared, "
        "every source is recounted from its log",
        {{"layout", RollupEngine::kLayout}});
  }
  s.builder_ = std::make_unique<ReportBuilder>(
      s.store_.get(), s.units_.get(), s.labels_.get(), std::move(sections),
      s.published_.get(), options.report);
  s.core_ = std::make_unique<AggregatorCore>(
      AggregatorCore::Parts{.store = s.store_.get(),
                            .engine = s.engine_.get(),
                            .builder = s.builder_.get(),
                            .units = s.units_.get(),
                            .clock = &RealClock()},
      [&s] { return s.Freshness(); });
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   ChannelCredentialsFor(options.server.client_tls()));
  s.rebuilder_ = std::make_unique<Rebuilder>(
      s.engine_.get(),
      [credentials](absl::Time deadline) {
        return GrpcFeedReader(deadline, credentials);
      },
      &RealClock());
  ASSIGN_OR_RETURN(
      s.gate_,
      AccessGate::Create(
          {.policy_path = options.server.access_policy_path(),
           .services = {v1::AggregatorService::service_full_name(),
                        changes::v1::ChangeFeed::service_full_name(),
                        admin::v1::StoreAdmin::service_full_name()},
           .refresh = absl::Seconds(options.server.tls.refresh_seconds),
           .province = options.server.province,
           .max_streams = options.server.max_streams,
           .max_streams_per_peer = options.server.max_streams_per_peer}));
  s.watch_hub_ =
      std::make_unique<ReportWatchHub>(&s.store_->change_log(), s.core_.get());
  s.service_ = std::make_unique<AggregatorService>(
      s.store_.get(), s.core_.get(), s.rebuilder_.get(), s.watch_hub_.get(),
      s.gate_.get());
  s.feed_ = std::make_unique<ChangeFeedService>(
      &s.store_->change_log(), s.units_->deployment_province(), s.gate_.get());
  s.admin_ = std::make_unique<StoreAdminService>(
      s.store_.get(), StoreAdminService::OptionsFor(options.server),
      s.gate_.get());
  for (const SourceSpec& source : s.engine_->sources()) {
    s.consumers_.push_back(std::make_unique<SourceConsumer>(
        s.engine_.get(), source,
        SourceConsumer::Options{
            .reset_automatically = options.reset_sources_automatically,
            .credentials = credentials}));
  }
  ServerHostOptions host_options = options.server.host_options();
  host_options.collect_metrics = [&s](MetricSink& sink) {
    s.CollectMetrics(sink);
  };
  host_options.health_checks = StoreHealthChecks(*s.store_);
  ASSIGN_OR_RETURN(
      s.host_,
      ServerHost::Start(host_options,
                        {s.service_.get(), s.feed_.get(), s.admin_.get()},
                        {v1::AggregatorService::service_full_name(),
                         changes::v1::ChangeFeed::service_full_name()}));
  s.monitor_ = std::thread([&s] { s.Monitor(); });
  return server;
}

AggregatorServer::~AggregatorServer() { StopFollowing(); }

void AggregatorServer::BeginShutdown() {
  StopFollowing();
  store_->change_log().Close();
}

void AggregatorServer::CollectMetrics(MetricSink& sink) const {
  ReportStoreMetrics(*store_, "aggregator", sink);
  ReportStreamMetrics(gate_->streams(), sink);
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
    for (int state = v1::SourceState_MIN; state <= v1::SourceState_MAX;
         ++state) {
      if (state == v1::SOURCE_STATE_UNSPECIFIED) continue;
      MetricSink::Labels with_state = labels;
      with_state.push_back(
          {"state", v1::SourceState_Name(static_cast<v1::SourceState>(state))});
      sink.Gauge("nq57_source_state",
                 "1 for the state the source is in (NEVER_CONNECTED, "
                 "CATCHING_UP, CAUGHT_UP, UNREACHABLE, LOST_BASIS, "
                 "REBUILDING, OVERLAPPING_SCOPE).",
                 with_state, f.state() == state ? 1 : 0);
    }
  }
  for (const auto& c : consumers_) {
    sink.Counter("nq57_source_lost_basis_total",
                 "Times a source's log stopped being a continuation of what "
                 "was applied (wiped, replaced or restored store).",
                 {{"source", c->Status().source()}},
                 static_cast<double>(c->lost_basis_count()));
  }
}

bool AggregatorServer::CaughtUp() const {
  for (const auto& c : consumers_) {
    if (!c->caught_up()) return false;
  }
  return !consumers_.empty();
}

std::vector<v1::SourceFreshness> AggregatorServer::Freshness() const {
  std::vector<v1::SourceFreshness> out;
  for (const auto& c : consumers_) out.push_back(c->Status());
  return out;
}

// Health follows the sources until shutdown.
void AggregatorServer::Monitor() {
  bool all_caught_up_once = false;
  while (!stop_.WaitForNotificationWithTimeout(absl::Milliseconds(100))) {
    bool all = true, wrong = false;
    for (const auto& c : consumers_) {
      const bool up = c->caught_up();
      host_->SetServiceServing(absl::StrCat("source:", c->Status().source()),
                               up);
      all = all && up;
      wrong = wrong || c->known_wrong();
    }
    if (all && !all_caught_up_once) {
      all_caught_up_once = true;
      LogInfo("all sources caught up",
              {{"sources", static_cast<int64_t>(consumers_.size())}});
    }
    // A source that is merely behind or unreachable leaves the figures true
    // for what was applied; one that lost its basis does not.
    host_->SetServing(all_caught_up_once && !wrong);
  }
}

void AggregatorServer::StopFollowing() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (monitor_.joinable()) monitor_.join();
  for (auto& c : consumers_) c->Stop();
}

}  // namespace nq57::aggregator
