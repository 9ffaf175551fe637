// Coverage: how many of the units a figure expects have reported
// (DESIGN section 4, "148/148 communes reported").
//
// The one way every service and the aggregator count it, so that the same
// inputs always give the same coverage: `missing_count` is expected -
// reported, never below 0 (a unit that reports without being expected, e.g.
// one that left the province, does not make coverage exceed its
// denominator's meaning).
//
// Pure function: thread-safe.
//
//   common::v1::Coverage c = CountCoverage(146, 148);  // 146/148, 2 missing
#ifndef NQ57_COMMON_RATIO_COVERAGE_H_
#define NQ57_COMMON_RATIO_COVERAGE_H_

#include <cstdint>

#include "nq57/common/v1/ratio.pb.h"

namespace nq57 {

common::v1::Coverage CountCoverage(int64_t reported, int64_t expected);

}  // namespace nq57

#endif  // NQ57_COMMON_RATIO_COVERAGE_H_
