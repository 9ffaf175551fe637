// Time on the wire: google.protobuf.Timestamp and nq57.common.v1.Date as
// absl::Time and absl::CivilDay, with the one range every service accepts.
//
// Instants are accepted from 1970-01-01 to 2200-01-01 (so every instant fits
// int64 nanoseconds in keys); dates from 2000-01-01 to 2199-12-31. Errors
// are INVALID_ARGUMENT naming the request field.
//
// Pure functions: thread-safe.
//
//   ASSIGN_OR_RETURN(absl::Time when, ParseTimestamp(req.as_of(), "as_of"));
//   *resp.mutable_as_of_date() = ToProtoDate(absl::CivilDay(2025, 10, 23));
#ifndef NQ57_COMMON_TIME_PROTO_TIME_H_
#define NQ57_COMMON_TIME_PROTO_TIME_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "nq57/common/v1/period.pb.h"

namespace nq57 {

// The first instant not accepted on input: 2200-01-01T00:00:00Z.
inline constexpr int64_t kMaxTimestampSeconds = 7258118400;
inline constexpr int kMinDateYear = 2000;
inline constexpr int kMaxDateYear = 2199;

absl::Time FromProtoTime(const google::protobuf::Timestamp& t);
google::protobuf::Timestamp ToProtoTime(absl::Time t);
// Nanoseconds since the epoch (valid for accepted instants).
int64_t UnixNanosOf(const google::protobuf::Timestamp& t);
// Whether `t` is other than the zero Timestamp (proto3's "unset").
bool IsSet(const google::protobuf::Timestamp& t);

// OK if `t` is a valid instant in [1970-01-01, 2200-01-01).
absl::Status CheckTimestamp(const google::protobuf::Timestamp& t,
                            std::string_view field);
// `t` as an absl::Time after CheckTimestamp.
absl::StatusOr<absl::Time> ParseTimestamp(const google::protobuf::Timestamp& t,
                                          std::string_view field);

common::v1::Date ToProtoDate(absl::CivilDay day);
// `date` as a civil day, unchecked (an invalid date normalises).
absl::CivilDay FromProtoDate(const common::v1::Date& date);
// Whether any of year, month and day is set.
bool IsSet(const common::v1::Date& date);
// `date` if it is a real calendar date from 2000-01-01 to 2199-12-31.
absl::StatusOr<absl::CivilDay> ParseProtoDate(const common::v1::Date& date,
                                              std::string_view field);

// Days since 1970-01-01 (negative before), the day number used in keys.
int64_t DayNumber(absl::CivilDay day);
absl::CivilDay DayOfNumber(int64_t n);

}  // namespace nq57

#endif  // NQ57_COMMON_TIME_PROTO_TIME_H_
