// Months and reporting periods as they are written in requests and reports.
//
// A month is "YYYY-MM" (2000-01 .. 2199-12); a period is a month, a quarter
// ("2025-Q4") or a year ("2025"). The month of an instant is read in
// Vietnam's time zone (UTC+7, common/base/vietnam_time.h). Errors are
// INVALID_ARGUMENT naming the request field.
//
// Pure functions: thread-safe.
//
//   ASSIGN_OR_RETURN(std::vector<std::string> months,
//                    PeriodMonths("2025-Q4"));  // 2025-10, 2025-11, 2025-12
//   ASSIGN_OR_RETURN(absl::CivilMonth m, ParseMonth("2025-10", "month"));
#ifndef NQ57_COMMON_TIME_MONTHS_H_
#define NQ57_COMMON_TIME_MONTHS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace nq57 {

absl::StatusOr<absl::CivilMonth> ParseMonth(std::string_view text,
                                            std::string_view field);
// "2025-10".
std::string FormatMonth(absl::CivilMonth month);
// year * 12 + month - 1: consecutive months have consecutive indexes.
uint64_t MonthIndex(absl::CivilMonth month);
// The month of `t` in Vietnam's time zone, e.g. "2025-10".
std::string MonthOf(absl::Time t);

// The months ("YYYY-MM") `period` covers, in order: "2025-10", "2025-Q4" or
// "2025" (years 2000..2100). INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::vector<std::string>> PeriodMonths(
    std::string_view period, std::string_view field = "period");

}  // namespace nq57

#endif  // NQ57_COMMON_TIME_MONTHS_H_
