#include "services/aggregator/report_builder.h"

#include "absl/strings/match.h"
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
    absl::FunctionRef<void(const MeasureKey&, int64_t)> fn,
    std::string_view end) const {
  absl::Status status;
  const std::string until =
      end.empty() ? PrefixSuccessor(prefix) : std::string(end);
  MeasureKey k;  // reused: its strings keep their capacity across entries
  RETURN_IF_ERROR(store_->Scan(
      kMeasuresFamily, prefix, until,
      [&](std::string_view key, std::string_view value) {
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
  const std::string scope_prefix = KeyBuilder().String(scope).Build();
  // Buckets sort by time (fixed-width seconds, bytes the key encoding keeps
  // as they are), so the scan stops at the first second after the cutoff
  // instead of reading every later change and dropping it.
  const std::string end =
      scope_prefix + AtBucket(window.cutoff() + absl::Seconds(1));
  RETURN_IF_ERROR(ScanMeasures(
      scope_prefix + std::string(kAtBucketPrefix), "measure", snapshot,
      [&](const MeasureKey& k, int64_t value) {
        absl::Time t;
        if (!ParseAtBucket(k.bucket, &t)) {
          status = absl::DataLossError(
              absl::StrCat("corrupt measure bucket ", k.bucket));
          return;
        }
        if (window.Counts(t)) fn(k.measure, t, value);
      },
      end));
  return status;
}

absl::StatusOr<ReportBuilder::WindowMeasures> ReportBuilder::ReadWindow(
    std::string_view scope, const ReportWindow& window,
    const Snapshot* snapshot) const {
  WindowMeasures out;
  // Most entries add to a measure already seen: find it without making a
  // string.
  auto add = [](Measures& m, std::string_view measure, int64_t value) {
    auto it = m.find(measure);
    if (it == m.end()) {
      m.emplace(std::string(measure), value);
    } else {
      it->second += value;
    }
  };
  RETURN_IF_ERROR(
      ScanWindow(scope, window, snapshot,
                 [&](std::string_view measure, absl::Time t, int64_t value) {
                   add(out.at_cutoff, measure, value);
                   if (t >= window.start) add(out.in_period, measure, value);
                   NoteReport(scope, measure, t, value, window, out.units);
                 }));
  return out;
}

void ReportBuilder::NoteReport(std::string_view unit, std::string_view measure,
                               absl::Time t, int64_t value,
                               const ReportWindow& window,
                               UnitReportIndex& units) {
  // "<source>.unit.reported" (measures::UnitReported) of any source.
  static const std::string* const kSuffix =
      new std::string(measures::UnitReported(""));
  if (value <= 0 || !absl::EndsWith(AbslView(measure), *kSuffix)) return;
  UnitReports& r =
      units[{std::string(unit),
             std::string(measure.substr(0, measure.size() - kSuffix->size()))}];
  if (window.Within(t)) r.in_period = true;
  if (!r.latest.has_value() || *r.latest < t) r.latest = t;
}

ReportBuilder::UnitReports ReportBuilder::ReportsIn(
    const UnitReportIndex& units, std::string_view unit,
    std::string_view source) {
  auto it = units.find({std::string(unit), std::string(source)});
  UnitReports r = it == units.end() ? UnitReports{} : it->second;
  // Criteria progress is cumulative (a report stays true until the next);
  // the catalogue sources report per period.
  r.reporting =
      source == measures::kCriteriaSource ? r.latest.has_value() : r.in_period;
  return r;
}

absl::StatusOr<ReportBuilder::WindowMeasures> ReportBuilder::ReadProvince(
    std::string_view province, const ReportWindow& window,
    const Snapshot* snapshot) const {
  ASSIGN_OR_RETURN(WindowMeasures out, ReadWindow(province, window, snapshot));
  // The units' scopes are "<province>/...": their keys share these bytes,
  // which the province's own scope ("<province>" then the terminator) and
  // every other province's do not. One scan for all of them.
  const std::string prefix = absl::StrCat(AbslView(province), "/");
  absl::Status status;
  RETURN_IF_ERROR(ScanMeasures(
      prefix, "unit report", snapshot, [&](const MeasureKey& k, int64_t value) {
        absl::Time t;
        if (!ParseAtBucket(k.bucket, &t)) {
          status = absl::DataLossError(
              absl::StrCat("corrupt measure bucket ", k.bucket));
          return;
        }
        if (window.Counts(t)) {
          NoteReport(k.scope, k.measure, t, value, window, out.units);
        }
      }));
  RETURN_IF_ERROR(status);
  return out;
}

absl::StatusOr<ReportBuilder::UnitReportIndex> ReportBuilder::UnitReportsIn(
    std::string_view province, const ReportWindow& window,
    const Snapshot* snapshot) const {
  ASSIGN_OR_RETURN(WindowMeasures read,
                   ReadProvince(province, window, snapshot));
  return std::move(read.units);
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
                   ReadProvince(unit->name, window, snapshot));
  RETURN_IF_ERROR(BuildCriteria(unit->name, measures.at_cutoff, measures.units,
                                window, snapshot, report));
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
