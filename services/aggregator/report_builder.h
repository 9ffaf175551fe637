// ReportBuilder: the nq57 report of a province, built from maintained
// measures — a handful of prefix reads, never a scan of the inputs.
//
// Point in time: a report for (period, as_of) counts what was true at the
// cutoff, min(as_of, the period's last instant): stocks and criteria states
// as of the cutoff, flows summed from the period's start to the cutoff, and
// deadline statuses at the cutoff (point_in_time.h). A period that starts
// after as_of is INVALID_ARGUMENT "period".
//
// Sections, and the file each is built in:
//   criteria   (report_criteria.cc) completed / assigned per block, per
//              block at province and commune level, per group, per block x
//              group, all together; deadline tasks on time / late / overdue
//              / pending at the cutoff; coverage = units that reported
//              progress by the cutoff. Labels come from CriteriaLabels
//              (deploy/config/labels/criteria.csv).
//   public services and Project 06   (report_catalog.cc)
//              the indicators of the service's catalogue
//              (deploy/config/indicators/<source>.textproto) evaluated over
//              the province's measure totals: flows summed over the period,
//              stocks at the cutoff; with colours, coverage and the plain
//              counts.
//   coverage   (report_coverage.cc) units that reported in the period /
//              expected, with the missing ones named, and the stale ones
//              (latest report at the cutoff older than stale_after); and
//              which provinces have data.
//   published  (published_figures.cc) when the province published a figure
//              (deploy/config/published/), which rounding modes reproduce
//              the published text, or a flag that none does.
// Every figure carries its integer ratio, rendering (declared rounding and
// decimals), method, coverage and formula. This file assembles the sections
// and reads measures.
//
// Thread-safe: const and reads only. Nothing is owned.
#ifndef NQ57_SERVICES_AGGREGATOR_REPORT_BUILDER_H_
#define NQ57_SERVICES_AGGREGATOR_REPORT_BUILDER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/indicators/indicator_catalog.h"
#include "common/labels/criteria_labels.h"
#include "common/ratio/ratio.h"
#include "common/store/store.h"
#include "common/units/unit_registry.h"
#include "nq57/aggregator/v1/aggregator.pb.h"
#include "services/aggregator/point_in_time.h"
#include "services/aggregator/published_figures.h"
#include "services/aggregator/rollup_state.h"

namespace nq57::aggregator {

// One catalogue-driven section: measures are "<source>.<measure code>".
struct CatalogSection {
  std::string source;                         // "publicservice" or "eidentity"
  const IndicatorCatalog* catalog = nullptr;  // not owned
  UnitLevel expected_level = UnitLevel::kCommune;
};

struct ReportOptions {
  RoundingMode criteria_rounding = RoundingMode::kHalfUp;
  int criteria_decimals = 1;
  // A unit whose latest report is older than this at the cutoff is stale.
  absl::Duration stale_after = absl::Hours(24 * 45);
};

class ReportBuilder {
 public:
  // Nothing is owned; all must outlive the builder. `published` may be null.
  ReportBuilder(const Store* store, const UnitRegistry* units,
                const CriteriaLabels* labels,
                std::vector<CatalogSection> sections,
                const PublishedFigures* published, ReportOptions options);

  absl::StatusOr<v1::Report> Build(std::string_view province,
                                   std::string_view period, absl::Time as_of,
                                   const Snapshot* snapshot = nullptr) const;

  // Provinces that have any measure, in code order.
  absl::StatusOr<std::vector<std::string>> Provinces(
      const Snapshot* snapshot = nullptr) const;

  // The figure with `id` in `report` (nullptr if none).
  static const v1::Figure* FindFigure(const v1::Report& report,
                                      std::string_view id);
  // Calls `fn` on every figure of `report`, in report order.
  static void ForEachFigure(const v1::Report& report,
                            absl::FunctionRef<void(const v1::Figure&)> fn);

