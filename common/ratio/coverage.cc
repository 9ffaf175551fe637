#include "common/ratio/coverage.h"

#include <algorithm>

namespace nq57 {

common::v1::Coverage CountCoverage(int64_t reported, int64_t expected) {
  common::v1::Coverage out;
  out.set_reported(reported);
  out.set_expected(expected);
  out.set_missing_count(std::max<int64_t>(0, expected - reported));
  return out;
}

}  // namespace nq57
