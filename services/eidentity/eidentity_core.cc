#include "services/eidentity/eidentity_core.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/base/vietnam_time.h"
#include "common/indicators/indicator_evaluator.h"
#include "common/ratio/ratio_proto.h"
#include "common/server/commit_reactor.h"
#include "common/store/key_codec.h"
#include "google/protobuf/util/time_util.h"

namespace nq57::eidentity {
namespace {

using changes::v1::ChangeKind;
using ::google::protobuf::Timestamp;
using v1::MetricPoint;

// Column families (see the header for what each holds).
constexpr char kPoints[] = "points";  // (unit, metric, day) -> point
constexpr char kLatest[] = "latest";  // (unit, metric) -> point
// (unit, metric) -> the point just before the latest one, so that replacing
// the latest report (the common case) needs no scan of the series.
constexpr char kBeforeLatest[] = "before_latest";
constexpr char kTotals[] = "totals";         // (province, metric) -> counter
constexpr char kSteps[] = "steps";           // (province, metric, day)
constexpr char kReporters[] = "reporters";   // (province, metric) -> counter
constexpr char kFirstDays[] = "first_days";  // (province, metric, day)
constexpr char kUnitDays[] = "unit_days";    // unit -> packed days
constexpr char kLastDay[] = "last_day";      // province -> day

constexpr std::string_view kDefinitionPrefix = "metricDefinitions/";
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
const absl::CivilDay kEpoch(1970, 1, 1);
const absl::CivilDay kFirstDay(2000, 1, 1);

// ---- Dates -----------------------------------------------------------------

int64_t DayNumber(absl::CivilDay day) { return day - kEpoch; }
absl::CivilDay DayOfNumber(int64_t n) { return kEpoch + n; }

common::v1::Date ToDate(absl::CivilDay day) {
  common::v1::Date out;
  out.set_year(static_cast<int32_t>(day.year()));
  out.set_month(day.month());
  out.set_day(day.day());
  return out;
}

int64_t DayNumberOf(const common::v1::Date& date) {
  return DayNumber(absl::CivilDay(date.year(), date.month(), date.day()));
}

std::string DateText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

absl::CivilDay Today() { return absl::ToCivilDay(absl::Now(), VietnamTime()); }

absl::StatusOr<absl::CivilDay> ParseDate(const common::v1::Date& date,
                                         std::string_view field,
                                         absl::CivilDay latest_allowed) {
  const absl::CivilDay day(date.year(), date.month(), date.day());
  if (day.year() != date.year() || day.month() != date.month() ||
      day.day() != date.day()) {
    return InvalidFieldError(field, "not a valid calendar date");
  }
  if (day < kFirstDay) {
    return InvalidFieldError(field, "must not be before 2000-01-01");
  }
  if (day > latest_allowed) {
    return InvalidFieldError(field, "is in the future");
  }
  return day;
}

// The as-of date of a read: the request's, or today.
absl::StatusOr<absl::CivilDay> AsOfDay(bool has_date,
                                       const common::v1::Date& date,
                                       std::string_view field) {
  if (!has_date) return Today();
  return ParseDate(date, field, absl::CivilDay(2199, 12, 31));
}

// ---- Keys ------------------------------------------------------------------

std::string SeriesKey(std::string_view unit, std::string_view metric) {
  return KeyBuilder().String(unit).String(metric).Build();
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

// ---- Catalogue -------------------------------------------------------------

v1::MetricKind KindOf(const config::v1::MeasureDefinition& m) {
  return m.kind() == config::v1::FLOW ? v1::FLOW : v1::STOCK;
}

std::string KindName(v1::MetricKind kind) { return v1::MetricKind_Name(kind); }

absl::StatusOr<int> PageSize(int requested) {
  if (requested == 0) return kDefaultPageSize;
  if (requested < 0 || requested > kMaxPageSize) {
    return InvalidFieldError("page_size", "must be between 0 and 1000");
  }
  return requested;
}

// A page token that is a non-negative number prefixed by `tag`.
absl::StatusOr<int64_t> ParseToken(std::string_view token, char tag) {
  int64_t n = 0;
  if (token.size() < 2 || token[0] != tag ||
      !absl::SimpleAtoi(AbslView(token.substr(1)), &n) || n < 0) {
    return InvalidFieldError("page_token",
                             "not a token of this listing; pass the "
                             "next_page_token of the previous page");
  }
  return n;
}

// ---- Prepared writes -------------------------------------------------------

struct PreparedValue {
  std::string metric;  // a measure code
  v1::MetricKind kind;
  int64_t value;
  std::string field;  // request path of the value, for errors
};

struct PreparedSnapshot {
  std::string prefix;  // "snapshot." or "snapshots[3]."
  std::string unit;
  std::string province;
  bool aggregate = false;  // a commune: counts in its province's rollups
  absl::CivilDay day;
  std::string source;
  bool correction = false;
  std::string correction_reason;
  std::vector<PreparedValue> values;  // ordered by metric
  v1::Snapshot echo;
};

// Where a request's write lands, in the writer's transaction.
class SnapshotWriter {
 public:
  SnapshotWriter(Transaction& txn, const IndicatorCatalog& catalog)
      : txn_(txn), catalog_(catalog) {
    report_time_ = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
        absl::ToUnixNanos(txn.commit_time()));
  }

  absl::StatusOr<v1::ReportSnapshotResponse> Write(const PreparedSnapshot& s) {
    RETURN_IF_ERROR(CheckConstraints(s));
    v1::ReportSnapshotResponse out;
    *out.mutable_snapshot() = s.echo;
    for (const PreparedValue& v : s.values) {
      RETURN_IF_ERROR(WriteValue(s, v, &out));
    }
    RETURN_IF_ERROR(RecordDay(s));
    out.set_last_sequence(last_sequence_);
    return out;
  }

 private:
  absl::StatusOr<std::optional<MetricPoint>> Read(std::string_view family,
                                                  std::string_view key) {
    ASSIGN_OR_RETURN(std::optional<std::string> raw, txn_.Get(family, key));
    return ParsePoint(raw);
  }

  // The first (or last) point of a series in [start, end).
  absl::StatusOr<std::optional<MetricPoint>> Edge(std::string_view start,
                                                  std::string_view end,
                                                  bool last) {
    std::optional<std::string> found;
    RETURN_IF_ERROR(txn_.Scan(kPoints, start, end,
                              [&](std::string_view, std::string_view value) {
                                found = std::string(value);
                                return last;
                              }));
    return ParsePoint(found);
  }

  // The unit's stored value of `metric` for a constraint check on `day`:
  // STOCK the latest on or before it, FLOW the one of that day.
  absl::StatusOr<std::optional<int64_t>> StoredValue(std::string_view unit,
                                                     std::string_view metric,
                                                     v1::MetricKind kind,
                                                     int64_t day) {
    const std::string series = SeriesKey(unit, metric);
    std::optional<MetricPoint> point;
    if (kind == v1::FLOW) {
      ASSIGN_OR_RETURN(point, Read(kPoints, DayKey(unit, metric, day)));
    } else {
      ASSIGN_OR_RETURN(point, Read(kLatest, series));
      if (point.has_value() && DayNumberOf(point->as_of_date()) > day) {
        ASSIGN_OR_RETURN(point,
                         Edge(series, DayKey(unit, metric, day + 1), true));
      }
    }
    if (!point.has_value()) return std::optional<int64_t>();
    return std::optional<int64_t>(point->value());
  }

  // The catalogue's constraints over the reported values merged with the
  // unit's stored values as of the day.
  absl::Status CheckConstraints(const PreparedSnapshot& s) {
    MeasureValues merged;
    std::map<std::string, std::string, std::less<>> fields;
    for (const PreparedValue& v : s.values) {
      merged[v.metric] = v.value;
      fields[v.metric] = v.field;
    }
    const int64_t day = DayNumber(s.day);
    for (const auto& constraint : catalog_.config().constraints()) {
      for (const auto* side : {&constraint.lhs(), &constraint.rhs()}) {
        for (const std::string& code : *side) {
          if (merged.count(code) > 0) continue;
          const auto* def = catalog_.FindMeasure(code);
          ASSIGN_OR_RETURN(std::optional<int64_t> stored,
                           StoredValue(s.unit, code, KindOf(*def), day));
          if (stored.has_value()) merged[code] = *stored;
        }
      }
    }
    absl::Status status = catalog_.CheckConstraints(merged, "");
    if (status.ok()) return status;
    std::vector<FieldViolation> violations = FieldViolationsOf(status);
    if (violations.empty()) return status;
    auto it = fields.find(violations[0].field);
    const std::string field =
        it != fields.end()
            ? it->second
            : absl::StrCat(s.prefix, "values.", violations[0].field);
    std::string description = violations[0].description;
    if (it == fields.end()) absl::StrAppend(&description, " (stored value)");
    return InvalidFieldError(field, description);
  }

  absl::Status WriteValue(const PreparedSnapshot& s, const PreparedValue& v,
                          v1::ReportSnapshotResponse* out) {
    const int64_t d = DayNumber(s.day);
    const std::string series = SeriesKey(s.unit, v.metric);
    const std::string point_key = DayKey(s.unit, v.metric, d);
    ASSIGN_OR_RETURN(std::optional<MetricPoint> old, Read(kPoints, point_key));
    ASSIGN_OR_RETURN(std::optional<MetricPoint> latest, Read(kLatest, series));

    // The series' neighbours of day d.
    std::optional<MetricPoint> prev, next;
    const int64_t latest_day = latest.has_value()
                                   ? DayNumberOf(latest->as_of_date())
                                   : std::numeric_limits<int64_t>::min();
    if (latest.has_value()) {
      if (latest_day < d) {
        prev = latest;
      } else if (latest_day == d) {
        ASSIGN_OR_RETURN(prev, Read(kBeforeLatest, series));
      } else {  // a backfill: the only case that scans the unit's series
        ASSIGN_OR_RETURN(prev, Edge(series, point_key, true));
        ASSIGN_OR_RETURN(next, Edge(DayKey(s.unit, v.metric, d + 1),
                                    PrefixSuccessor(series), false));
      }
    }
    const bool moves_latest = !latest.has_value() || latest_day <= d;

    if (v.kind == v1::STOCK && !s.correction) {
      if (prev.has_value() && v.value < prev->value()) {
        return InvalidFieldError(
            v.field,
            absl::StrCat("decreases from ", prev->value(), " reported as of ",
                         DateText(DayOfNumber(DayNumberOf(prev->as_of_date()))),
                         "; a decrease needs correction and "
                         "correction_reason"));
      }
      if (next.has_value() && v.value > next->value()) {
        return InvalidFieldError(
            v.field,
            absl::StrCat("exceeds ", next->value(),
                         " reported as of the later ",
                         DateText(DayOfNumber(DayNumberOf(next->as_of_date()))),
                         "; a decrease needs correction and "
                         "correction_reason"));
      }
    }

    if (s.aggregate) {
      const std::string province_series =
          KeyBuilder().String(s.province).String(v.metric).Build();
      if (v.kind == v1::STOCK) {
        const int64_t before = old.has_value()
                                   ? old->value()
                                   : (prev.has_value() ? prev->value() : 0);
        const int64_t delta = v.value - before;
        RETURN_IF_ERROR(
            txn_.AddToCounter(kSteps, DayKey(s.province, v.metric, d), delta)
                .status());
        if (next.has_value()) {
          RETURN_IF_ERROR(
              txn_.AddToCounter(kSteps,
                                DayKey(s.province, v.metric,
                                       DayNumberOf(next->as_of_date())),
                                -delta)
                  .status());
        }
        if (moves_latest) {
          RETURN_IF_ERROR(
              txn_.AddToCounter(
                      kTotals, province_series,
                      v.value - (latest.has_value() ? latest->value() : 0))
                  .status());
        }
      } else {
        RETURN_IF_ERROR(
            txn_.AddToCounter(kSteps, DayKey(s.province, v.metric, d),
                              v.value - (old.has_value() ? old->value() : 0))
                .status());
      }
      // Day d becomes the unit's first report of the metric.
      if (!old.has_value() && !prev.has_value()) {
        if (next.has_value()) {
          RETURN_IF_ERROR(
              txn_.AddToCounter(kFirstDays,
                                DayKey(s.province, v.metric,
                                       DayNumberOf(next->as_of_date())),
                                -1)
                  .status());
        } else {
          RETURN_IF_ERROR(
              txn_.AddToCounter(kReporters, province_series, 1).status());
        }
        RETURN_IF_ERROR(
            txn_.AddToCounter(kFirstDays, DayKey(s.province, v.metric, d), 1)
                .status());
      }
    }

    MetricPoint point;
    point.set_unit(s.unit);
    point.set_province(s.province);
    point.set_metric(v.metric);
    point.set_kind(v.kind);
    *point.mutable_as_of_date() = ToDate(s.day);
    point.set_value(v.value);
    point.set_source(s.source);
    point.set_correction(s.correction);
    point.set_correction_reason(s.correction_reason);
    *point.mutable_report_time() = report_time_;
    const std::string bytes = point.SerializeAsString();
    RETURN_IF_ERROR(txn_.Put(kPoints, point_key, bytes));
    last_sequence_ = txn_.RecordChange(
        PointResource(s.unit, v.metric, s.day),
        old.has_value() ? ChangeKind::UPDATED : ChangeKind::CREATED, &point,
        old.has_value() ? &*old : nullptr);
    if (latest.has_value() && latest_day < d) {
      RETURN_IF_ERROR(
          txn_.Put(kBeforeLatest, series, latest->SerializeAsString()));
    } else if (next.has_value() &&
               DayNumberOf(next->as_of_date()) == latest_day) {
      RETURN_IF_ERROR(txn_.Put(kBeforeLatest, series, bytes));
    }
    if (moves_latest) {
      RETURN_IF_ERROR(txn_.Put(kLatest, series, bytes));
      if (v.kind == v1::STOCK) {
        last_sequence_ = txn_.RecordChange(
            SeriesResource(s.unit, v.metric),
            latest.has_value() ? ChangeKind::UPDATED : ChangeKind::CREATED,
            &point, latest.has_value() ? &*latest : nullptr);
      }
    }
    out->set_values_written(out->values_written() + 1);
    if (old.has_value()) out->set_values_replaced(out->values_replaced() + 1);
    return absl::OkStatus();
  }

  // Indexes the report day for staleness and the rollup's fast path.
  absl::Status RecordDay(const PreparedSnapshot& s) {
    const int64_t d = DayNumber(s.day);
    ASSIGN_OR_RETURN(std::optional<std::string> raw,
                     txn_.Get(kUnitDays, s.unit));
    ASSIGN_OR_RETURN(std::vector<int64_t> days,
                     DecodeDays(raw.value_or(std::string())));
    auto it = std::lower_bound(days.begin(), days.end(), d);
    if (it == days.end() || *it != d) {
      days.insert(it, d);
      RETURN_IF_ERROR(txn_.Put(kUnitDays, s.unit, EncodeDays(days)));
    }
    if (s.aggregate) {
      ASSIGN_OR_RETURN(std::optional<std::string> last,
                       txn_.Get(kLastDay, s.province));
      uint64_t last_day = 0;
      if (!last.has_value() || !DecodeUint64(*last, &last_day) ||
          static_cast<int64_t>(last_day) < d) {
        RETURN_IF_ERROR(txn_.Put(kLastDay, s.province,
                                 EncodeUint64(static_cast<uint64_t>(d))));
      }
    }
    return absl::OkStatus();
  }

  Transaction& txn_;
  const IndicatorCatalog& catalog_;
  Timestamp report_time_;
  uint64_t last_sequence_ = 0;
};

// ---- Reads -----------------------------------------------------------------

// Reads of committed data through one consistent snapshot.
class Reader {
 public:
  explicit Reader(const Store& store)
      : store_(store), snapshot_(store.TakeSnapshot()) {}

