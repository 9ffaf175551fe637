// Coverage in the report: which provinces have data, and how many of the
// units a catalogue section expects have reported, naming the missing and
// stale ones (see report_builder.h).
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/base/status_macros.h"
#include "common/base/vietnam_time.h"
#include "common/ratio/coverage.h"
#include "common/store/key_codec.h"
#include "common/time/proto_time.h"
#include "services/aggregator/measure_names.h"
#include "services/aggregator/report_builder.h"

namespace nq57::aggregator {
namespace {

// At most this many missing or stale units are named per section.
constexpr int kMaxListed = 200;

}  // namespace

absl::StatusOr<std::vector<std::string>> ReportBuilder::Provinces(
    const Snapshot* snapshot) const {
  std::vector<std::string> out;
  for (const Unit* p : units_->provinces()) {
    const std::string prefix = MeasurePrefix(p->name, std::nullopt);
    bool any = false;
    RETURN_IF_ERROR(store_->Scan(
        kMeasuresFamily, prefix, PrefixSuccessor(prefix),
        [&](std::string_view, std::string_view) {
          any = true;
          return false;
        },
        snapshot));
    if (any) out.push_back(p->name);
  }
  return out;
}

absl::StatusOr<common::v1::Coverage> ReportBuilder::CatalogCoverage(
    const CatalogSection& section, std::string_view province,
    const UnitReportIndex& units, const ReportWindow& window) const {
  // For each expected unit: whether it reported in the period, and how old
  // its latest report is at the cutoff.
  const std::vector<const Unit*> expected =
      units_->Children(province, section.expected_level);
  const absl::CivilDay cutoff_day =
      absl::ToCivilDay(window.cutoff(), VietnamTime());
  const absl::CivilDay stale_before =
      cutoff_day - absl::ToInt64Hours(options_.stale_after) / 24;
  int64_t reported = 0, stale = 0;
  std::vector<std::string> missing, stale_units;
  for (const Unit* unit : expected) {
    const UnitReports r = ReportsIn(units, unit->name, section.source);
    if (r.reporting) {
      ++reported;
    } else if (missing.size() < kMaxListed) {
      missing.push_back(unit->name);
    }
    if (r.latest.has_value() &&
        absl::ToCivilDay(*r.latest, VietnamTime()) < stale_before) {
      ++stale;
      if (stale_units.size() < kMaxListed) stale_units.push_back(unit->name);
    }
  }
  common::v1::Coverage coverage =
      CountCoverage(reported, static_cast<int64_t>(expected.size()));
  for (std::string& name : missing) coverage.add_missing(std::move(name));
  coverage.set_stale_count(stale);
  for (std::string& name : stale_units) coverage.add_stale(std::move(name));
  return coverage;
}

}  // namespace nq57::aggregator
