// AggregatorBundle: the aggregator server's parts, for ServerMain.
//
// It opens the aggregator's store, loads the unit registry, the indicator
// catalogues of the sources it follows and the published figures, starts one
// SourceConsumer per --source once the server listens, and reports health:
// the overall status turns SERVING once every source has caught up, and
// "source:<name>" follows each source (NOT_SERVING while it is down). The
// aggregator's own ChangeFeed makes it a source for a national aggregator.
//
// Flags (also NQ57_SOURCE, ...):
//   --source=name=kind@host:port,...  default: the three data services of
//       `make run` (criteria@127.0.0.1:50571, publicservice@...:50572,
//       eidentity@...:50573); kinds: criteria, publicservice, eidentity,
//       aggregator (federation).
//   --criteria_decimals (1), --criteria_rounding (half_up), --stale_days (45)
#ifndef NQ57_SERVICES_AGGREGATOR_AGGREGATOR_BUNDLE_H_
#define NQ57_SERVICES_AGGREGATOR_AGGREGATOR_BUNDLE_H_

#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/indicators/indicator_catalog.h"
#include "common/server/change_feed_service.h"
#include "common/server/metrics.h"
#include "common/server/server_main.h"
#include "common/units/unit_registry.h"
#include "services/aggregator/aggregator_core.h"
#include "services/aggregator/aggregator_service.h"
#include "services/aggregator/report_builder.h"
#include "services/aggregator/rollup_engine.h"
#include "services/aggregator/source_consumer.h"

namespace nq57::aggregator {

struct AggregatorOptions {
  std::vector<SourceSpec> sources;
  ReportOptions report;
};

class AggregatorBundle : public ServiceBundle {
 public:
  // Loads <config_dir>/units, <config_dir>/indicators/{publicservice,
  // eidentity}.textproto and <config_dir>/published/figures.csv (each
  // catalogue optional), opens the store under <data_dir>.
  static absl::StatusOr<std::unique_ptr<AggregatorBundle>> Create(
      const ServerConfig& config, AggregatorOptions options);
  ~AggregatorBundle() override;

  std::vector<grpc::Service*> services() override;
  std::vector<std::string> service_names() override;
  bool ManagesHealth() const override { return true; }
  // Starts one consumer per source and the health monitor.
  absl::Status OnStarted(ServerHost& host) override;
  // Stops the consumers and closes the change log (ends Watch and
  // Subscribe streams).
  void BeginShutdown() override;
  // The store's counters, and per source: applied and head sequence, lag,
  // serving.
  void CollectMetrics(MetricSink& sink) override;

  const AggregatorCore& core() const { return *core_; }
  const RollupEngine& engine() const { return *engine_; }
  // Whether every source has caught up (for callers without a ServerHost).
  bool CaughtUp() const;

 private:
  AggregatorBundle() = default;
  absl::Status Init(const ServerConfig& config, AggregatorOptions options);
  std::vector<v1::SourceFreshness> Freshness() const;
  void Monitor(ServerHost& host);
  void StopFollowing();

  std::unique_ptr<UnitRegistry> units_;
  std::vector<std::unique_ptr<IndicatorCatalog>> catalogs_;
  std::unique_ptr<PublishedFigures> published_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RollupEngine> engine_;
  std::unique_ptr<ReportBuilder> builder_;
  std::unique_ptr<AggregatorCore> core_;
  std::unique_ptr<AggregatorService> service_;
  std::unique_ptr<ChangeFeedService> feed_;
  std::vector<std::unique_ptr<SourceConsumer>> consumers_;
  absl::Notification stop_;
  std::thread monitor_;
};

// The ServerMain factory: options from the flags above.
absl::StatusOr<std::unique_ptr<ServiceBundle>> CreateAggregatorBundle(
    const ServerConfig& config);

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_AGGREGATOR_BUNDLE_H_
