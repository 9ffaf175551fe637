#include "services/aggregator/eidentity_rollup.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/base/status_macros.h"
#include "common/time/proto_time.h"
#include "nq57/eidentity/v1/eidentity.pb.h"
#include "services/aggregator/measure_names.h"
#include "services/aggregator/publicservice_rollup.h"

namespace nq57::aggregator {
namespace {

using eidentity::v1::MetricPoint;

constexpr char kSource[] = "eidentity";

std::string LatestBucket(int64_t day) {
  return absl::StrCat(kLatestBucketPrefix,
                      absl::FormatCivilTime(DayOfNumber(day)));
}

// Moves a commune's latest report day forward to `day` (never back).
absl::Status TrackLatestDay(const std::string& unit,
                            const std::string& province, int64_t day,
                            RollupState& state) {
  if (unit.find("/communes/") == std::string::npos) return absl::OkStatus();
  const MeasureKey key{unit, "", measures::UnitLatestDay(kSource)};
  ASSIGN_OR_RETURN(int64_t latest, state.GetMeasure(key));
  if (day <= latest) return absl::OkStatus();
  RETURN_IF_ERROR(state.AddMeasure(key, day - latest));
  const std::string index = measures::UnitsLatest(kSource);
  if (latest > 0) {
    RETURN_IF_ERROR(
        state.AddMeasure({province, LatestBucket(latest), index}, -1));
  }
  return state.AddMeasure({province, LatestBucket(day), index}, 1);
}

bool Unpack(const google::protobuf::Any& any, MetricPoint* out) {
  return any.Is<MetricPoint>() && any.UnpackTo(out);
}

}  // namespace

absl::Status EidentityRollup::Apply(const changes::v1::ChangeRecord& record,
                                    RollupState& state) const {
  MetricPoint now, before;
  const bool has_now = Unpack(record.new_value(), &now);
  const bool has_before = Unpack(record.previous_value(), &before);
  if (!has_now && !has_before) return absl::OkStatus();
  const MetricPoint& any = has_now ? now : before;
  const std::string province(ProvinceOf(any.unit()));
  if (province.empty()) return absl::OkStatus();
  const bool is_point = record.resource().find("/points/") != std::string::npos;
  const std::string measure = measures::SourceMeasure(kSource, any.metric());

  if (any.kind() == eidentity::v1::STOCK && !is_point) {
    // The unit's latest value moved: the province sum follows.
    RETURN_IF_ERROR(state.AddMeasure(
        {province, "", measure},
        (has_now ? now.value() : 0) - (has_before ? before.value() : 0)));
    if (has_now && !has_before) {
      RETURN_IF_ERROR(CountReporting(kSource, any.unit(), +1, state));
    }
    if (has_now) {
      RETURN_IF_ERROR(TrackLatestDay(any.unit(), province,
                                     DayNumber(FromProtoDate(now.as_of_date())),
                                     state));
    }
  } else if (any.kind() == eidentity::v1::FLOW && is_point) {
    if (has_before) {
      const auto& d = before.as_of_date();
      RETURN_IF_ERROR(state.AddMeasure(
          {province, absl::StrFormat("%04d-%02d", d.year(), d.month()),
           measure},
          -before.value()));
    }
    if (has_now) {
      const auto& d = now.as_of_date();
      RETURN_IF_ERROR(state.AddMeasure(
          {province, absl::StrFormat("%04d-%02d", d.year(), d.month()),
           measure},
          now.value()));
      if (!has_before) {
        RETURN_IF_ERROR(CountReporting(kSource, any.unit(), +1, state));
      }
      RETURN_IF_ERROR(TrackLatestDay(any.unit(), province,
                                     DayNumber(FromProtoDate(now.as_of_date())),
                                     state));
    }
  }
  return absl::OkStatus();
}

}  // namespace nq57::aggregator