  absl::StatusOr<std::optional<MetricPoint>> Point(std::string_view family,
                                                   std::string_view key) const {
    ASSIGN_OR_RETURN(std::optional<std::string> raw,
                     store_.Get(family, key, snapshot_.get()));
    return ParsePoint(raw);
  }

  absl::StatusOr<std::optional<std::string>> Bytes(std::string_view family,
                                                   std::string_view key) const {
    return store_.Get(family, key, snapshot_.get());
  }

  absl::StatusOr<int64_t> Counter(std::string_view family,
                                  std::string_view key) const {
    ASSIGN_OR_RETURN(std::optional<std::string> raw,
                     store_.Get(family, key, snapshot_.get()));
    return DecodeCounter(raw);
  }

  // The sum of the counters in [start, end).
  absl::StatusOr<int64_t> SumCounters(std::string_view family,
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

  // Visits the points of a series in [first_day, end_day).
  absl::Status Points(std::string_view unit, std::string_view metric,
                      int64_t first_day, int64_t end_day,
                      absl::FunctionRef<bool(const MetricPoint&)> fn) const {
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

  // STOCK: the unit's latest point on or before `day`.
  absl::StatusOr<std::optional<MetricPoint>> StockAt(std::string_view unit,
                                                     std::string_view metric,
                                                     int64_t day) const {
    ASSIGN_OR_RETURN(std::optional<MetricPoint> latest,
                     Point(kLatest, SeriesKey(unit, metric)));
    if (!latest.has_value() || DayNumberOf(latest->as_of_date()) <= day) {
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

  // FLOW: the unit's sum from the first of `day`'s month to `day`, and the
  // last point counted.
  absl::StatusOr<std::pair<int64_t, std::optional<MetricPoint>>> FlowToDate(
      std::string_view unit, std::string_view metric, int64_t day) const {
    const absl::CivilDay civil = DayOfNumber(day);
    const int64_t month_start =
        DayNumber(absl::CivilDay(absl::CivilMonth(civil)));
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

  // The unit's latest report day on or before `day`.
  absl::StatusOr<std::optional<int64_t>> LastReportDay(std::string_view unit,
                                                       int64_t day) const {
    ASSIGN_OR_RETURN(std::optional<std::string> raw,
                     store_.Get(kUnitDays, unit, snapshot_.get()));
    ASSIGN_OR_RETURN(std::vector<int64_t> days,
                     DecodeDays(raw.value_or(std::string())));
    auto it = std::upper_bound(days.begin(), days.end(), day);
    if (it == days.begin()) return std::optional<int64_t>();
    return std::optional<int64_t>(*std::prev(it));
  }

 private:
  const Store& store_;
  const std::unique_ptr<Snapshot> snapshot_;
};

common::v1::UnitLevel ToProtoLevel(UnitLevel level) {
  switch (level) {
    case UnitLevel::kProvince:
      return common::v1::PROVINCE;
    case UnitLevel::kCommune:
      return common::v1::COMMUNE;
    case UnitLevel::kAgency:
      return common::v1::AGENCY;
  }
  return common::v1::UNIT_LEVEL_UNSPECIFIED;
}

common::v1::UnitRef RefOf(const Unit& unit) {
  common::v1::UnitRef out;
  out.set_name(unit.name);
  out.set_level(ToProtoLevel(unit.level));
  out.set_display_name(unit.display_name);
  return out;
}

common::v1::Coverage CountCoverage(int64_t reported, int64_t expected) {
  common::v1::Coverage out;
  out.set_reported(reported);
  out.set_expected(expected);
  out.set_missing_count(expected - reported);
  return out;
}

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

}  // namespace

std::vector<std::string> EidentityCore::ColumnFamilies() {
  return {kPoints,    kLatest,    kBeforeLatest, kTotals, kSteps,
          kReporters, kFirstDays, kUnitDays,     kLastDay};
}

// ---- Writes ----------------------------------------------------------------

namespace {

absl::StatusOr<PreparedSnapshot> PrepareSnapshot(
    const v1::Snapshot& in, std::string prefix, const UnitRegistry& units,
    const IndicatorCatalog& catalog) {
  PreparedSnapshot out;
  out.prefix = prefix;
  out.echo = in;
  auto field = [&](std::string_view name) {
    return absl::StrCat(prefix, AbslView(name));
  };
  if (in.unit().empty()) return InvalidFieldError(field("unit"), "required");
  absl::StatusOr<const Unit*> unit = units.Lookup(in.unit());
  if (!unit.ok()) {
    return absl::Status(
        unit.status().code(),
        absl::StrCat(field("unit"), ": ", unit.status().message()));
  }
  if ((*unit)->level == UnitLevel::kAgency) {
    return InvalidFieldError(field("unit"), "must be a commune or a province");
  }
  out.unit = (*unit)->name;
  out.aggregate = (*unit)->level == UnitLevel::kCommune;
  out.province = out.aggregate ? (*unit)->parent : (*unit)->name;

  FieldErrors errors;
  if (!in.has_as_of_date()) {
    errors.Add(field("as_of_date"), "required");
  } else {
    absl::StatusOr<absl::CivilDay> day =
        ParseDate(in.as_of_date(), field("as_of_date"), Today() + 1);
    if (day.ok()) {
      out.day = *day;
    } else {
      for (const auto& v : FieldViolationsOf(day.status())) {
        errors.Add(v.field, v.description);
      }
    }
  }
  if (in.source().empty()) {
    errors.Add(field("source"), "required: the system that reported it");
  }
  out.source = in.source();
  out.correction = in.correction();
  out.correction_reason = in.correction_reason();
  if (in.correction() && in.correction_reason().empty()) {
    errors.Add(field("correction_reason"), "required with correction");
  }
  if (!in.correction() && !in.correction_reason().empty()) {
    errors.Add(field("correction_reason"), "set only with correction");
  }
  if (in.values().empty()) {
    errors.Add(field("values"), "at least one value is required");
  }
  // Sorted, so records and errors come in a stable order.
  std::map<std::string, const v1::MetricValue*> values;
  for (const auto& [code, value] : in.values()) values[code] = &value;
  std::set<std::string> seen;
  auto add = [&](std::string metric, v1::MetricKind kind, int64_t value,
                 std::string path) {
    if (!seen.insert(metric).second) {
      errors.Add(path, absl::StrCat("reports ", metric, " a second time"));
      return;
    }
    out.values.push_back({std::move(metric), kind, value, std::move(path)});
  };
  for (const auto& [code, value] : values) {
    const std::string path = field(absl::StrCat("values.", code));
    const auto* measure = catalog.FindMeasure(code);
    const auto* indicator = catalog.FindIndicator(code);
    if (measure != nullptr) {
      const v1::MetricKind kind = KindOf(*measure);
      if (value->has_ratio()) {
        errors.Add(absl::StrCat(path, ".ratio"),
                   absl::StrCat("wrong kind: ", code, " is a ", KindName(kind),
                                " metric and takes a count"));
      } else if (value->value_case() == v1::MetricValue::VALUE_NOT_SET) {
        errors.Add(path, "a count is required");
      } else if (value->count() < 0) {
        errors.Add(absl::StrCat(path, ".count"), "must not be negative");
      } else {
        add(code, kind, value->count(), absl::StrCat(path, ".count"));
      }
    } else if (indicator != nullptr) {
      if (!value->has_ratio()) {
        errors.Add(value->value_case() == v1::MetricValue::kCount
                       ? absl::StrCat(path, ".count")
                       : path,
                   absl::StrCat("wrong kind: ", code,
                                " is a RATIO metric and takes a ratio"));
        continue;
      }
      if (indicator->numerator_size() != 1 ||
          indicator->denominator_size() != 1) {
        errors.Add(path,
                   "a ratio of several metrics cannot be reported as a "
                   "ratio; report its metrics");
        continue;
      }
      const int64_t num = value->ratio().numerator();
      const int64_t den = value->ratio().denominator();
      const std::string num_path = absl::StrCat(path, ".ratio.numerator");
      const std::string den_path = absl::StrCat(path, ".ratio.denominator");
      if (num < 0) errors.Add(num_path, "must not be negative");
      if (den < 0) errors.Add(den_path, "must not be negative");
      if (num < 0 || den < 0) continue;
      if (num > den) {
        errors.Add(num_path, absl::StrCat("must not exceed the denominator (",
                                          num, " > ", den, ")"));
        continue;
      }
      const auto* num_def = catalog.FindMeasure(indicator->numerator(0));
      const auto* den_def = catalog.FindMeasure(indicator->denominator(0));
      add(num_def->code(), KindOf(*num_def), num, num_path);
      add(den_def->code(), KindOf(*den_def), den, den_path);
    } else {
      errors.Add(path, absl::StrCat("unknown metric (catalogue ",
                                    catalog.version(), ")"));
    }
  }
  RETURN_IF_ERROR(errors.ToStatus());
  std::sort(out.values.begin(), out.values.end(),
            [](const PreparedValue& a, const PreparedValue& b) {
              return a.metric < b.metric;
            });
  return out;
}

}  // namespace

absl::StatusOr<CommitRequest> EidentityCore::PrepareReportSnapshot(
    const v1::ReportSnapshotRequest& request, std::string actor) const {
  if (!request.has_snapshot()) {
    return InvalidFieldError("snapshot", "required");
  }
  ASSIGN_OR_RETURN(
      PreparedSnapshot prepared,
      PrepareSnapshot(request.snapshot(), "snapshot.", *units_, *catalog_));
  return CommitRequest{
      .request_id = request.request_id(),
      .fingerprint = RequestFingerprint(request),
      .actor = std::move(actor),
      .apply = [catalog = catalog_, prepared = std::move(prepared)](
                   Transaction& txn) -> absl::Status {
        SnapshotWriter writer(txn, *catalog);
        ASSIGN_OR_RETURN(v1::ReportSnapshotResponse response,
                         writer.Write(prepared));
        txn.SetResponse(response.SerializeAsString());
        return absl::OkStatus();
      }};
}

absl::StatusOr<CommitRequest> EidentityCore::PrepareBatchReportSnapshots(
    const v1::BatchReportSnapshotsRequest& request, std::string actor) const {
  if (request.snapshots().empty()) {
    return InvalidFieldError("snapshots", "at least one snapshot is required");
  }
  if (request.snapshots_size() > kMaxBatchSnapshots) {
    return InvalidFieldError(
        "snapshots",
        absl::StrCat("at most ", kMaxBatchSnapshots, " per batch"));
  }
  std::vector<PreparedSnapshot> prepared;
  prepared.reserve(request.snapshots_size());
  for (int i = 0; i < request.snapshots_size(); ++i) {
    ASSIGN_OR_RETURN(PreparedSnapshot one,
                     PrepareSnapshot(request.snapshots(i),
                                     absl::StrCat("snapshots[", i, "]."),
                                     *units_, *catalog_));
    prepared.push_back(std::move(one));
  }
  return CommitRequest{
      .request_id = request.request_id(),
      .fingerprint = RequestFingerprint(request),
      .actor = std::move(actor),
      .apply = [catalog = catalog_, prepared = std::move(prepared)](
                   Transaction& txn) -> absl::Status {
        SnapshotWriter writer(txn, *catalog);
        v1::BatchReportSnapshotsResponse response;
        for (const PreparedSnapshot& one : prepared) {
          ASSIGN_OR_RETURN(*response.add_results(), writer.Write(one));
        }
        txn.SetResponse(response.SerializeAsString());
        return absl::OkStatus();
      }};
}

// ---- Catalogue reads -------------------------------------------------------

namespace {

std::vector<v1::MetricDefinition> Definitions(const IndicatorCatalog& catalog) {
  std::vector<v1::MetricDefinition> out;
  for (const auto& m : catalog.config().measures()) {
    v1::MetricDefinition d;
    d.set_name(absl::StrCat(AbslView(kDefinitionPrefix), m.code()));
    d.set_code(m.code());
    d.set_name_vi(m.name_vi());
    d.set_name_en(m.name_en());
    d.set_kind(KindOf(m));
    d.set_aggregation(common::v1::RATIO_OF_SUMS);
    d.set_catalog_version(catalog.version());
    out.push_back(std::move(d));
  }
  for (const auto& i : catalog.config().indicators()) {
    v1::MetricDefinition d;
    d.set_name(absl::StrCat(AbslView(kDefinitionPrefix), i.code()));
    d.set_code(i.code());
    d.set_name_vi(i.name_vi());
    d.set_name_en(i.name_en());
    d.set_kind(v1::RATIO);
    *d.mutable_numerator() = i.numerator();
    *d.mutable_denominator() = i.denominator();
    d.set_aggregation(i.aggregation() ==
                              common::v1::AGGREGATION_METHOD_UNSPECIFIED
                          ? common::v1::RATIO_OF_SUMS
                          : i.aggregation());
    d.set_rounding(ToProto(FromProto(i.rounding())));
    d.set_decimals(i.decimals());
    d.set_catalog_version(catalog.version());
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::ListMetricDefinitionsResponse>
EidentityCore::ListMetricDefinitions(
    const v1::ListMetricDefinitionsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  int64_t offset = 0;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(offset, ParseToken(request.page_token(), 'o'));
  }
  std::vector<v1::MetricDefinition> all = Definitions(*catalog_);
  if (offset > static_cast<int64_t>(all.size())) {
    return InvalidFieldError("page_token", "beyond the end of the listing");
  }
  v1::ListMetricDefinitionsResponse out;
  const int64_t end =
      std::min<int64_t>(offset + page_size, static_cast<int64_t>(all.size()));
  for (int64_t i = offset; i < end; ++i) {
    *out.add_metric_definitions() = std::move(all[i]);
  }
  if (end < static_cast<int64_t>(all.size())) {
    out.set_next_page_token(absl::StrCat("o", end));
  }
  return out;
}

absl::StatusOr<v1::MetricDefinition> EidentityCore::GetMetricDefinition(
    const v1::GetMetricDefinitionRequest& request) const {
  std::string_view name = request.name();
  if (name.substr(0, kDefinitionPrefix.size()) != kDefinitionPrefix) {
    return InvalidFieldError("name", "expected metricDefinitions/{code}");
  }
  for (v1::MetricDefinition& d : Definitions(*catalog_)) {
    if (d.name() == name) return std::move(d);
  }
  return absl::NotFoundError(absl::StrCat("unknown metric definition \"",
                                          AbslView(name), "\" in catalogue ",
                                          catalog_->version()));
}

// ---- Figures ---------------------------------------------------------------

absl::StatusOr<v1::UnitMetrics> EidentityCore::GetUnitMetrics(
    const v1::GetUnitMetricsRequest& request) const {
  if (request.unit().empty()) return InvalidFieldError("unit", "required");
  ASSIGN_OR_RETURN(const Unit* unit, units_->Lookup(request.unit()));
  ASSIGN_OR_RETURN(
      absl::CivilDay day,
      AsOfDay(request.has_as_of_date(), request.as_of_date(), "as_of_date"));
  const int64_t d = DayNumber(day);
  Reader reader(*store_);
  v1::UnitMetrics out;
  *out.mutable_unit() = RefOf(*unit);
  *out.mutable_as_of_date() = ToDate(day);
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
  ASSIGN_OR_RETURN(
      absl::CivilDay day,
      AsOfDay(request.has_as_of_date(), request.as_of_date(), "as_of_date"));
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

  Reader reader(*store_);
  ASSIGN_OR_RETURN(std::optional<std::string> last_raw,
                   reader.Bytes(kLastDay, parent->name));
  uint64_t last_day = 0;
  const bool current =
      !last_raw.has_value() || (DecodeUint64(*last_raw, &last_day) &&
                                static_cast<int64_t>(last_day) <= d);

  v1::Rollup out;
  *out.mutable_parent() = RefOf(*parent);
  *out.mutable_as_of_date() = ToDate(day);
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
      *stale->mutable_last_report_date() = ToDate(DayOfNumber(*last));
    }
  }
  *out.mutable_coverage() = MakeCoverage(names, reported);
  return out;
}

// ---- History ---------------------------------------------------------------

absl::StatusOr<v1::GetHistoryResponse> EidentityCore::GetHistory(
    const v1::GetHistoryRequest& request) const {
  if (request.unit().empty()) return InvalidFieldError("unit", "required");
  if (request.metric().empty()) return InvalidFieldError("metric", "required");
  ASSIGN_OR_RETURN(const Unit* unit, units_->Lookup(request.unit()));
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
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
  const absl::CivilDay far_future(2199, 12, 31);
  int64_t first = DayNumber(kFirstDay);
  int64_t last = DayNumber(far_future);
  if (request.has_start_date()) {
    ASSIGN_OR_RETURN(absl::CivilDay s,
                     ParseDate(request.start_date(), "start_date", far_future));
    first = DayNumber(s);
  }
  if (request.has_end_date()) {
    ASSIGN_OR_RETURN(absl::CivilDay e,
                     ParseDate(request.end_date(), "end_date", far_future));
    last = DayNumber(e);
  }
  if (last < first) {
    return InvalidFieldError("end_date", "must not be before start_date");
  }
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(int64_t from, ParseToken(request.page_token(), 'd'));
    if (from < first || from > last + 1) {
      return InvalidFieldError("page_token", "does not belong to this range");
    }
    first = from;
  }

  v1::GetHistoryResponse out;
  out.set_unit(unit->name);
  out.set_metric(request.metric());
  Reader reader(*store_);
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
    out.set_next_page_token(
        absl::StrCat("d", DayNumberOf(points.back().as_of_date())));
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
    const int64_t pd = DayNumberOf(p.as_of_date());
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

absl::StatusOr<int64_t> EidentityCore::TEST_RecountFromPoints(
    std::string_view province, std::string_view metric,
    absl::CivilDay day) const {
  const auto* def = catalog_->FindMeasure(metric);
  if (def == nullptr) return absl::NotFoundError("unknown metric");
  Reader reader(*store_);
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
