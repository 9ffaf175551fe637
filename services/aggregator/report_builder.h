// ReportBuilder: the nq57 report of a province, built from maintained
// measures — a handful of prefix reads, never a scan of the inputs.
//
// Sections:
//   criteria   completed / assigned per block, per block at province and
//              commune level, per group, per block x group, all together;
//              deadline tasks on time / late / overdue / pending at as_of.
//   public services and Project 06
//              the indicators of the service's catalogue
//              (deploy/config/indicators/<source>.textproto) evaluated over
//              the province's measure totals: flows summed over the months of
//              the period, stocks at their latest value; with colours,
//              coverage (units reporting / expected) and, for stocks, the
//              plain counts.
// Every figure carries its integer ratio, rendering (declared rounding and
// decimals), method, coverage, formula, and — when the province published
// that figure (deploy/config/published/) — which rounding modes reproduce
// the published text, or a flag that none does.
//
// Thread-safe: const and reads only.
#ifndef NQ57_SERVICES_AGGREGATOR_REPORT_BUILDER_H_
#define NQ57_SERVICES_AGGREGATOR_REPORT_BUILDER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/indicators/indicator_catalog.h"
#include "common/ratio/ratio.h"
#include "common/store/store.h"
#include "common/units/unit_registry.h"
#include "nq57/aggregator/v1/aggregator.pb.h"
#include "services/aggregator/rollup_state.h"

namespace nq57::aggregator {

// One catalogue-driven section: measures are "<source>.<measure code>".
struct CatalogSection {
  std::string source;                         // "publicservice" or "eidentity"
  const IndicatorCatalog* catalog = nullptr;  // not owned
  UnitLevel expected_level = UnitLevel::kCommune;
};

// Figures a province published, to check against (versioned CSV:
// province,period,figure,text,note).
class PublishedFigures {
 public:
  static absl::StatusOr<std::unique_ptr<PublishedFigures>> Load(
      const std::string& path);
  struct Entry {
    std::string text;
    std::string note;
  };
  const Entry* Find(std::string_view province, std::string_view period,
                    std::string_view figure) const;
  const std::string& version() const { return version_; }

 private:
  std::string version_;
  std::map<std::string, Entry, std::less<>> entries_;
};

struct ReportOptions {
  RoundingMode criteria_rounding = RoundingMode::kHalfUp;
  int criteria_decimals = 1;
  // A unit whose latest stock report is older than this at as_of is stale.
  absl::Duration stale_after = absl::Hours(24 * 45);
};

// The months ("YYYY-MM") a period covers: "2025-10", "2025-Q4" or "2025".
// INVALID_ARGUMENT naming field "period" otherwise.
absl::StatusOr<std::vector<std::string>> PeriodMonths(std::string_view period);
// The month of `t` in Vietnam's time zone (UTC+7), e.g. "2025-10".
std::string MonthOf(absl::Time t);

class ReportBuilder {
 public:
  // Nothing is owned; all must outlive the builder.
  ReportBuilder(const Store* store, const UnitRegistry* units,
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

 private:
  using Measures = std::map<std::string, int64_t, std::less<>>;
  absl::StatusOr<Measures> ReadMeasures(std::string_view scope,
                                        std::string_view bucket,
                                        const Snapshot* snapshot) const;
  absl::StatusOr<int64_t> ReadMeasure(const MeasureKey& key,
                                      const Snapshot* snapshot) const;
  absl::Status BuildCriteria(std::string_view province, const Measures& current,
                             absl::Time as_of, const Snapshot* snapshot,
                             v1::Report& report) const;
  absl::Status BuildCatalogSection(const CatalogSection& section,
                                   std::string_view province,
                                   const Measures& current,
                                   const std::vector<std::string>& months,
                                   absl::Time as_of, const Snapshot* snapshot,
                                   v1::Report& report) const;
  void CheckPublished(std::string_view province, std::string_view period,
                      v1::Figure& figure) const;

  const Store* const store_;
  const UnitRegistry* const units_;
  const std::vector<CatalogSection> sections_;
  const PublishedFigures* const published_;
  const ReportOptions options_;
};

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_REPORT_BUILDER_H_
