#include "common/time/proto_time.h"

#include "common/base/field_error.h"
#include "google/protobuf/util/time_util.h"

namespace nq57 {
namespace {

constexpr absl::CivilDay kEpoch(1970, 1, 1);

}  // namespace

absl::Time FromProtoTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(t));
}

int64_t UnixNanosOf(const google::protobuf::Timestamp& t) {
  return google::protobuf::util::TimeUtil::TimestampToNanoseconds(t);
}

bool IsSet(const google::protobuf::Timestamp& t) {
  return t.seconds() != 0 || t.nanos() != 0;
}

absl::Status CheckTimestamp(const google::protobuf::Timestamp& t,
                            std::string_view field) {
  if (t.seconds() < 0 || t.seconds() >= kMaxTimestampSeconds || t.nanos() < 0 ||
      t.nanos() > 999'999'999) {
    return InvalidFieldError(field, "must be between 1970 and 2200");
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> ParseTimestamp(const google::protobuf::Timestamp& t,
                                          std::string_view field) {
  if (absl::Status s = CheckTimestamp(t, field); !s.ok()) return s;
  return FromProtoTime(t);
}

common::v1::Date ToProtoDate(absl::CivilDay day) {
  common::v1::Date out;
  out.set_year(static_cast<int32_t>(day.year()));
  out.set_month(day.month());
  out.set_day(day.day());
  return out;
}

absl::CivilDay FromProtoDate(const common::v1::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

bool IsSet(const common::v1::Date& date) {
  return date.year() != 0 || date.month() != 0 || date.day() != 0;
}

absl::StatusOr<absl::CivilDay> ParseProtoDate(const common::v1::Date& date,
                                              std::string_view field) {
  const absl::CivilDay day = FromProtoDate(date);
  if (day.year() != date.year() || day.month() != date.month() ||
      day.day() != date.day()) {
    return InvalidFieldError(field, "not a valid calendar date");
  }
  if (date.year() < kMinDateYear || date.year() > kMaxDateYear) {
    return InvalidFieldError(field, "must be from 2000-01-01 to 2199-12-31");
  }
  return day;
}

int64_t DayNumber(absl::CivilDay day) { return day - kEpoch; }

absl::CivilDay DayOfNumber(int64_t n) { return kEpoch + n; }

}  // namespace nq57
