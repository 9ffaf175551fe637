// The eidentity core's storage layout (internal to services/eidentity): the
// column families, their keys and encoded values, the report dates, and
// SeriesReader, the reads of committed series through one snapshot.
//
// Column families (values are MetricPoint bytes unless said):
//   points        (unit, metric, day)     every reported point
//   latest        (unit, metric)          the series' latest point
//   before_latest (unit, metric)          the point just before the latest,
//                                         so that replacing the latest report
//                                         (the common case) needs no scan
//   totals        (province, metric)      counter: STOCK sum of latest values
//   steps         (province, metric, day) counter: STOCK step changes / FLOW
//                                         values of that day
//   reporters     (province, metric)      counter: communes that reported it
//   first_days    (province, metric, day) counter: communes whose first
//                                         report of it is on that day
//   unit_days     (unit)                  the unit's report days, packed
//   last_day      (province)              the latest day any commune reported
// A day is its DayNumber (common/time/proto_time.h); (a, b, day) keys are
// KeyBuilder String, String, Int64, so a series' keys sort by day.
//
// Ownership: SeriesReader holds a snapshot of the store it is given; the
// store must outlive it. Thread-safety: the functions are pure; a
// SeriesReader is used by one thread (one per read call).
#ifndef NQ57_SERVICES_EIDENTITY_EIDENTITY_SERIES_H_
#define NQ57_SERVICES_EIDENTITY_EIDENTITY_SERIES_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/indicators/indicator_catalog.h"
#include "common/store/store.h"
#include "common/time/clock.h"
#include "nq57/eidentity/v1/eidentity.pb.h"

namespace nq57::eidentity {

// ---- Column families
// ---------------------------------------------------------

inline constexpr char kPoints[] = "points";
inline constexpr char kLatest[] = "latest";
inline constexpr char kBeforeLatest[] = "before_latest";
inline constexpr char kTotals[] = "totals";
inline constexpr char kSteps[] = "steps";
inline constexpr char kReporters[] = "reporters";
inline constexpr char kFirstDays[] = "first_days";
inline constexpr char kUnitDays[] = "unit_days";
inline constexpr char kLastDay[] = "last_day";

// ---- Dates -----------------------------------------------------------------

// The range of dates any request may name (ParseProtoDate's).
inline constexpr absl::CivilDay kFirstDate(2000, 1, 1);
inline constexpr absl::CivilDay kLastDate(2199, 12, 31);

// Today in Vietnam, by `clock`.
absl::CivilDay Today(const Clock& clock);
// "2025-10-23".
std::string DateText(absl::CivilDay day);
// `date` if ParseProtoDate accepts it and it is not after `latest_allowed`
// ("is in the future" otherwise).
absl::StatusOr<absl::CivilDay> ParseReportDate(const common::v1::Date& date,
                                               std::string_view field,
                                               absl::CivilDay latest_allowed);
// The day number of a stored point's date.
int64_t DayNumberOf(const v1::MetricPoint& point);

// ---- Keys and resource names -----------------------------------------------

// (owner, metric): a unit's series, or a province's aggregate of a metric.
std::string SeriesKey(std::string_view owner, std::string_view metric);
// (owner, metric, day).
std::string DayKey(std::string_view owner, std::string_view metric,
                   int64_t day);
// The change-record resource of a point: "<unit>/metrics/<metric>/points/
// <date>", and of a series' latest value: "<unit>/metrics/<metric>".
std::string PointResource(std::string_view unit, std::string_view metric,
                          absl::CivilDay day);
std::string SeriesResource(std::string_view unit, std::string_view metric);

// ---- Values ----------------------------------------------------------------

// unit_days: sorted day numbers, 8 bytes each.
std::string EncodeDays(const std::vector<int64_t>& days);
absl::StatusOr<std::vector<int64_t>> DecodeDays(std::string_view bytes);
// An absent counter is 0.
absl::StatusOr<int64_t> DecodeCounter(const std::optional<std::string>& raw);
absl::StatusOr<std::optional<v1::MetricPoint>> ParsePoint(
    const std::optional<std::string>& raw);

// ---- Metric kinds ----------------------------------------------------------

// A catalogue measure's kind: FLOW or STOCK.
v1::MetricKind KindOf(const config::v1::MeasureDefinition& measure);
std::string KindName(v1::MetricKind kind);

// ---- Reads -----------------------------------------------------------------

// Reads of committed data through one consistent snapshot.
class SeriesReader {
 public:
  explicit SeriesReader(const Store& store)
      : store_(store), snapshot_(store.TakeSnapshot()) {}

  absl::StatusOr<std::optional<v1::MetricPoint>> Point(
      std::string_view family, std::string_view key) const;
  absl::StatusOr<std::optional<std::string>> Bytes(std::string_view family,
                                                   std::string_view key) const;
  absl::StatusOr<int64_t> Counter(std::string_view family,
                                  std::string_view key) const;
  // The sum of the counters in [start, end).
  absl::StatusOr<int64_t> SumCounters(std::string_view family,
                                      std::string_view start,
                                      std::string_view end) const;
  // Visits the points of a series in [first_day, end_day) while `fn` returns
  // true.
  absl::Status Points(std::string_view unit, std::string_view metric,
                      int64_t first_day, int64_t end_day,
                      absl::FunctionRef<bool(const v1::MetricPoint&)> fn) const;
  // STOCK: the unit's latest point on or before `day`.
  absl::StatusOr<std::optional<v1::MetricPoint>> StockAt(
      std::string_view unit, std::string_view metric, int64_t day) const;
  // FLOW: the unit's sum from the first of `day`'s month to `day`, and the
  // last point counted.
  absl::StatusOr<std::pair<int64_t, std::optional<v1::MetricPoint>>> FlowToDate(
      std::string_view unit, std::string_view metric, int64_t day) const;
  // The unit's latest report day on or before `day`.
  absl::StatusOr<std::optional<int64_t>> LastReportDay(std::string_view unit,
                                                       int64_t day) const;

 private:
  const Store& store_;
  const std::unique_ptr<Snapshot> snapshot_;
};

}  // namespace nq57::eidentity

#endif  // NQ57_SERVICES_EIDENTITY_EIDENTITY_SERIES_H_
