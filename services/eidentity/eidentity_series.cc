// The eidentity core's storage layout: keys, encoded values, report dates,
// and SeriesReader (see eidentity_series.h).
#include "services/eidentity/eidentity_series.h"

#include <algorithm>
#include <iterator>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/base/vietnam_time.h"
#include "common/store/key_codec.h"
#include "common/time/proto_time.h"
#include "services/eidentity/eidentity_core.h"

namespace nq57::eidentity {

using v1::MetricPoint;

std::vector<std::string> EidentityCore::ColumnFamilies() {
  return {kPoints,    kLatest,    kBeforeLatest, kTotals, kSteps,
          kReporters, kFirstDays, kUnitDays,     kLastDay};
}

// ---- Dates -----------------------------------------------------------------

absl::CivilDay Today(const Clock& clock) {
  return absl::ToCivilDay(clock.Now(), VietnamTime());
}

std::string DateText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

absl::StatusOr<absl::CivilDay> ParseReportDate(const common::v1::Date& date,
                                               std::string_view field,
                                               absl::CivilDay latest_allowed) {
  ASSIGN_OR_RETURN(absl::CivilDay day, ParseProtoDate(date, field));
  if (day > latest_allowed) {
    return InvalidFieldError(field, "is in the future");
  }
  return day;
}

int64_t DayNumberOf(const MetricPoint& point) {
  return DayNumber(FromProtoDate(point.as_of_date()));
}

// ---- Keys and resource names -----------------------------------------------

std::string SeriesKey(std::string_view owner, std::string_view metric) {
  return KeyBuilder().String(owner).String(metric).Build();
}

std::string DayKey(std::string_view owner, std::string_view metric,
                   int64_t day) {
  return KeyBuilder().String(owner).String(metric).Int64(day).Build();
}

std::string PointResource(std::string_view unit, std::string_view metric,
                          absl::CivilDay day) {
  return absl::StrCat(AbslView(unit), "/metrics/", AbslView(metric), "/points/",
                      DateText(day));
}

std::string SeriesResource(std::string_view unit, std::string_view metric) {
  return absl::StrCat(AbslView(unit), "/metrics/", AbslView(metric));
}

// ---- Values ----------------------------------------------------------------

std::string EncodeDays(const std::vector<int64_t>& days) {
  std::string out;
  for (int64_t d : days) out += EncodeUint64(static_cast<uint64_t>(d));
  return out;
}

absl::StatusOr<std::vector<int64_t>> DecodeDays(std::string_view bytes) {
  if (bytes.size() % 8 != 0) return absl::DataLossError("corrupt unit days");
  std::vector<int64_t> out;
  for (size_t i = 0; i < bytes.size(); i += 8) {
    uint64_t d = 0;
    DecodeUint64(bytes.substr(i, 8), &d);
    out.push_back(static_cast<int64_t>(d));
  }
  return out;
}

absl::StatusOr<int64_t> DecodeCounter(const std::optional<std::string>& raw) {
  if (!raw.has_value()) return 0;
  uint64_t v = 0;
  if (!DecodeUint64(*raw, &v)) return absl::DataLossError("corrupt counter");
  return static_cast<int64_t>(v);
}

absl::StatusOr<std::optional<MetricPoint>> ParsePoint(
    const std::optional<std::string>& raw) {
  if (!raw.has_value()) return std::optional<MetricPoint>();
  MetricPoint point;
  if (!point.ParseFromString(*raw)) {
    return absl::DataLossError("corrupt metric point");
  }
  return std::optional<MetricPoint>(std::move(point));
}

// ---- Metric kinds ----------------------------------------------------------

v1::MetricKind KindOf(const config::v1::MeasureDefinition& measure) {
  return measure.kind() == config::v1::FLOW ? v1::FLOW : v1::STOCK;
}

std::string KindName(v1::MetricKind kind) { return v1::MetricKind_Name(kind); }

// ---- Reads -----------------------------------------------------------------

absl::StatusOr<std::optional<MetricPoint>> SeriesReader::Point(
    std::string_view family, std::string_view key) const {
  ASSIGN_OR_RETURN(std::optional<std::string> raw,
                   store_.Get(family, key, snapshot_.get()));
  return ParsePoint(raw);
}

absl::StatusOr<std::optional<std::string>> SeriesReader::Bytes(
    std::string_view family, std::string_view key) const {
  return store_.Get(family, key, snapshot_.get());
}

absl::StatusOr<int64_t> SeriesReader::Counter(std::string_view family,
                                              std::string_view key) const {
  ASSIGN_OR_RETURN(std::optional<std::string> raw,
                   store_.Get(family, key, snapshot_.get()));
  return DecodeCounter(raw);
}

absl::StatusOr<int64_t> SeriesReader::SumCounters(std::string_view family,
                                                  std::string_view start,
                                                  std::string_view end) const {
  int64_t total = 0;
  absl::Status bad;
  RETURN_IF_ERROR(store_.Scan(
      family, start, end,
      [&](std::string_view, std::string_view value) {
        uint64_t v = 0;
        if (!DecodeUint64(value, &v)) {
          bad = absl::DataLossError("corrupt counter");
          return false;
        }
        total += static_cast<int64_t>(v);
        return true;
      },
      snapshot_.get()));
  RETURN_IF_ERROR(bad);
  return total;
}

absl::Status SeriesReader::Points(
    std::string_view unit, std::string_view metric, int64_t first_day,
    int64_t end_day, absl::FunctionRef<bool(const MetricPoint&)> fn) const {
  absl::Status bad;
  RETURN_IF_ERROR(store_.Scan(
      kPoints, DayKey(unit, metric, first_day), DayKey(unit, metric, end_day),
      [&](std::string_view, std::string_view value) {
        MetricPoint point;
        if (!point.ParseFromString(std::string(value))) {
          bad = absl::DataLossError("corrupt metric point");
          return false;
        }
        return fn(point);
      },
      snapshot_.get()));
  return bad;
}

absl::StatusOr<std::optional<MetricPoint>> SeriesReader::StockAt(
    std::string_view unit, std::string_view metric, int64_t day) const {
  ASSIGN_OR_RETURN(std::optional<MetricPoint> latest,
                   Point(kLatest, SeriesKey(unit, metric)));
  if (!latest.has_value() || DayNumberOf(*latest) <= day) {
    return latest;
  }
  std::optional<MetricPoint> found;
  RETURN_IF_ERROR(Points(unit, metric, std::numeric_limits<int64_t>::min(),
                         day + 1, [&](const MetricPoint& p) {
                           found = p;
                           return true;
                         }));
  return found;
}

absl::StatusOr<std::pair<int64_t, std::optional<MetricPoint>>>
SeriesReader::FlowToDate(std::string_view unit, std::string_view metric,
                         int64_t day) const {
  const int64_t month_start =
      DayNumber(absl::CivilDay(absl::CivilMonth(DayOfNumber(day))));
  int64_t sum = 0;
  std::optional<MetricPoint> last;
  RETURN_IF_ERROR(
      Points(unit, metric, month_start, day + 1, [&](const MetricPoint& p) {
        sum += p.value();
        last = p;
        return true;
      }));
  return std::make_pair(sum, std::move(last));
}

absl::StatusOr<std::optional<int64_t>> SeriesReader::LastReportDay(
    std::string_view unit, int64_t day) const {
  ASSIGN_OR_RETURN(std::optional<std::string> raw,
                   store_.Get(kUnitDays, unit, snapshot_.get()));
  ASSIGN_OR_RETURN(std::vector<int64_t> days,
                   DecodeDays(raw.value_or(std::string())));
  auto it = std::upper_bound(days.begin(), days.end(), day);
  if (it == days.begin()) return std::optional<int64_t>();
  return std::optional<int64_t>(*std::prev(it));
}

}  // namespace nq57::eidentity
