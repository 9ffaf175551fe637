#include "common/ratio/ratio.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nq57 {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr RoundingMode kHalfUp = RoundingMode::kHalfUp;
constexpr RoundingMode kHalfEven = RoundingMode::kHalfEven;
constexpr RoundingMode kTruncate = RoundingMode::kTruncate;

// An independent reference: one division of GCC's native unsigned __int128
// (not absl::int128, not digit-by-digit long division), then rounding on the
// remainder and placing the decimal point in the digit string.
using U128 = unsigned __int128;

std::string ReferenceRender(bool negative, U128 magnitude, U128 divisor,
                            int exponent, RoundingMode mode, int decimals) {
  U128 scale = 1;
  for (int i = 0; i < exponent + decimals; ++i) scale *= 10;
  const U128 scaled = magnitude * scale;  // callers keep this below 2^128
  U128 quotient = scaled / divisor;
  const U128 remainder = scaled % divisor;
  const bool above = 2 * remainder > divisor;
  const bool tie = 2 * remainder == divisor;
  if ((mode == kHalfUp && (above || tie)) ||
      (mode == kHalfEven && (above || (tie && quotient % 2 == 1)))) {
    ++quotient;
  }
  std::string digits;
  for (U128 q = quotient; q != 0; q /= 10) {
    digits.insert(digits.begin(), static_cast<char>('0' + int(q % 10)));
  }
  while (digits.size() < static_cast<size_t>(decimals) + 1) {
    digits.insert(digits.begin(), '0');
  }
  std::string text = negative && quotient != 0 ? "-" : "";
  text += digits.substr(0, digits.size() - decimals);
  if (decimals > 0) {
    text.push_back('.');
    text.append(digits, digits.size() - decimals);
  }
  return text;
}

U128 Abs(__int128 v) { return v < 0 ? U128(-v) : U128(v); }

std::string ReferenceRender(__int128 numerator, __int128 denominator,
                            RenderScale scale, RoundingMode mode,
                            int decimals) {
  return ReferenceRender(
      (numerator < 0) != (denominator < 0), Abs(numerator), Abs(denominator),
      scale == RenderScale::kPercent ? 2 : 0, mode, decimals);
}

std::string Rendered(absl::StatusOr<std::string> text) {
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "<error>";
}

// --- The reference dataset (DESIGN section 7) -----------------------------

TEST(RenderPercentTest, PartyBlockRoundsDifferentlyByMode) {
  const Ratio party{2663, 2696};  // 98.776...
  EXPECT_EQ(Rendered(RenderPercent(party, kHalfUp, 1)), "98.8");
  EXPECT_EQ(Rendered(RenderPercent(party, kHalfEven, 1)), "98.8");
  EXPECT_EQ(Rendered(RenderPercent(party, kTruncate, 1)), "98.7");
  EXPECT_EQ(Rendered(RenderPercent(party, kHalfUp, 2)), "98.78");
}

TEST(RenderPercentTest, CouncilBlockHalfUp) {
  EXPECT_EQ(Rendered(RenderPercent({2525, 2538}, kHalfUp, 1)), "99.5");
  EXPECT_EQ(Rendered(RenderPercent({2525, 2538}, kTruncate, 1)), "99.4");
}

TEST(RenderPercentTest, ElectronicInvoices) {
  EXPECT_EQ(Rendered(RenderPercent({2671, 4070}, kHalfUp, 2)), "65.63");
  EXPECT_EQ(Rendered(RenderPercent({2671, 4070}, kTruncate, 2)), "65.62");
}

TEST(RenderPercentTest, OnlineServicesAtZeroDecimals) {
  EXPECT_EQ(Rendered(RenderPercent({885, 2132}, kHalfUp, 0)), "42");
  EXPECT_EQ(Rendered(RenderPercent({1183, 2132}, kHalfUp, 0)), "55");
  EXPECT_EQ(Rendered(RenderPercent({885, 2132}, kTruncate, 0)), "41");
}

TEST(SumOfPartsTest, FourBlocksOfPhuTho) {
  const std::vector<Ratio> blocks = {
      {2663, 2696}, {2525, 2538}, {4972, 5064}, {3377, 3435}};
  const absl::StatusOr<Ratio> all = SumOfParts(blocks);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(*all, (Ratio{13537, 13733}));
  EXPECT_EQ(Rendered(RenderPercent(*all, kHalfUp, 2)), "98.57");
}