  // The report window of (period, as_of); INVALID_ARGUMENT "period" if it is
  // malformed or starts after as_of.
  static absl::StatusOr<ReportWindow> WindowOf(std::string_view period,
                                               absl::Time as_of);
  // One unit's reports under a source, in a report's window.
  struct UnitReports {
    bool in_period = false;            // a report in the period
    std::optional<absl::Time> latest;  // latest report up to the cutoff
    // Counted in the coverage: for criteria a progress report up to the
    // cutoff, for the catalogue sources a report in the period.
    bool reporting = false;
  };
  // Each unit's reports under each source, by (unit, source); a unit that
  // never reported under a source is absent.
  using UnitReportIndex =
      absl::flat_hash_map<std::pair<std::string, std::string>, UnitReports>;
  // What `units` says of `unit` under `source` (nothing reported if absent).
  static UnitReports ReportsIn(const UnitReportIndex& units,
                               std::string_view unit, std::string_view source);
  // The reports of every unit of `province` (the province itself, its
  // agencies and communes) in `window`: one read of the province's
  // measures, one of its units'.
  absl::StatusOr<UnitReportIndex> UnitReportsIn(std::string_view province,
                                                const ReportWindow& window,
                                                const Snapshot* snapshot) const;

 private:
  using Measures = std::map<std::string, int64_t, std::less<>>;
  // A scope's measures in a report's window: `at_cutoff` sums every change
  // up to the cutoff (stocks, criteria), `in_period` those from the
  // period's start (flows); `units` the reports of the scope and, read by
  // ReadProvince, of its units.
  struct WindowMeasures {
    Measures at_cutoff;
    Measures in_period;
    UnitReportIndex units;
  };
  // ReadWindow of the province, with every unit's reports in `units`.
  absl::StatusOr<WindowMeasures> ReadProvince(std::string_view province,
                                              const ReportWindow& window,
                                              const Snapshot* snapshot) const;
  // Notes `unit`'s measure at `t` in `units` if it is a unit report
  // ("<source>.unit.reported"); anything else is ignored.
  static void NoteReport(std::string_view unit, std::string_view measure,
                         absl::Time t, int64_t value,
                         const ReportWindow& window, UnitReportIndex& units);

  // Measure reads (report_builder.cc).
  // Visits every measure under `prefix` (below `end` when it is given);
  // DATA_LOSS (`what`) if corrupt.
  absl::Status ScanMeasures(
      std::string_view prefix, std::string_view what, const Snapshot* snapshot,
      absl::FunctionRef<void(const MeasureKey&, int64_t)> fn,
      std::string_view end = "") const;
  // Visits the "at:" entries of `scope` that count in `window`, with their
  // instant; DATA_LOSS if a bucket is corrupt.
  absl::Status ScanWindow(std::string_view scope, const ReportWindow& window,
                          const Snapshot* snapshot,
                          absl::FunctionRef<void(std::string_view measure,
                                                 absl::Time t, int64_t value)>
                              fn) const;
  absl::StatusOr<WindowMeasures> ReadWindow(std::string_view scope,
                                            const ReportWindow& window,
                                            const Snapshot* snapshot) const;

  // The criteria section (report_criteria.cc).
  absl::Status BuildCriteria(std::string_view province, const Measures& current,
                             const UnitReportIndex& units,
                             const ReportWindow& window,
                             const Snapshot* snapshot,
                             v1::Report& report) const;
  absl::Status BuildDeadlines(std::string_view province,
                              const Measures& current,
                              const ReportWindow& window,
                              const Snapshot* snapshot,
                              v1::CriteriaSection& section) const;

  // A catalogue section (report_catalog.cc).
  absl::Status BuildCatalogSection(const CatalogSection& section,
                                   std::string_view province,
                                   const WindowMeasures& measures,
                                   const ReportWindow& window,
                                   const Snapshot* snapshot,
                                   v1::Report& report) const;

  // A catalogue section's coverage, naming missing and stale units
  // (report_coverage.cc).
  absl::StatusOr<common::v1::Coverage> CatalogCoverage(
      const CatalogSection& section, std::string_view province,
      const UnitReportIndex& units, const ReportWindow& window) const;

  const Store* const store_;
  const UnitRegistry* const units_;
  const CriteriaLabels* const labels_;
  const std::vector<CatalogSection> sections_;
  const PublishedFigures* const published_;
  const ReportOptions options_;
};

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_REPORT_BUILDER_H_
