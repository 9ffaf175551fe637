// AggregatorServer: the aggregator as one running server.
//
// Create() loads the unit registry, the criteria labels
// (<config_dir>/labels/criteria.csv), the indicator catalogues of the
// sources it follows (<config_dir>/indicators/{publicservice,eidentity}
// .textproto, each optional) and the published figures
// (<config_dir>/published/figures.csv, optional); opens the store under
// <data_dir>; builds the rollup engine, the report builder, the core, the
// rebuild worker, the gRPC adapter, the change feed and one SourceConsumer
// per source — and only then starts the ServerHost (gRPC, health, /metrics)
// and the health monitor. Nothing is served before everything it reads
// exists, and the set of consumers never changes afterwards (GetReport and
// /metrics read it without a lock).
//
// Health: the overall status turns SERVING once every source has caught up
// (once), and "source:<name>" follows each source (NOT_SERVING while it is
// down). The aggregator's own ChangeFeed makes it a source for a national
// aggregator.
//
// Ownership: the server owns everything it built; the host is destroyed
// first. Thread-safe: host(), BeginShutdown() and the accessors may be
// called from any thread; BeginShutdown() once.
//
//   ASSIGN_OR_RETURN(
//       std::unique_ptr<aggregator::AggregatorServer> server,
//       aggregator::AggregatorServer::Create(
//           {.server = {.listen = "127.0.0.1:0", .data_dir = "/tmp/agg"},
//            .sources = {{"criteria", "criteria", "127.0.0.1:50571"}}}));
//   std::cout << server->host().address() << "\n";
#ifndef NQ57_SERVICES_AGGREGATOR_AGGREGATOR_SERVER_H_
#define NQ57_SERVICES_AGGREGATOR_AGGREGATOR_SERVER_H_

#include <memory>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "common/indicators/indicator_catalog.h"
#include "common/labels/criteria_labels.h"
#include "common/server/change_feed_service.h"
#include "common/server/metrics.h"
#include "common/server/server.h"
#include "common/server/store_admin_service.h"
#include "common/store/store.h"
#include "common/units/unit_registry.h"
#include "services/aggregator/aggregator_core.h"
#include "services/aggregator/aggregator_service.h"
#include "services/aggregator/published_figures.h"
#include "services/aggregator/rebuilder.h"
#include "services/aggregator/report_builder.h"
#include "services/aggregator/rollup_engine.h"
#include "services/aggregator/source_consumer.h"

namespace nq57::aggregator {

struct AggregatorOptions {
  ServerOptions server;
  std::vector<SourceSpec> sources;
  ReportOptions report;
  // A source that lost its basis is rebuilt at once (true) or waits for an
  // operator's Rebuild{replace: true} (false). See SourceConsumer.
  bool reset_sources_automatically = true;
};

class AggregatorServer final : public Server {
 public:
  static absl::StatusOr<std::unique_ptr<AggregatorServer>> Create(
      const AggregatorOptions& options);
  // Stops the health monitor and the consumers, then the host.
  ~AggregatorServer() override;

  ServerHost& host() override { return *host_; }
  // Stops the consumers and closes the change log (ends Watch and
  // Subscribe streams).
  void BeginShutdown() override;

  const AggregatorCore& core() const { return *core_; }
  RollupEngine& engine() { return *engine_; }
  // Whether every source has caught up.
  bool CaughtUp() const;

 private:
  AggregatorServer() = default;
  std::vector<v1::SourceFreshness> Freshness() const;
  // The store's counters, and per source: applied and head sequence, lag,
  // serving.
  void CollectMetrics(MetricSink& sink) const;
  void Monitor();
  void StopFollowing();

  std::unique_ptr<UnitRegistry> units_;
  std::unique_ptr<CriteriaLabels> labels_;
  std::vector<std::unique_ptr<IndicatorCatalog>> catalogs_;
  std::unique_ptr<PublishedFigures> published_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RollupEngine> engine_;
  std::unique_ptr<ReportBuilder> builder_;
  std::unique_ptr<AggregatorCore> core_;
  std::unique_ptr<Rebuilder> rebuilder_;
  std::unique_ptr<AccessGate> gate_;
  // Outlives every WatchReports stream: host_ (below) ends them first.
  std::unique_ptr<ReportWatchHub> watch_hub_;
  std::unique_ptr<AggregatorService> service_;
  std::unique_ptr<ChangeFeedService> feed_;
  std::unique_ptr<StoreAdminService> admin_;
  // Built before host_ starts; never changed afterwards.
  std::vector<std::unique_ptr<SourceConsumer>> consumers_;
  absl::Notification stop_;
  std::thread monitor_;
  std::unique_ptr<ServerHost> host_;  // last: stops serving first
};

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_AGGREGATOR_SERVER_H_
