#include "services/aggregator/report_builder.h"

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/base/vietnam_time.h"
#include "common/store/key_codec.h"
#include "common/time/months.h"
#include "common/time/proto_time.h"
#include "services/aggregator/measure_names.h"

namespace nq57::aggregator {

ReportBuilder::ReportBuilder(const Store* store, const UnitRegistry* units,
                             const CriteriaLabels* labels,
                             std::vector<CatalogSection> sections,
                             const PublishedFigures* published,
                             ReportOptions options)
    : store_(store),
      units_(units),
      labels_(labels),
      sections_(std::move(sections)),
      published_(published),
      options_(options) {}

absl::Status ReportBuilder::ScanMeasures(
    std::string_view prefix, std::string_view what, const Snapshot* snapshot,
    absl::FunctionRef<void(const MeasureKey&, int64_t)> fn) const {
  absl::Status status;
  RETURN_IF_ERROR(store_->Scan(
      kMeasuresFamily, prefix, PrefixSuccessor(prefix),
      [&](std::string_view key, std::string_view value) {
        MeasureKey k;
        uint64_t raw;
        if (!DecodeMeasureKey(key, &k) || !DecodeUint64(value, &raw)) {
          status =
              absl::DataLossError(absl::StrCat("corrupt ", AbslView(what)));
          return false;
        }
        fn(k, static_cast<int64_t>(raw));
        return true;
      },
      snapshot));
  return status;
}

absl::Status ReportBuilder::ScanWindow(
    std::string_view scope, const ReportWindow& window,
    const Snapshot* snapshot,
    absl::FunctionRef<void(std::string_view, absl::Time, int64_t)> fn) const {
  absl::Status status;
  RETURN_IF_ERROR(ScanMeasures(
      KeyBuilder().String(scope).Build() + std::string(kAtBucketPrefix),
      "measure", snapshot, [&](const MeasureKey& k, int64_t value) {
        absl::Time t;
        if (!ParseAtBucket(k.bucket, &t)) {
          status = absl::DataLossError(
              absl::StrCat("corrupt measure bucket ", k.bucket));
          return;
        }
        if (window.Counts(t)) fn(k.measure, t, value);
      }));
  return status;
}

absl::StatusOr<ReportBuilder::WindowMeasures> ReportBuilder::ReadWindow(
    std::string_view scope, const ReportWindow& window,
    const Snapshot* snapshot) const {
  WindowMeasures out;
  RETURN_IF_ERROR(
      ScanWindow(scope, window, snapshot,
                 [&](std::string_view measure, absl::Time t, int64_t value) {
                   out.at_cutoff[std::string(measure)] += value;
                   if (t >= window.start)
                     out.in_period[std::string(measure)] += value;
                 }));
  return out;
}

absl::StatusOr<ReportBuilder::UnitReports> ReportBuilder::ReportsOf(
    std::string_view unit, std::string_view source, const ReportWindow& window,
    const Snapshot* snapshot) const {
  const std::string reported = measures::UnitReported(source);
  UnitReports out;
  RETURN_IF_ERROR(
      ScanWindow(unit, window, snapshot,
                 [&](std::string_view measure, absl::Time t, int64_t value) {
                   if (measure != reported || value <= 0) return;
                   if (window.Within(t)) out.in_period = true;
                   if (!out.latest.has_value() || *out.latest < t)
                     out.latest = t;
                 }));
  // Criteria progress is cumulative (a report stays true until the next);
  // the catalogue sources report per period.
  out.reporting = source == measures::kCriteriaSource ? out.latest.has_value()
                                                      : out.in_period;
  return out;
}

absl::StatusOr<ReportWindow> ReportBuilder::WindowOf(std::string_view period,
                                                     absl::Time as_of) {
  ASSIGN_OR_RETURN(std::vector<std::string> months, PeriodMonths(period));
  ASSIGN_OR_RETURN(absl::CivilMonth first,
                   ParseMonth(months.front(), "period"));
  ASSIGN_OR_RETURN(absl::CivilMonth last, ParseMonth(months.back(), "period"));
  ReportWindow window{.start = StartOfDay(absl::CivilDay(first)),
                      .end = StartOfDay(absl::CivilDay(last + 1)),
                      .as_of = as_of};
  if (as_of < window.start) {
    return InvalidFieldError(
        "period", absl::StrCat("starts after as_of (",
                               absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", as_of,
                                                VietnamTime()),
                               "): a report cannot cover a period that has "
                               "not begun"));
  }
  return window;
}

absl::StatusOr<v1::Report> ReportBuilder::Build(
    std::string_view province, std::string_view period, absl::Time as_of,
    const Snapshot* snapshot) const {
  ASSIGN_OR_RETURN(const Unit* unit, units_->Lookup(province));
  if (unit->level != UnitLevel::kProvince) {
    return InvalidFieldError("province", "not a province (provinces/NN)");
  }
  v1::Report report;
  report.set_province(unit->name);
  report.set_province_name(unit->display_name);
  report.set_period(period.empty() ? MonthOf(as_of) : std::string(period));
  ASSIGN_OR_RETURN(const ReportWindow window, WindowOf(report.period(), as_of));
  *report.mutable_as_of() = ToProtoTime(as_of);
  (*report.mutable_config_versions())["units"] = units_->version();
  (*report.mutable_config_versions())["labels"] = labels_->version();
  if (published_ != nullptr) {
    (*report.mutable_config_versions())["published"] = published_->version();
  }
  ASSIGN_OR_RETURN(WindowMeasures measures,
                   ReadWindow(unit->name, window, snapshot));
  RETURN_IF_ERROR(
      BuildCriteria(unit->name, measures.at_cutoff, window, snapshot, report));
  for (const CatalogSection& section : sections_) {
    RETURN_IF_ERROR(BuildCatalogSection(section, unit->name, measures, window,
                                        snapshot, report));
  }
  return report;
}

void ReportBuilder::ForEachFigure(
    const v1::Report& report, absl::FunctionRef<void(const v1::Figure&)> fn) {
  const auto& c = report.criteria();
  fn(c.total());
  for (const auto* list :
       {&c.blocks(), &c.blocks_province_level(), &c.blocks_commune_level(),
        &c.groups(), &c.block_groups(), &report.public_services(),
        &report.project06()}) {
    for (const v1::Figure& f : *list) fn(f);
  }
}

const v1::Figure* ReportBuilder::FindFigure(const v1::Report& report,
                                            std::string_view id) {
  const v1::Figure* found = nullptr;
  ForEachFigure(report, [&](const v1::Figure& f) {
    if (found == nullptr && f.id() == id) found = &f;
  });
  return found;
}

}  // namespace nq57::aggregator