TEST(ReproducingModesTest, ReferenceDataset) {
  const RenderScale kPercent = RenderScale::kPercent;
  EXPECT_THAT(*ReproducingModes({2663, 2696}, "98,7%", kPercent),
              ElementsAre(kTruncate));
  EXPECT_THAT(*ReproducingModes({2525, 2538}, "99.5", kPercent),
              ElementsAre(kHalfUp, kHalfEven));
  EXPECT_THAT(*ReproducingModes({4972, 5064}, "98,2%", kPercent),
              ElementsAre(kHalfUp, kHalfEven));
  EXPECT_THAT(*ReproducingModes({3377, 3435}, "98,3%", kPercent),
              ElementsAre(kHalfUp, kHalfEven, kTruncate));
  EXPECT_THAT(*ReproducingModes({2671, 4070}, "65,62%", kPercent),
              ElementsAre(kTruncate));
  EXPECT_THAT(*ReproducingModes({885, 2132}, "42%", kPercent),
              ElementsAre(kHalfUp, kHalfEven));
  // The published 97.9% for all four blocks: no mode reproduces it.
  EXPECT_THAT(*ReproducingModes({13537, 13733}, "97,9%", kPercent), IsEmpty());
  EXPECT_THAT(*ReproducingModes({1, 8}, "0.12", RenderScale::kFraction),
              ElementsAre(kHalfEven, kTruncate));
}

TEST(ReproducingModesTest, RejectsMalformedFigures) {
  for (const char* bad : {"", "%", "98.", ".5", "9 8", "98.7.1", "98,7,1",
                          "abc", "-", "98.7%%", "1.0000000000000000000"}) {
    EXPECT_EQ(
        ReproducingModes({1, 2}, bad, RenderScale::kPercent).status().code(),
        absl::StatusCode::kInvalidArgument)
        << bad;
  }
  // '%' only belongs to percentages.
  EXPECT_FALSE(ReproducingModes({1, 2}, "0.5%", RenderScale::kFraction).ok());
  EXPECT_FALSE(ReproducingModes({1, 0}, "1", RenderScale::kFraction).ok());
}

// --- Rendering -------------------------------------------------------------

TEST(RenderFractionTest, HalfEvenTies) {
  EXPECT_EQ(Rendered(RenderFraction({1, 8}, kHalfEven, 2)), "0.12");
  EXPECT_EQ(Rendered(RenderFraction({3, 8}, kHalfEven, 2)), "0.38");
  EXPECT_EQ(Rendered(RenderFraction({1, 8}, kHalfUp, 2)), "0.13");
  EXPECT_EQ(Rendered(RenderFraction({5, 2}, kHalfEven, 0)), "2");
  EXPECT_EQ(Rendered(RenderFraction({7, 2}, kHalfEven, 0)), "4");
  EXPECT_EQ(Rendered(RenderFraction({1, 8}, kTruncate, 2)), "0.12");
}

TEST(RenderFractionTest, CarriesThroughNines) {
  EXPECT_EQ(Rendered(RenderFraction({9999, 10000}, kHalfUp, 3)), "1.000");
  EXPECT_EQ(Rendered(RenderPercent({9999, 10000}, kHalfUp, 1)), "100.0");
  EXPECT_EQ(Rendered(RenderPercent({2696, 2696}, kHalfUp, 0)), "100");
}

TEST(RenderFractionTest, NegativeValuesAreSymmetric) {
  EXPECT_EQ(Rendered(RenderFraction({-1, 8}, kHalfUp, 2)), "-0.13");
  EXPECT_EQ(Rendered(RenderFraction({1, -8}, kHalfEven, 2)), "-0.12");
  EXPECT_EQ(Rendered(RenderFraction({-1, -8}, kHalfUp, 2)), "0.13");
  EXPECT_EQ(Rendered(RenderFraction({-1, 2}, kHalfUp, 0)), "-1");
  // Rounds to zero: no sign.
  EXPECT_EQ(Rendered(RenderFraction({-1, 2}, kHalfEven, 0)), "0");
  EXPECT_EQ(Rendered(RenderFraction({-1, 3}, kTruncate, 1)), "-0.3");
  EXPECT_EQ(Rendered(RenderFraction({-1, 300}, kTruncate, 1)), "0.0");
  EXPECT_EQ(Rendered(RenderFraction({0, -5}, kHalfUp, 2)), "0.00");
}

