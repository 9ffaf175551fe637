// History of the eidentity core: GetHistory, a unit's reported points of
// one STOCK or FLOW metric in a date range, or of a RATIO metric (its
// numerator's points over the denominator's value at each date), in pages.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/ratio/ratio_proto.h"
#include "common/store/key_codec.h"
#include "common/store/page_token.h"
#include "common/time/proto_time.h"
#include "services/eidentity/eidentity_core.h"
#include "services/eidentity/eidentity_series.h"

namespace nq57::eidentity {

using v1::MetricPoint;

absl::StatusOr<v1::GetHistoryResponse> EidentityCore::GetHistory(
    const v1::GetHistoryRequest& request) const {
  if (request.unit().empty()) return InvalidFieldError("unit", "required");
  if (request.metric().empty()) return InvalidFieldError("metric", "required");
  ASSIGN_OR_RETURN(const Unit* unit, units_->Lookup(request.unit()));
  ASSIGN_OR_RETURN(int page_size, PageSizeOf(request.page_size()));
  const auto* measure = catalog_->FindMeasure(request.metric());
  const auto* indicator = catalog_->FindIndicator(request.metric());
  if (measure == nullptr && indicator == nullptr) {
    return InvalidFieldError(
        "metric",
        absl::StrCat("unknown metric (catalogue ", catalog_->version(), ")"));
  }
  if (indicator != nullptr && (indicator->numerator_size() != 1 ||
                               indicator->denominator_size() != 1)) {
    return InvalidFieldError(
        "metric", "history of a ratio of several metrics: ask for each metric");
  }
  int64_t first = DayNumber(kFirstDate);
  int64_t last = DayNumber(kLastDate);
  if (request.has_start_date()) {
    ASSIGN_OR_RETURN(absl::CivilDay s,
                     ParseProtoDate(request.start_date(), "start_date"));
    first = DayNumber(s);
  }
  if (request.has_end_date()) {
    ASSIGN_OR_RETURN(absl::CivilDay e,
                     ParseProtoDate(request.end_date(), "end_date"));
    last = DayNumber(e);
  }
  if (last < first) {
    return InvalidFieldError("end_date", "must not be before start_date");
  }
  // A token carries the day number the next page starts at, and is bound
  // to the listing: the unit, the metric and the requested range.
  const std::string query = KeyBuilder()
                                .String("history")
                                .String(unit->name)
                                .String(request.metric())
                                .Int64(first)
                                .Int64(last)
                                .Build();
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(uint64_t from,
                     DecodeOffsetToken(request.page_token(), query));
    if (from < static_cast<uint64_t>(first) ||
        from > static_cast<uint64_t>(last) + 1) {
      return InvalidFieldError("page_token", "does not belong to this range");
    }
    first = static_cast<int64_t>(from);
  }

  v1::GetHistoryResponse out;
  out.set_unit(unit->name);
  out.set_metric(request.metric());
  SeriesReader reader(*store_);
  const std::string series_metric =
      measure != nullptr ? measure->code() : indicator->numerator(0);
  const config::v1::MeasureDefinition* den =
      indicator != nullptr ? catalog_->FindMeasure(indicator->denominator(0))
                           : nullptr;
  out.set_kind(measure != nullptr ? KindOf(*measure) : v1::RATIO);
  std::vector<MetricPoint> points;
  RETURN_IF_ERROR(reader.Points(
      unit->name, series_metric, first, last + 1, [&](const MetricPoint& p) {
        points.push_back(p);
        return static_cast<int>(points.size()) <= page_size;
      }));
  if (static_cast<int>(points.size()) > page_size) {
    out.set_next_page_token(EncodeOffsetToken(
        query, static_cast<uint64_t>(DayNumberOf(points.back()))));
    points.pop_back();
  }
  for (const MetricPoint& p : points) {
    v1::HistoryPoint* h = out.add_points();
    *h->mutable_as_of_date() = p.as_of_date();
    h->set_source(p.source());
    h->set_correction(p.correction());
    h->set_correction_reason(p.correction_reason());
    *h->mutable_report_time() = p.report_time();
    if (den == nullptr) {
      h->set_value(p.value());
      continue;
    }
    const int64_t pd = DayNumberOf(p);
    std::optional<MetricPoint> below;
    if (den->kind() == config::v1::FLOW) {
      ASSIGN_OR_RETURN(
          below, reader.Point(kPoints, DayKey(unit->name, den->code(), pd)));
    } else {
      ASSIGN_OR_RETURN(below, reader.StockAt(unit->name, den->code(), pd));
    }
    *h->mutable_ratio() =
        RenderRatio({p.value(), below.has_value() ? below->value() : 0},
                    FromProto(indicator->rounding()), indicator->decimals());
  }
  return out;
}

}  // namespace nq57::eidentity
