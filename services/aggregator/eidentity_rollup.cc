#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "common/time/proto_time.h"
#include "nq57/eidentity/v1/eidentity.pb.h"
#include "services/aggregator/measure_names.h"
#include "services/aggregator/point_in_time.h"
#include "services/aggregator/source_adapter.h"

namespace nq57::aggregator {
namespace {

using eidentity::v1::MetricPoint;

constexpr char kSource[] = "eidentity";

// Mirror of each STOCK series: "e/<unit>|<metric>|<day number, 8 digits>"
// -> the value reported as of that day, so a point's neighbours in time are
// one short prefix scan.
std::string SeriesPrefix(std::string_view unit, std::string_view metric) {
  return absl::StrCat("e/", AbslView(unit), "|", AbslView(metric), "|");
}
std::string PointKey(std::string_view unit, std::string_view metric,
                     int64_t day) {
  return absl::StrCat(SeriesPrefix(unit, metric), absl::StrFormat("%08d", day));
}

struct Neighbours {
  std::optional<int64_t> prev_value;  // latest value before the day
  std::optional<int64_t> next_day;    // first later day with a value
};

absl::StatusOr<Neighbours> NeighboursOf(std::string_view unit,
                                        std::string_view metric, int64_t day,
                                        RollupState& state) {
  const std::string prefix = SeriesPrefix(unit, metric);
  Neighbours out;
  absl::Status status;
  RETURN_IF_ERROR(state.ScanMirror(
      prefix, [&](std::string_view key, std::string_view value) {
        int64_t d = 0, v = 0;
        if (!absl::SimpleAtoi(AbslView(key.substr(prefix.size())), &d) ||
            (!value.empty() && !absl::SimpleAtoi(AbslView(value), &v))) {
          status = absl::DataLossError("corrupt e-identity series mirror");
          return false;
        }
        if (value.empty()) return true;  // withdrawn
        if (d < day) {
          out.prev_value = v;
          return true;
        }
        if (d > day) {
          out.next_day = d;
          return false;
        }
        return true;
      }));
  RETURN_IF_ERROR(status);
  return out;
}

bool Unpack(const google::protobuf::Any& any, MetricPoint* out) {
  return any.Is<MetricPoint>() && any.UnpackTo(out);
}

}  // namespace

absl::Status ApplyEidentityChange(const changes::v1::ChangeRecord& record,
                                  RollupState& state) {
  // Only the dated points count; the "latest" series records repeat them.
  if (record.resource().find("/points/") == std::string::npos) {
    return absl::OkStatus();
  }
  MetricPoint now, before;
  const bool has_now = Unpack(record.new_value(), &now);
  const bool has_before = Unpack(record.previous_value(), &before);
  if (!has_now && !has_before) return absl::OkStatus();
  const MetricPoint& any = has_now ? now : before;
  const std::string province(ProvinceOf(any.unit()));
  if (province.empty()) return absl::OkStatus();
  const std::string measure = measures::SourceMeasure(kSource, any.metric());
  const absl::CivilDay civil = FromProtoDate(any.as_of_date());
  const int64_t day = DayNumber(civil);
  const absl::Time when = StartOfDay(civil);

  if (has_now != has_before) {
    RETURN_IF_ERROR(
        RecordReport(kSource, any.unit(), when, has_now ? +1 : -1, state));
  }
  if (any.kind() == eidentity::v1::FLOW) {
    return state.AddMeasure(
        {province, AtBucket(when), measure},
        (has_now ? now.value() : 0) - (has_before ? before.value() : 0));
  }
  if (any.kind() != eidentity::v1::STOCK) return absl::OkStatus();
  // A STOCK counts from its day until the unit's next report of the metric:
  // the change at `day` is undone at the next day that has a value.
  ASSIGN_OR_RETURN(Neighbours n,
                   NeighboursOf(any.unit(), any.metric(), day, state));
  const int64_t base = n.prev_value.value_or(0);
  const int64_t delta =
      (has_now ? now.value() : base) - (has_before ? before.value() : base);
  RETURN_IF_ERROR(state.AddMeasure({province, AtBucket(when), measure}, delta));
  if (n.next_day.has_value()) {
    RETURN_IF_ERROR(state.AddMeasure(
        {province, AtBucket(StartOfDay(DayOfNumber(*n.next_day))), measure},
        -delta));
  }
  return state.PutMirror(PointKey(any.unit(), any.metric(), day),
                         has_now ? absl::StrCat(now.value()) : "");
}

}  // namespace nq57::aggregator
