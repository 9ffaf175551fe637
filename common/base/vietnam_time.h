// The civil calendar reports are dated in.
//
// Vietnam keeps UTC+7 all year (no daylight saving), so "the month of an
// instant", "today" and a report's as-of date are read in this fixed zone by
// every service, nq57ctl and the dataset generator alike.
#ifndef NQ57_COMMON_BASE_VIETNAM_TIME_H_
#define NQ57_COMMON_BASE_VIETNAM_TIME_H_

#include "absl/time/time.h"

namespace nq57 {

inline absl::TimeZone VietnamTime() { return absl::FixedTimeZone(7 * 3600); }

}  // namespace nq57

#endif  // NQ57_COMMON_BASE_VIETNAM_TIME_H_
