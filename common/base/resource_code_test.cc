#include "common/base/resource_code.h"

#include <string>

#include "gtest/gtest.h"

namespace nq57 {
namespace {

TEST(IsValidCode, FollowsTheRule) {
  for (const char* good : {"NQ57-TC-01", "1.001234", "a", "x_y.z-0"}) {
    EXPECT_TRUE(IsValidCode(good)) << good;
  }
  for (const char* bad : {"", "-a", ".a", "a b", "a/b", "tiêu-chí"}) {
    EXPECT_FALSE(IsValidCode(bad)) << bad;
  }
  EXPECT_TRUE(IsValidCode(std::string(64, 'a')));
  EXPECT_FALSE(IsValidCode(std::string(65, 'a')));
}

}  // namespace
}  // namespace nq57
