#include "common/base/checked_math.h"

#include <limits>

#include "gtest/gtest.h"

namespace nq57 {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(CheckedMath, OverflowIsNulloptNeverAWrappedNumber) {
  EXPECT_EQ(CheckedAdd(2, 3), 5);
  EXPECT_FALSE(CheckedAdd(kMax, 1).has_value());
  EXPECT_FALSE(CheckedAdd(kMin, -1).has_value());
  EXPECT_EQ(CheckedSub(5, 7), -2);
  EXPECT_FALSE(CheckedSub(kMin, 1).has_value());
  EXPECT_EQ(CheckedMul(-4, 5), -20);
  EXPECT_FALSE(CheckedMul(kMax, 2).has_value());
}

TEST(CheckedSum, StaysFailedOnceItOverflows) {
  CheckedSum sum;
  sum.Add(kMax);
  EXPECT_TRUE(sum.ok());
  sum.Add(98);
  EXPECT_FALSE(sum.ok());
  sum.Add(-kMax);  // would bring it back in range: still an error
  EXPECT_FALSE(sum.ok());
  CheckedSum small;
  for (int i = 0; i < 10; ++i) small.Add(i);
  EXPECT_TRUE(small.ok());
  EXPECT_EQ(small.value(), 45);
}

}  // namespace
}  // namespace nq57
