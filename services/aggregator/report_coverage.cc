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
    const Measures& current, absl::Time as_of, const Snapshot* snapshot) const {
  // Units reporting vs expected, with the missing and stale ones listed
  // (point reads of the expected units, only when needed).
  std::vector<const Unit*> expected =
      units_->Children(province, section.expected_level);
  auto reporting = current.find(measures::UnitsReporting(section.source));
  common::v1::Coverage coverage =
      CountCoverage(reporting == current.end() ? 0 : reporting->second,
                    static_cast<int64_t>(expected.size()));
  // Stale units: the "latest:<day>" buckets count units by the day of their
  // latest report, so the count is one range read; names need point reads
  // of the expected units, done only when something is missing or stale.
  const absl::CivilDay as_of_day = absl::ToCivilDay(as_of, VietnamTime());
  const std::string stale_before = absl::StrCat(
      kLatestBucketPrefix,
      absl::FormatCivilTime(as_of_day -
                            absl::ToInt64Hours(options_.stale_after) / 24));
  const std::string latest_prefix =
      KeyBuilder().String(province).Build() + std::string(kLatestBucketPrefix);
  const std::string units_latest = measures::UnitsLatest(section.source);
  int64_t stale = 0;
  RETURN_IF_ERROR(ScanMeasures(latest_prefix, "latest-day measure", snapshot,
                               [&](const MeasureKey& k, int64_t value) {
                                 if (k.bucket < stale_before &&
                                     k.measure == units_latest) {
                                   stale += value;
                                 }
                               }));
  coverage.set_stale_count(stale);
  if (coverage.missing_count() == 0 && stale == 0) return coverage;

  const std::string reported_measure = measures::UnitReported(section.source);
  const std::string latest_measure = measures::UnitLatestDay(section.source);
  const bool find_missing = coverage.missing_count() > 0;
  const std::string stale_day =
      stale_before.substr(strlen(kLatestBucketPrefix));
  coverage.set_missing_count(0);
  for (const Unit* unit : expected) {
    // Each unit costs a point read or two, only for what must be named.
    if (find_missing) {
      ASSIGN_OR_RETURN(
          int64_t reported,
          ReadMeasure({unit->name, "", reported_measure}, snapshot));
      if (reported <= 0) {
        coverage.set_missing_count(coverage.missing_count() + 1);
        if (coverage.missing_size() < kMaxListed) {
          coverage.add_missing(unit->name);
        }
        continue;
      }
    }
    if (stale == 0 || coverage.stale_size() >= kMaxListed) continue;
    ASSIGN_OR_RETURN(int64_t latest,
                     ReadMeasure({unit->name, "", latest_measure}, snapshot));
    if (latest > 0 && absl::FormatCivilTime(DayOfNumber(latest)) < stale_day) {
      coverage.add_stale(unit->name);
    }
  }
  return coverage;
}

}  // namespace nq57::aggregator
