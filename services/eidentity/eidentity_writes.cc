// Writes of the eidentity core: PrepareReportSnapshot and
// PrepareBatchReportSnapshots validate a request without stored state
// (PrepareSnapshot); the commit they return runs SnapshotWriter on the
// store's writer, which checks the request against stored state (the
// catalogue's constraints, STOCK monotonicity) and writes the points, the
// change records and the aggregates (see eidentity_series.h for the layout).
#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/store/key_codec.h"
#include "common/time/proto_time.h"
#include "services/eidentity/eidentity_core.h"
#include "services/eidentity/eidentity_series.h"

namespace nq57::eidentity {
namespace {

using changes::v1::ChangeKind;
using ::google::protobuf::Timestamp;
using v1::MetricPoint;

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
    report_time_ = ToProtoTime(txn.commit_time());
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
      if (point.has_value() && DayNumberOf(*point) > day) {
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
    // Blame the terms this request reported, under their request fields;
    // name the stored values the rule was checked against.
    std::string stored;
    for (const FieldViolation& v : violations) {
      if (fields.count(v.field) > 0) continue;
      absl::StrAppend(&stored, stored.empty() ? "; stored: " : ", ", v.field,
                      " = ", merged[v.field]);
    }
    FieldErrors errors;
    for (const FieldViolation& v : violations) {
      auto it = fields.find(v.field);
      if (it == fields.end()) continue;
      errors.Add(it->second, absl::StrCat(v.description, stored));
    }
    if (errors.empty()) {
      // Only stored values break the rule: the request is not to blame
      // for any one field of it.
      return InvalidFieldError(absl::StrCat(s.prefix, "values"),
                               absl::StrCat(violations[0].description, stored));
    }
    return errors.ToStatus();
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
                                   ? DayNumberOf(*latest)
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
      // Re-reporting a date lower is a decrease like any other.
      // A stock may only grow through time; the point it would shrink
      // against is named in the error.
      auto shrinks = [&](const char* relation, const auto& point,
                         const char* reported) {
        return InvalidFieldError(
            v.field,
            absl::StrCat(relation, " ", point->value(), " ", reported, " ",
                         DateText(FromProtoDate(point->as_of_date())),
                         "; a decrease needs correction and "
                         "correction_reason"));
      };
      if (old.has_value() && v.value < old->value()) {
        return shrinks("decreases from", old, "already reported as of");
      }
      if (prev.has_value() && v.value < prev->value()) {
        return shrinks("decreases from", prev, "reported as of");
      }
      if (next.has_value() && v.value > next->value()) {
        return shrinks("exceeds", next, "reported as of the later");
      }
    }

    if (s.aggregate) {
      const std::string province_series = SeriesKey(s.province, v.metric);
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
              txn_.AddToCounter(
                      kSteps, DayKey(s.province, v.metric, DayNumberOf(*next)),
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
              txn_.AddToCounter(
                      kFirstDays,
                      DayKey(s.province, v.metric, DayNumberOf(*next)), -1)
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
    *point.mutable_as_of_date() = ToProtoDate(s.day);
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
    } else if (next.has_value() && DayNumberOf(*next) == latest_day) {
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

// Validates one snapshot of a request; `prefix` is its request path and
// `latest_date` the latest as-of date a report may carry (tomorrow).
absl::StatusOr<PreparedSnapshot> PrepareSnapshot(
    const v1::Snapshot& in, std::string prefix, absl::CivilDay latest_date,
    const UnitRegistry& units, const IndicatorCatalog& catalog) {
  PreparedSnapshot out;
  out.prefix = prefix;
  out.echo = in;
  auto field = [&](std::string_view name) {
    return absl::StrCat(prefix, AbslView(name));
  };
  if (in.unit().empty()) return InvalidFieldError(field("unit"), "required");
  absl::StatusOr<const Unit*> unit =
      units.LookupForWrite(in.unit(), field("unit"));
  if (!unit.ok() && !FieldViolationsOf(unit.status()).empty()) {
    return unit.status();
  }
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
        ParseReportDate(in.as_of_date(), field("as_of_date"), latest_date);
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
      } else if (absl::Status bound = catalog.CheckBounds(
                     code, value->count(), absl::StrCat(path, ".count"));
                 !bound.ok()) {
        errors.Add(bound);
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
      const absl::Status num_bound =
          catalog.CheckBounds(indicator->numerator(0), num, num_path);
      const absl::Status den_bound =
          catalog.CheckBounds(indicator->denominator(0), den, den_path);
      errors.Add(num_bound);
      errors.Add(den_bound);
      if (!num_bound.ok() || !den_bound.ok()) continue;
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
  ASSIGN_OR_RETURN(PreparedSnapshot prepared,
                   PrepareSnapshot(request.snapshot(), "snapshot.",
                                   Today(clock_) + 1, *units_, *catalog_));
  return MakeCommit(request, request.request_id(), std::move(actor),
                    [catalog = catalog_, prepared = std::move(prepared)](
                        Transaction& txn) -> absl::Status {
                      SnapshotWriter writer(txn, *catalog);
                      ASSIGN_OR_RETURN(v1::ReportSnapshotResponse response,
                                       writer.Write(prepared));
                      txn.SetResponse(response.SerializeAsString());
                      return absl::OkStatus();
                    });
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
  const absl::CivilDay latest_date = Today(clock_) + 1;
  std::vector<PreparedSnapshot> prepared;
  prepared.reserve(request.snapshots_size());
  for (int i = 0; i < request.snapshots_size(); ++i) {
    ASSIGN_OR_RETURN(PreparedSnapshot one,
                     PrepareSnapshot(request.snapshots(i),
                                     absl::StrCat("snapshots[", i, "]."),
                                     latest_date, *units_, *catalog_));
    prepared.push_back(std::move(one));
  }
  return MakeCommit(
      request, request.request_id(), std::move(actor),
      [catalog = catalog_,
       prepared = std::move(prepared)](Transaction& txn) -> absl::Status {
        SnapshotWriter writer(txn, *catalog);
        v1::BatchReportSnapshotsResponse response;
        for (const PreparedSnapshot& one : prepared) {
          ASSIGN_OR_RETURN(*response.add_results(), writer.Write(one));
        }
        txn.SetResponse(response.SerializeAsString());
        return absl::OkStatus();
      });
}

}  // namespace nq57::eidentity
