#include "common/ratio/ranking.h"

#include <string>
#include <vector>

#include "common/ratio/coverage.h"
#include "gtest/gtest.h"

namespace nq57 {
namespace {

// "name:rank" in ranked order.
std::vector<std::string> Ranked(const std::vector<RankInput>& in,
                                Better better) {
  std::vector<std::string> out;
  for (const RankPlace& p : CompetitionRanking(in, better)) {
    out.push_back(std::string(in[p.input].name) + ":" +
                  std::to_string(p.rank));
  }
  return out;
}

TEST(CompareRatios, IsExactAndNeverOverflows) {
  EXPECT_EQ(CompareRatios({1, 2}, {2, 4}), 0);
  EXPECT_EQ(CompareRatios({98710, 100000}, {98740, 100000}), -1);
  EXPECT_EQ(CompareRatios({INT64_MAX, 1}, {INT64_MAX - 1, 1}), 1);
  EXPECT_EQ(CompareRatios({INT64_MAX, INT64_MAX}, {1, 1}), 0);
}

TEST(CompetitionRanking, TiesShareARankAndSkipPlaces) {
  const std::vector<RankInput> in = {{{97, 100}, "b"},
                                     {{99, 100}, "c"},
                                     {{194, 200}, "a"},
                                     {{90, 100}, "d"}};
  EXPECT_EQ(Ranked(in, Better::kHigher),
            (std::vector<std::string>{"c:1", "a:2", "b:2", "d:4"}));
}

TEST(CompetitionRanking, LowerIsBetterReversesTheOrderNotTheTieRule) {
  const std::vector<RankInput> in = {
      {{1, 10}, "x"}, {{3, 10}, "y"}, {{1, 10}, "w"}};
  EXPECT_EQ(Ranked(in, Better::kLower),
            (std::vector<std::string>{"w:1", "x:1", "y:3"}));
}

TEST(CompetitionRanking, EntriesWithoutDataAreUnrankedAndLast) {
  const std::vector<RankInput> in = {
      {{0, 0}, "a"}, {{5, 10}, "z"}, {{0, 0}, "b"}, {{-1, -3}, "c"}};
  EXPECT_EQ(Ranked(in, Better::kHigher),
            (std::vector<std::string>{"z:1", "a:0", "b:0", "c:0"}));
  EXPECT_TRUE(CompetitionRanking({}, Better::kHigher).empty());
}

TEST(CompetitionRanking, RoundedEqualIsNotATie) {
  // Both print 98.7%, but they are different ratios.
  const std::vector<RankInput> in = {{{9871, 10000}, "a"},
                                     {{9874, 10000}, "b"}};
  EXPECT_EQ(Ranked(in, Better::kHigher),
            (std::vector<std::string>{"b:1", "a:2"}));
}

TEST(CountCoverage, MissingNeverNegative) {
  common::v1::Coverage c = CountCoverage(146, 148);
  EXPECT_EQ(c.reported(), 146);
  EXPECT_EQ(c.expected(), 148);
  EXPECT_EQ(c.missing_count(), 2);
  EXPECT_EQ(CountCoverage(150, 148).missing_count(), 0);
}

}  // namespace
}  // namespace nq57
