// ReportBuilder: the nq57 report of a province, built from maintained
// measures — a handful of prefix reads, never a scan of the inputs.
//
// Sections, and the file each is built in:
//   criteria   (report_criteria.cc) completed / assigned per block, per
//              block at province and commune level, per group, per block x
//              group, all together; deadline tasks on time / late / overdue
//              / pending at as_of. Labels come from CriteriaLabels
//              (deploy/config/labels/criteria.csv).
//   public services and Project 06   (report_catalog.cc)
//              the indicators of the service's catalogue
//              (deploy/config/indicators/<source>.textproto) evaluated over
//              the province's measure totals: flows summed over the months of
//              the period, stocks at their latest value; with colours,
//              coverage and, for stocks, the plain counts.
//   coverage   (report_coverage.cc) units reporting / expected, with the
//              missing and stale ones named; and which provinces have data.
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
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/indicators/indicator_catalog.h"
#include "common/labels/criteria_labels.h"
#include "common/ratio/ratio.h"
#include "common/store/store.h"
#include "common/units/unit_registry.h"
#include "nq57/aggregator/v1/aggregator.pb.h"
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
  // A unit whose latest stock report is older than this at as_of is stale.
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

 private:
  using Measures = std::map<std::string, int64_t, std::less<>>;

  // Measure reads (report_builder.cc).
  // Visits every measure under `prefix`; DATA_LOSS (`what`) if corrupt.
  absl::Status ScanMeasures(
      std::string_view prefix, std::string_view what, const Snapshot* snapshot,
      absl::FunctionRef<void(const MeasureKey&, int64_t)> fn) const;
  absl::StatusOr<Measures> ReadMeasures(std::string_view scope,
                                        std::string_view bucket,
                                        const Snapshot* snapshot) const;
  absl::StatusOr<int64_t> ReadMeasure(const MeasureKey& key,
                                      const Snapshot* snapshot) const;

  // The criteria section (report_criteria.cc).
  absl::Status BuildCriteria(std::string_view province, const Measures& current,
                             absl::Time as_of, const Snapshot* snapshot,
                             v1::Report& report) const;
  absl::Status BuildDeadlines(std::string_view province,
                              const Measures& current, absl::Time as_of,
                              const Snapshot* snapshot,
                              v1::CriteriaSection& section) const;

  // A catalogue section (report_catalog.cc).
  absl::Status BuildCatalogSection(const CatalogSection& section,
                                   std::string_view province,
                                   const Measures& current,
                                   const std::vector<std::string>& months,
                                   absl::Time as_of, const Snapshot* snapshot,
                                   v1::Report& report) const;

  // A catalogue section's coverage, naming missing and stale units
  // (report_coverage.cc).
  absl::StatusOr<common::v1::Coverage> CatalogCoverage(
      const CatalogSection& section, std::string_view province,
      const Measures& current, absl::Time as_of,
      const Snapshot* snapshot) const;

  const Store* const store_;
  const UnitRegistry* const units_;
  const CriteriaLabels* const labels_;
  const std::vector<CatalogSection> sections_;
  const PublishedFigures* const published_;
  const ReportOptions options_;
};

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_REPORT_BUILDER_H_
