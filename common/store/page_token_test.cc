#include "common/store/page_token.h"

#include "absl/strings/escaping.h"
#include "common/base/field_error.h"
#include "gtest/gtest.h"

namespace nq57 {
namespace {

std::string FieldOf(const absl::Status& s) {
  std::vector<FieldViolation> v = FieldViolationsOf(s);
  return v.empty() ? "" : v[0].field;
}

TEST(PageSize, DefaultsAndBounds) {
  EXPECT_EQ(*PageSizeOf(0), kDefaultPageSize);
  EXPECT_EQ(*PageSizeOf(7), 7);
  EXPECT_EQ(*PageSizeOf(kMaxPageSize), kMaxPageSize);
  EXPECT_EQ(FieldOf(PageSizeOf(-1).status()), "page_size");
  EXPECT_EQ(FieldOf(PageSizeOf(kMaxPageSize + 1).status()), "page_size");
}

TEST(PageToken, RoundTripsWithinItsQuery) {
  const std::string key("a\0b\xff", 4);
  const std::string token = EncodePageToken("criteria|", key);
  EXPECT_EQ(*DecodePageToken(token, "criteria|"), key);
  EXPECT_EQ(*DecodePageToken("", "criteria|"), "");
  EXPECT_EQ(*DecodeOffsetToken(EncodeOffsetToken("q", 1234), "q"), 1234u);
  EXPECT_EQ(*DecodeOffsetToken("", "q"), 0u);
}

TEST(PageToken, RefusesTokensOfOtherQueriesAndHandMadeOnes) {
  const std::string token = EncodePageToken("list|provinces/25", "k");
  EXPECT_EQ(FieldOf(DecodePageToken(token, "list|provinces/01").status()),
            "page_token");
  EXPECT_EQ(FieldOf(DecodePageToken("garbage", "q").status()), "page_token");
  EXPECT_EQ(
      FieldOf(DecodePageToken(absl::WebSafeBase64Escape("provinces/12"), "q")
                  .status()),
      "page_token");
  EXPECT_EQ(FieldOf(DecodeOffsetToken(EncodePageToken("q", "x"), "q").status()),
            "page_token");
  EXPECT_FALSE(DecodePageToken(std::string(100000, 'A'), "q").ok());
}

}  // namespace
}  // namespace nq57
