// AggregatorCore: the feed API of the aggregator over its store, with no
// gRPC — reports, rankings, published snapshots, diffs, exports and
// explanations.
//
// Reports are built from one store snapshot, so a report's figures, the
// input sequences it says it reflects and its sources' applied sequences
// always agree (a source is not "serving" in a report whose snapshot is
// behind the source's head, even when its consumer has caught up since).
// Publish() freezes a report as an immutable, numbered snapshot with a SHA-256
// content hash and records the rankings it saw (the rank history of that
// period); it is idempotent with request_id like every write.
//
// Files: aggregator_core.cc (reports, listing, rankings),
// aggregator_snapshots.cc (publish, get, list, diff),
// aggregator_export.cc (JSON/CSV export, explain).
//
// "Now" (the default as_of of every read) comes from the injected Clock.
//
// Thread-safe: const methods read; writes go through the store's commit
// path. Nothing is owned; everything in Parts must outlive the core.
#ifndef NQ57_SERVICES_AGGREGATOR_AGGREGATOR_CORE_H_
#define NQ57_SERVICES_AGGREGATOR_AGGREGATOR_CORE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/store/store.h"
#include "common/time/clock.h"
#include "nq57/aggregator/v1/aggregator.pb.h"
#include "services/aggregator/report_builder.h"
#include "services/aggregator/rollup_engine.h"

namespace nq57::aggregator {

class AggregatorCore {
 public:
  using FreshnessFn = std::function<std::vector<v1::SourceFreshness>()>;

  // What the core reads; none of it is owned.
  struct Parts {
    Store* store = nullptr;
    const RollupEngine* engine = nullptr;
    const ReportBuilder* builder = nullptr;
    const UnitRegistry* units = nullptr;
    const Clock* clock = nullptr;  // e.g. &RealClock()
  };

  // `freshness` reports the sources' state for each report (may be empty).
  AggregatorCore(const Parts& parts, FreshnessFn freshness)
      : store_(parts.store),
        engine_(parts.engine),
        builder_(parts.builder),
        units_(parts.units),
        clock_(parts.clock),
        freshness_(std::move(freshness)) {}

  absl::StatusOr<v1::Report> GetReport(
      const v1::GetReportRequest& request) const;
  absl::StatusOr<v1::ListReportsResponse> ListReports(
      const v1::ListReportsRequest& request) const;
  absl::StatusOr<v1::Rankings> GetRankings(
      const v1::GetRankingsRequest& request) const;

  absl::StatusOr<CommitRequest> PreparePublish(
      const v1::PublishRequest& request, std::string actor) const;
  absl::StatusOr<v1::Snapshot> GetSnapshot(
      const v1::GetSnapshotRequest& request) const;
  absl::StatusOr<v1::ListSnapshotsResponse> ListSnapshots(
      const v1::ListSnapshotsRequest& request) const;
  absl::StatusOr<v1::SnapshotDiff> DiffSnapshots(
      const v1::DiffSnapshotsRequest& request) const;
  absl::StatusOr<v1::ExportResponse> Export(
      const v1::ExportRequest& request) const;
  absl::StatusOr<v1::Explanation> Explain(
      const v1::ExplainRequest& request) const;

  // A report's content without what changes on every build (as_of,
  // freshness, sequences): equal fingerprints = same figures.
  static std::string ContentFingerprint(const v1::Report& report);
  // The report as CSV, one row per figure and count.
  static std::string ReportCsv(const v1::Report& report);

 private:
  absl::StatusOr<v1::Report> BuildReport(std::string_view province,
                                         std::string_view period,
                                         absl::Time as_of) const;
  absl::StatusOr<v1::Rankings> RankNow(const v1::GetRankingsRequest& request,
                                       absl::Time as_of) const;
  // A request's as_of, or now when unset.
  absl::StatusOr<absl::Time> AsOf(
      const google::protobuf::Timestamp& as_of) const;

  Store* const store_;
  const RollupEngine* const engine_;
  const ReportBuilder* const builder_;
  const UnitRegistry* const units_;
  const Clock* const clock_;
  const FreshnessFn freshness_;
};

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_AGGREGATOR_CORE_H_