TEST(RenderFractionTest, Int64Extremes) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(Rendered(RenderFraction({kMin, 1}, kHalfUp, 0)),
            "-9223372036854775808");
  EXPECT_EQ(Rendered(RenderFraction({kMin, -1}, kHalfUp, 1)),
            "9223372036854775808.0");
  EXPECT_EQ(Rendered(RenderPercent({kMax, 1}, kTruncate, 0)),
            "922337203685477580700");
  EXPECT_EQ(Rendered(RenderFraction({1, kMin}, kHalfUp, 18)),
            "0.000000000000000000");
  EXPECT_EQ(Rendered(RenderFraction({kMax, kMin}, kHalfUp, 3)), "-1.000");
}

TEST(RenderFractionTest, Errors) {
  EXPECT_EQ(RenderPercent({1, 0}, kHalfUp, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RenderPercent({1, 2}, kHalfUp, -1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RenderPercent({1, 2}, kHalfUp, kMaxDecimals + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(RenderPercent({1, 2}, kHalfUp, kMaxDecimals).ok());
}

TEST(RoundingModeNameTest, Names) {
  EXPECT_EQ(RoundingModeName(kHalfUp), "half_up");
  EXPECT_EQ(RoundingModeName(kHalfEven), "half_even");
  EXPECT_EQ(RoundingModeName(kTruncate), "truncate");
}

// Random ratios of every magnitude against the reference.
TEST(RenderPropertyTest, MatchesReference) {
  std::mt19937_64 rng(57);
  const std::vector<int64_t> specials = {0,
                                         1,
                                         -1,
                                         2,
                                         3,
                                         7,
                                         8,
                                         10,
                                         1000,
                                         std::numeric_limits<int64_t>::max(),
                                         std::numeric_limits<int64_t>::min(),
                                         -(int64_t{1} << 62)};
  const auto draw = [&]() -> int64_t {
    switch (rng() % 4) {
      case 0:
        return specials[rng() % specials.size()];
      case 1:
        return static_cast<int64_t>(rng() % 10000) - 2000;
      case 2:
        return static_cast<int64_t>(rng() % 100'000'000);
      default:
        return static_cast<int64_t>(rng() >> (rng() % 64));
    }
  };
  const RoundingMode modes[] = {kHalfUp, kHalfEven, kTruncate};
  for (int i = 0; i < 200'000; ++i) {
    const Ratio ratio{draw(), draw()};
    if (ratio.denominator == 0) continue;
    const RenderScale scale =
        rng() % 2 ? RenderScale::kPercent : RenderScale::kFraction;
    // The reference multiplies before dividing: keep 2^63 * 10^k below 2^128.
    const int decimals =
        static_cast<int>(rng() % (scale == RenderScale::kPercent ? 17 : 19));
    const RoundingMode mode = modes[rng() % 3];
    ASSERT_EQ(Rendered(Render(ratio, scale, mode, decimals)),
              ReferenceRender(ratio.numerator, ratio.denominator, scale, mode,
                              decimals))
        << ratio.numerator << "/" << ratio.denominator << " mode "
        << RoundingModeName(mode) << " decimals " << decimals;
  }
}

// Ratios rendered and then read back reproduce themselves.
TEST(ReproducingModesPropertyTest, RenderedTextIsReproduced) {
  std::mt19937_64 rng(4070);
  const RoundingMode modes[] = {kHalfUp, kHalfEven, kTruncate};
  for (int i = 0; i < 20'000; ++i) {
    const int64_t denominator = 1 + static_cast<int64_t>(rng() % 10'000);
    const Ratio ratio{static_cast<int64_t>(rng() % (denominator + 1)),
                      denominator};
    const RoundingMode mode = modes[rng() % 3];
    const int decimals = static_cast<int>(rng() % 4);
    const std::string text = Rendered(RenderPercent(ratio, mode, decimals));
    const absl::StatusOr<std::vector<RoundingMode>> found =
        ReproducingModes(ratio, text, RenderScale::kPercent);
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_NE(std::find(found->begin(), found->end(), mode), found->end())
        << text;
    for (RoundingMode other : *found) {
      ASSERT_EQ(Rendered(RenderPercent(ratio, other, decimals)), text);
    }
  }
}

// --- Rollups ---------------------------------------------------------------

TEST(SumOfPartsTest, EmptyAndZeroDenominators) {
  EXPECT_EQ(*SumOfParts({}), (Ratio{0, 0}));
  const std::vector<Ratio> parts = {{0, 0}, {3, 4}, {-1, 0}};
  EXPECT_EQ(*SumOfParts(parts), (Ratio{2, 4}));
}

TEST(SumOfPartsTest, Errors) {
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const std::vector<Ratio> negative = {{1, 2}, {1, -2}};
  EXPECT_EQ(SumOfParts(negative).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::vector<Ratio> numerators = {{kMax, 1}, {1, 1}};
  EXPECT_EQ(SumOfParts(numerators).status().code(),
            absl::StatusCode::kOutOfRange);
  const std::vector<Ratio> denominators = {{0, kMax}, {0, 1}};
  EXPECT_EQ(SumOfParts(denominators).status().code(),
            absl::StatusCode::kOutOfRange);
  const std::vector<Ratio> fits = {{kMax - 1, kMax - 1}, {1, 1}};
  EXPECT_EQ(*SumOfParts(fits), (Ratio{kMax, kMax}));
}

TEST(MeanOfRatiosTest, HalfAndQuarterIsExactlyThreeEighths) {
  const std::vector<Ratio> ratios = {{1, 2}, {1, 4}};
  const absl::StatusOr<MeanResult> mean = MeanOfRatios(ratios);
  ASSERT_TRUE(mean.ok()) << mean.status();
  EXPECT_FALSE(mean->inexact);
  EXPECT_EQ(mean->value, (Ratio{750'000'000'000, 2 * kMeanScale}));
  EXPECT_EQ(Rendered(RenderFraction(*mean, kHalfEven, 3)), "0.375");
  EXPECT_EQ(Rendered(RenderFraction(*mean, kHalfEven, 2)), "0.38");
  // Exact, so any number of decimals is fine.
  EXPECT_EQ(Rendered(RenderFraction(*mean, kHalfEven, 18)),
            "0.375000000000000000");
}

TEST(MeanOfRatiosTest, FourBlocksDifferFromSumOfParts) {
  const std::vector<Ratio> blocks = {
      {2663, 2696}, {2525, 2538}, {4972, 5064}, {3377, 3435}};
  const absl::StatusOr<MeanResult> mean = MeanOfRatios(blocks);
  ASSERT_TRUE(mean.ok()) << mean.status();
  EXPECT_TRUE(mean->inexact);
  // (98.776 + 99.488 + 98.183 + 98.311) / 4 = 98.6895...
  EXPECT_EQ(Rendered(RenderPercent(*mean, kHalfUp, 2)), "98.69");
}

TEST(MeanOfRatiosTest, ThirdsAddUpExactly) {
  // 1/3 + 2/3 = 1: each term alone is inexact at 10^12, the sum is not.
  const std::vector<Ratio> ratios = {{1, 3}, {2, 3}};
  const absl::StatusOr<MeanResult> mean = MeanOfRatios(ratios);
  ASSERT_TRUE(mean.ok()) << mean.status();
  EXPECT_FALSE(mean->inexact);
  EXPECT_EQ(mean->value, (Ratio{kMeanScale, 2 * kMeanScale}));
}

TEST(MeanOfRatiosTest, StickyBitRoundsTiesUp) {
  // True mean = 0.125 + 1/(2p) with p > 10^12: carried as exactly 0.125 with
  // the sticky bit, which must round up in both half modes.
  const int64_t p = 1'000'000'000'039;
  const std::vector<Ratio> above = {{1, 4}, {1, p}};
  const absl::StatusOr<MeanResult> mean = MeanOfRatios(above);
  ASSERT_TRUE(mean.ok()) << mean.status();
  EXPECT_TRUE(mean->inexact);
  EXPECT_EQ(mean->value, (Ratio{250'000'000'000, 2 * kMeanScale}));
  EXPECT_EQ(Rendered(RenderFraction(*mean, kHalfEven, 2)), "0.13");
  EXPECT_EQ(Rendered(RenderFraction(*mean, kHalfUp, 2)), "0.13");
  EXPECT_EQ(Rendered(RenderFraction(*mean, kTruncate, 2)), "0.12");
  // Without the sticky bit the same integers are a tie.
  EXPECT_EQ(Rendered(RenderFraction(mean->value, kHalfEven, 2)), "0.12");

  // True mean = 0.125 - 1/(2p): just below the tie.
  const std::vector<Ratio> below = {{1, 4}, {-1, p}};
  const absl::StatusOr<MeanResult> low = MeanOfRatios(below);
  ASSERT_TRUE(low.ok()) << low.status();
  EXPECT_TRUE(low->inexact);
  EXPECT_EQ(Rendered(RenderFraction(*low, kHalfUp, 2)), "0.12");
  EXPECT_EQ(Rendered(RenderFraction(*low, kHalfEven, 2)), "0.12");

  // Negative: -(0.125 + 1/(2p)) has magnitude above the tie.
  const std::vector<Ratio> negative = {{-1, 4}, {-1, p}};
  const absl::StatusOr<MeanResult> neg = MeanOfRatios(negative);
  ASSERT_TRUE(neg.ok()) << neg.status();
  EXPECT_TRUE(neg->inexact);
  EXPECT_EQ(neg->value, (Ratio{-250'000'000'000, 2 * kMeanScale}));
  EXPECT_EQ(Rendered(RenderFraction(*neg, kHalfEven, 2)), "-0.13");
  EXPECT_EQ(Rendered(RenderFraction(*neg, kTruncate, 2)), "-0.12");
}

TEST(MeanOfRatiosTest, InexactMeanLimitsDecimals) {
  const std::vector<Ratio> ratios = {{1, 3}};
  const absl::StatusOr<MeanResult> mean = MeanOfRatios(ratios);
  ASSERT_TRUE(mean.ok());
  EXPECT_TRUE(mean->inexact);
  EXPECT_EQ(Rendered(RenderPercent(*mean, kHalfUp, 9)), "33.333333333");
  EXPECT_EQ(RenderPercent(*mean, kHalfUp, 10).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Rendered(RenderFraction(*mean, kHalfUp, 11)), "0.33333333333");
  EXPECT_FALSE(RenderFraction(*mean, kHalfUp, 12).ok());
  EXPECT_FALSE(
      ReproducingModes(*mean, "0.333333333333", RenderScale::kFraction).ok());
  EXPECT_THAT(*ReproducingModes(*mean, "33,3%", RenderScale::kPercent),
              ElementsAre(kHalfUp, kHalfEven, kTruncate));
}

TEST(MeanOfRatiosTest, Errors) {
  EXPECT_EQ(MeanOfRatios({}).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::vector<Ratio> zero = {{1, 2}, {1, 0}};
  EXPECT_EQ(MeanOfRatios(zero).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::vector<Ratio> huge = {{std::numeric_limits<int64_t>::max(), 1}};
  EXPECT_EQ(MeanOfRatios(huge).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(WeightedMeanTest, WeightsCount) {
  const std::vector<Ratio> ratios = {{1, 2}, {1, 4}};
  const std::vector<int64_t> weights = {1, 3};
  const absl::StatusOr<MeanResult> mean = WeightedMean(ratios, weights);
  ASSERT_TRUE(mean.ok()) << mean.status();
  EXPECT_FALSE(mean->inexact);
  // (1/2 + 3/4) / 4 = 5/16 = 0.3125.
  EXPECT_EQ(mean->value, (Ratio{1'250'000'000'000, 4 * kMeanScale}));
  EXPECT_EQ(Rendered(RenderPercent(*mean, kHalfEven, 2)), "31.25");
  EXPECT_EQ(Rendered(RenderPercent(*mean, kHalfEven, 1)), "31.2");
  EXPECT_EQ(Rendered(RenderPercent(*mean, kHalfUp, 1)), "31.3");
}

TEST(WeightedMeanTest, Errors) {
  const std::vector<Ratio> ratios = {{1, 2}, {1, 4}};
  const std::vector<int64_t> one = {1};
  EXPECT_EQ(WeightedMean(ratios, one).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::vector<int64_t> negative = {1, -1};
  EXPECT_EQ(WeightedMean(ratios, negative).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::vector<int64_t> zeros = {0, 0};
  EXPECT_EQ(WeightedMean(ratios, zeros).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::vector<int64_t> heavy = {9'223'372, 1};
  EXPECT_EQ(WeightedMean(ratios, heavy).status().code(),
            absl::StatusCode::kOutOfRange);
  const std::vector<int64_t> overflow = {std::numeric_limits<int64_t>::max(),
                                         1};
  EXPECT_EQ(WeightedMean(ratios, overflow).status().code(),
            absl::StatusCode::kOutOfRange);
  const std::vector<int64_t> fits = {9'223'371, 1};
  EXPECT_TRUE(WeightedMean(ratios, fits).ok());
}

// Means over many units with denominators 1..20 (so lcm(1..20) = 232792560
// keeps the exact reference small) against the exact rational P / (W * L).
TEST(MeanPropertyTest, MatchesExactReference) {
  constexpr int64_t kLcm = 232'792'560;
  std::mt19937_64 rng(148);
  const RoundingMode modes[] = {kHalfUp, kHalfEven, kTruncate};
  for (int round = 0; round < 3'000; ++round) {
    const size_t count = round % 10 == 0 ? 148 : 1 + rng() % 12;
    const bool weighted = rng() % 2 == 0;
    std::vector<Ratio> ratios;
    std::vector<int64_t> weights;
    __int128 exact_numerator = 0;  // sum of w_i * n_i * (L / d_i)
    int64_t weight_sum = 0;
    for (size_t i = 0; i < count; ++i) {
      int64_t denominator = 1 + static_cast<int64_t>(rng() % 20);
      int64_t numerator = rng() % 4 == 0
                              ? static_cast<int64_t>(rng() % 2001) - 1000
                              : static_cast<int64_t>(rng() % (denominator + 1));
      if (rng() % 8 == 0) {
        numerator = -numerator;
        denominator = -denominator;
      }
      const int64_t weight = weighted ? static_cast<int64_t>(rng() % 50) : 1;
      ratios.push_back({numerator, denominator});
      weights.push_back(weight);
      exact_numerator += __int128{weight} * numerator * (kLcm / denominator);
      weight_sum += weight;
    }
    if (weight_sum == 0) continue;
    const absl::StatusOr<MeanResult> mean =
        weighted ? WeightedMean(ratios, weights) : MeanOfRatios(ratios);
    ASSERT_TRUE(mean.ok()) << mean.status();
    const __int128 exact_denominator = __int128{weight_sum} * kLcm;

    // The carried value: truncated at 10^12, sticky iff something dropped.
    const __int128 scaled = exact_numerator * kMeanScale;
    EXPECT_EQ(mean->value.denominator, weight_sum * kMeanScale);
    EXPECT_EQ(__int128{mean->value.numerator}, scaled / kLcm);
    EXPECT_EQ(mean->inexact, scaled % kLcm != 0);

    for (int j = 0; j < 6; ++j) {
      const RenderScale scale =
          rng() % 2 ? RenderScale::kPercent : RenderScale::kFraction;
      const int decimals =
          static_cast<int>(rng() % (scale == RenderScale::kPercent ? 10 : 12));
      const RoundingMode mode = modes[rng() % 3];
      ASSERT_EQ(Rendered(Render(*mean, scale, mode, decimals)),
                ReferenceRender(exact_numerator, exact_denominator, scale, mode,
                                decimals))
          << "round " << round << " decimals " << decimals << " mode "
          << RoundingModeName(mode);
    }
  }
}

// Random exact ties t = (2j+1) / (2 * 10^d) pushed just above or below by
// 1/(2p), p > 10^12: the carried value is t itself (or one unit below), and
// only the sticky bit tells the renderer which side the true mean is on.
TEST(MeanPropertyTest, StickyTiesMatchExactReference) {
  std::mt19937_64 rng(1676);
  constexpr int64_t kPrime = 1'000'000'000'039;
  const RoundingMode modes[] = {kHalfUp, kHalfEven, kTruncate};
  for (int round = 0; round < 20'000; ++round) {
    const int d = static_cast<int>(rng() % 12);  // 0..11 fraction decimals
    int64_t power = 1;
    for (int i = 0; i < d; ++i) power *= 10;
    const int64_t odd = 2 * static_cast<int64_t>(rng() % power) + 1;
    const int64_t sign = rng() % 2 ? 1 : -1;
    // mean of odd/power and sign/p = (odd*p + sign*power) / (2*power*p)
    const std::vector<Ratio> ratios = {{odd, power}, {sign, kPrime}};
    const absl::StatusOr<MeanResult> mean = MeanOfRatios(ratios);
    ASSERT_TRUE(mean.ok()) << mean.status();
    ASSERT_TRUE(mean->inexact);
    const __int128 numerator = __int128{odd} * kPrime + sign * power;
    const __int128 denominator = __int128{2} * power * kPrime;
    const RoundingMode mode = modes[rng() % 3];
    ASSERT_EQ(Rendered(RenderFraction(*mean, mode, d)),
              ReferenceRender(numerator, denominator, RenderScale::kFraction,
                              mode, d))
        << odd << "/" << power << " sign " << sign;
  }
}

}  // namespace
}  // namespace nq57
