// Figures of the eidentity core, from the aggregates (never a scan of raw
// reports): GetUnitMetrics (one unit's values as of a date), RollupMetrics (a
// province over its communes, with coverage and stale communes), the RATIO
// figures evaluated over either, and TEST_RecountFromPoints, the slow
// recount a rollup must equal.
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/indicators/indicator_evaluator.h"
#include "common/ratio/coverage.h"
#include "common/store/key_codec.h"
#include "common/time/proto_time.h"
#include "common/units/unit_proto.h"
#include "services/eidentity/eidentity_core.h"
#include "services/eidentity/eidentity_series.h"

namespace nq57::eidentity {
namespace {

using v1::MetricPoint;

// The RATIO figures over `values`; each with the coverage of its least
// covered metric.
absl::Status AddRatioFigures(
    const IndicatorCatalog& catalog, const MeasureValues& values,
    const std::map<std::string, common::v1::Coverage, std::less<>>& coverage,
    absl::CivilDay day,
    google::protobuf::RepeatedPtrField<v1::MetricFigure>* figures) {
  for (const auto& def : catalog.config().indicators()) {
    common::v1::Coverage least;
    bool first = true;
    for (const auto* side : {&def.numerator(), &def.denominator()}) {
      for (const std::string& code : *side) {
        auto it = coverage.find(code);
        if (it == coverage.end()) continue;
        if (first || it->second.reported() < least.reported()) {
          least = it->second;
          first = false;
        }
      }
    }
    EvaluationInput input{.totals = &values, .coverage = least, .date = day};
    ASSIGN_OR_RETURN(common::v1::IndicatorValue value,
                     Evaluate(catalog, def.code(), input));
    v1::MetricFigure* figure = figures->Add();
    figure->set_metric(def.code());
    figure->set_kind(v1::RATIO);
    *figure->mutable_coverage() = least;
    *figure->mutable_indicator() = std::move(value);
  }
  return absl::OkStatus();
}

// The as-of date of a read: the request's, or today.
absl::StatusOr<absl::CivilDay> AsOfDay(const Clock& clock, bool has_date,
                                       const common::v1::Date& date,
                                       std::string_view field) {
  if (!has_date) return Today(clock);
  return ParseProtoDate(date, field);
}

}  // namespace

absl::StatusOr<v1::UnitMetrics> EidentityCore::GetUnitMetrics(
    const v1::GetUnitMetricsRequest& request) const {
  if (request.unit().empty()) return InvalidFieldError("unit", "required");
  ASSIGN_OR_RETURN(const Unit* unit, units_->Lookup(request.unit()));
  ASSIGN_OR_RETURN(absl::CivilDay day,
                   AsOfDay(clock_, request.has_as_of_date(),
                           request.as_of_date(), "as_of_date"));
  const int64_t d = DayNumber(day);
  SeriesReader reader(*store_);
  v1::UnitMetrics out;
  *out.mutable_unit() = UnitRefOf(*unit);
  *out.mutable_as_of_date() = ToProtoDate(day);
  out.set_catalog_version(catalog_->version());
  MeasureValues values;
  std::map<std::string, common::v1::Coverage, std::less<>> coverage;
  for (const auto& m : catalog_->config().measures()) {
    v1::MetricFigure* figure = out.add_figures();
    figure->set_metric(m.code());
    figure->set_kind(KindOf(m));
    std::optional<MetricPoint> point;
    int64_t value = 0;
    if (m.kind() == config::v1::FLOW) {
      ASSIGN_OR_RETURN(auto flow, reader.FlowToDate(unit->name, m.code(), d));
      value = flow.first;
      point = std::move(flow.second);
    } else {
      ASSIGN_OR_RETURN(point, reader.StockAt(unit->name, m.code(), d));
      if (point.has_value()) {
        value = point->value();
        *figure->mutable_value_date() = point->as_of_date();
      }
    }
    figure->set_value(value);
    if (point.has_value()) {
      figure->set_source(point->source());
      values[m.code()] = value;
    }
    *figure->mutable_coverage() = CountCoverage(point.has_value() ? 1 : 0, 1);
    coverage[m.code()] = figure->coverage();
  }
  RETURN_IF_ERROR(
      AddRatioFigures(*catalog_, values, coverage, day, out.mutable_figures()));
  return out;
}

absl::StatusOr<v1::Rollup> EidentityCore::RollupMetrics(
    const v1::RollupMetricsRequest& request) const {
  if (request.parent().empty()) return InvalidFieldError("parent", "required");
  ASSIGN_OR_RETURN(const Unit* parent, units_->Lookup(request.parent()));
  if (parent->level != UnitLevel::kProvince) {
    return InvalidFieldError("parent", "must be a province");
  }
  ASSIGN_OR_RETURN(absl::CivilDay day,
                   AsOfDay(clock_, request.has_as_of_date(),
                           request.as_of_date(), "as_of_date"));
  if (request.stale_after_days() < 0) {
    return InvalidFieldError("stale_after_days", "must not be negative");
  }
  const int stale_after = request.stale_after_days() > 0
                              ? request.stale_after_days()
                              : options_.stale_after_days;
  const int64_t d = DayNumber(day);
  const int64_t month_start = DayNumber(absl::CivilDay(absl::CivilMonth(day)));
  const std::vector<const Unit*> communes =
      units_->Children(parent->name, UnitLevel::kCommune);
  const int64_t expected = static_cast<int64_t>(communes.size());

  SeriesReader reader(*store_);
  ASSIGN_OR_RETURN(std::optional<std::string> last_raw,
                   reader.Bytes(kLastDay, parent->name));
  uint64_t last_day = 0;
  const bool current =
      !last_raw.has_value() || (DecodeUint64(*last_raw, &last_day) &&
                                static_cast<int64_t>(last_day) <= d);

  v1::Rollup out;
  *out.mutable_parent() = UnitRefOf(*parent);
  *out.mutable_as_of_date() = ToProtoDate(day);
  out.set_stale_after_days(stale_after);
  out.set_catalog_version(catalog_->version());
  MeasureValues values;
  std::map<std::string, common::v1::Coverage, std::less<>> coverage;
  const std::string& p = parent->name;
  for (const auto& m : catalog_->config().measures()) {
    const std::string series = SeriesKey(p, m.code());
    int64_t value = 0;
    int64_t reporters = 0;
    if (m.kind() == config::v1::FLOW) {
      ASSIGN_OR_RETURN(
          value, reader.SumCounters(kSteps, DayKey(p, m.code(), month_start),
                                    DayKey(p, m.code(), d + 1)));
    } else if (current) {
      ASSIGN_OR_RETURN(value, reader.Counter(kTotals, series));
    } else {
      ASSIGN_OR_RETURN(value, reader.SumCounters(kSteps, series,
                                                 DayKey(p, m.code(), d + 1)));
    }
    if (current) {
      ASSIGN_OR_RETURN(reporters, reader.Counter(kReporters, series));
    } else {
      ASSIGN_OR_RETURN(
          reporters,
          reader.SumCounters(kFirstDays, series, DayKey(p, m.code(), d + 1)));
    }
    v1::MetricFigure* figure = out.add_figures();
    figure->set_metric(m.code());
    figure->set_kind(KindOf(m));
    figure->set_value(value);
    *figure->mutable_coverage() = CountCoverage(reporters, expected);
    coverage[m.code()] = figure->coverage();
    values[m.code()] = value;
  }
  RETURN_IF_ERROR(
      AddRatioFigures(*catalog_, values, coverage, day, out.mutable_figures()));

  // Which communes reported anything, and which of them are stale.
  std::vector<std::string> names;
  std::set<std::string, std::less<>> reported;
  for (const Unit* commune : communes) {
    names.push_back(commune->name);
    ASSIGN_OR_RETURN(std::optional<int64_t> last,
                     reader.LastReportDay(commune->name, d));
    if (!last.has_value()) continue;
    reported.insert(commune->name);
    if (*last < d - stale_after) {
      v1::StaleUnit* stale = out.add_stale();
      stale->set_unit(commune->name);
      *stale->mutable_last_report_date() = ToProtoDate(DayOfNumber(*last));
    }
  }
  *out.mutable_coverage() = MakeCoverage(names, reported);
  return out;
}

absl::StatusOr<int64_t> EidentityCore::TEST_RecountFromPoints(
    std::string_view province, std::string_view metric,
    absl::CivilDay day) const {
  const auto* def = catalog_->FindMeasure(metric);
  if (def == nullptr) return absl::NotFoundError("unknown metric");
  SeriesReader reader(*store_);
  const int64_t d = DayNumber(day);
  const int64_t month_start = DayNumber(absl::CivilDay(absl::CivilMonth(day)));
  int64_t total = 0;
  for (const Unit* commune : units_->Children(province, UnitLevel::kCommune)) {
    if (def->kind() == config::v1::FLOW) {
      RETURN_IF_ERROR(reader.Points(commune->name, metric, month_start, d + 1,
                                    [&](const MetricPoint& p) {
                                      total += p.value();
                                      return true;
                                    }));
    } else {
      int64_t latest = 0;
      RETURN_IF_ERROR(reader.Points(commune->name, metric,
                                    std::numeric_limits<int64_t>::min(), d + 1,
                                    [&](const MetricPoint& p) {
                                      latest = p.value();
                                      return true;
                                    }));
      total += latest;
    }
  }
  return total;
}

}  // namespace nq57::eidentity
