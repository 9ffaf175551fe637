#include "common/base/quote.h"

#include <string>

#include "gtest/gtest.h"

namespace nq57 {
namespace {

TEST(QuoteTest, ShortValuesAreQuotedWhole) {
  EXPECT_EQ(Quoted("communes/07900"), "\"communes/07900\"");
  EXPECT_EQ(Quoted("Phú Thọ"), "\"Phú Thọ\"");
}

TEST(QuoteTest, LongValuesAreCutOnACharacterWithTheirLength) {
  EXPECT_EQ(Quoted(std::string(100000, 'a'), 8),
            "\"aaaaaaaa…\" (100000 bytes)");
  // "ọ" is 3 bytes: a cut never splits it.
  EXPECT_EQ(QuotePrefix("Thọọọ", 5), "Thọ…");
}

TEST(QuoteTest, ControlCharactersAndBadUtf8AreEscaped) {
  EXPECT_EQ(QuotePrefix(std::string("a\0b\n\"", 5)), "a\\x00b\\n\\\"");
  EXPECT_EQ(QuotePrefix("\xff"), "\\xff");
}

}  // namespace
}  // namespace nq57
