// EidentityCore: the domain logic of the e-identity and Project 06 metrics
// service, over a Store, the unit registry and the metric catalogue, with no
// gRPC.
//
// Metrics come from the catalogue (deploy/config/indicators/eidentity
// .textproto): its measures are the STOCK and FLOW metrics, its indicators
// the RATIO metrics, evaluated by common/indicators. A snapshot is what one
// unit (a commune or a province) reported as of one date; each of its values
// is stored as a point (unit, metric, date), and a later report for the same
// point replaces it.
//
// Writes are two-step: Prepare*() validates what needs no stored state
// (known metric of the right kind, no negative value, numerator <=
// denominator, correction has a reason, date and source present; errors name
// the request field, e.g. "snapshots[3].values.eid_accounts_issued.count";
// unknown unit -> NOT_FOUND) and returns a CommitRequest. Its `apply` runs on
// the store's writer and checks against stored state (the catalogue's
// constraints, e.g. activated <= issued, over the reported values merged with
// the unit's stored values as of the date; a STOCK may not decrease against
// the unit's previous report, nor exceed its next one, without `correction`)
// then writes the points, the change records and the aggregates, all in the
// same commit. A failing request writes nothing; a batch is all or nothing.
//
// Aggregates (per province, over its communes; never a scan of raw reports):
//   totals      (province, metric)       STOCK: sum of each commune's latest
//                                        value (subtract its previous latest,
//                                        add the new one)
//   steps       (province, metric, day)  STOCK: the sum of the communes' step
//                                        changes on that day, so the value as
//                                        of D is the sum of steps up to D;
//                                        FLOW: the sum of the values of that
//                                        day (month-to-date = <= 31 keys)
//   reporters   (province, metric)       communes that ever reported it
//   first_days  (province, metric, day)  communes whose first report of it is
//                                        on that day (coverage as of D)
//   unit_days   (unit)                   the unit's report days (staleness)
// plus, per (unit, metric), the latest point and the one before it, so that
// a new or replaced latest report (the common cases) reads O(1) keys; only a
// backfill before the latest report scans that unit's series of the metric.
//   last_day    (province)               the latest day any commune reported
// A rollup as of a date on or after last_day reads totals/reporters (O(1) per
// metric); an earlier date sums the per-day keys of the province, whose number
// is the number of distinct report days, independent of the communes.
//
// Where it lives: eidentity_series.{h,cc} the storage layout (column
// families, keys, values, report dates) and SeriesReader; eidentity_writes.cc
// validation of snapshots and the writer's constraint checks and aggregate
// updates; eidentity_definitions.cc the metric definitions; eidentity_rollups
// .cc GetUnitMetrics, RollupMetrics and the recount; eidentity_history.cc
// GetHistory.
//
// Thread-safety: all methods are const and may be called concurrently. The
// store, the registry, the catalogue and the clock are not owned; the
// registry and the catalogue must outlive the store (queued commits refer to
// them), the store and the clock must outlive the core. "Today" (the as-of
// date of a read that names none, and the latest date a report may carry,
// tomorrow) is read from the clock, in Vietnam's time zone.
//
//   EidentityCore core(store.get(), units.get(), catalog.get(), RealClock(),
//                      {.stale_after_days = 45});
//   ASSIGN_OR_RETURN(CommitRequest commit,
//                    core.PrepareReportSnapshot(request, "platform"));
//   store->Commit(std::move(commit), done);
#ifndef NQ57_SERVICES_EIDENTITY_EIDENTITY_CORE_H_
#define NQ57_SERVICES_EIDENTITY_EIDENTITY_CORE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/indicators/indicator_catalog.h"
#include "common/store/store.h"
#include "common/time/clock.h"
#include "common/units/unit_registry.h"
#include "nq57/eidentity/v1/eidentity.pb.h"

namespace nq57::eidentity {

// The staleness of a rollup when neither the request nor the server says.
inline constexpr int kDefaultStaleAfterDays = 45;

struct EidentityCoreOptions {
  // A reporting commune whose latest report is more than this many days
  // before the as-of date is stale (when the request does not say).
  int stale_after_days = kDefaultStaleAfterDays;
};

class EidentityCore {
 public:
  // Most snapshots in one BatchReportSnapshots.
  static constexpr int kMaxBatchSnapshots = 1000;

  // The column families the core keeps; open the store with them.
  static std::vector<std::string> ColumnFamilies();

  EidentityCore(Store* store, const UnitRegistry* units,
                const IndicatorCatalog* catalog, const Clock& clock,
                EidentityCoreOptions options)
      : store_(store),
        units_(units),
        catalog_(catalog),
        clock_(clock),
        options_(options) {}

  // Writes. The commit's response is the RPC's response message.
  absl::StatusOr<CommitRequest> PrepareReportSnapshot(
      const v1::ReportSnapshotRequest& request, std::string actor) const;
  absl::StatusOr<CommitRequest> PrepareBatchReportSnapshots(
      const v1::BatchReportSnapshotsRequest& request, std::string actor) const;

  // Reads of committed data.
  absl::StatusOr<v1::ListMetricDefinitionsResponse> ListMetricDefinitions(
      const v1::ListMetricDefinitionsRequest& request) const;
  absl::StatusOr<v1::MetricDefinition> GetMetricDefinition(
      const v1::GetMetricDefinitionRequest& request) const;
  absl::StatusOr<v1::UnitMetrics> GetUnitMetrics(
      const v1::GetUnitMetricsRequest& request) const;
  absl::StatusOr<v1::Rollup> RollupMetrics(
      const v1::RollupMetricsRequest& request) const;
  absl::StatusOr<v1::GetHistoryResponse> GetHistory(
      const v1::GetHistoryRequest& request) const;

  // The province total of STOCK or FLOW `metric` as of `day` recounted from
  // the stored points of every commune (no aggregates): what RollupMetrics
  // must equal. For tests and benchmarks; O(all history of the province).
  absl::StatusOr<int64_t> TEST_RecountFromPoints(std::string_view province,
                                                 std::string_view metric,
                                                 absl::CivilDay day) const;

 private:
  Store* const store_;
  const UnitRegistry* const units_;
  const IndicatorCatalog* const catalog_;
  const Clock& clock_;
  const EidentityCoreOptions options_;
};

}  // namespace nq57::eidentity

#endif  // NQ57_SERVICES_EIDENTITY_EIDENTITY_CORE_H_
