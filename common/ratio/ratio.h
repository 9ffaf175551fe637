// Integer ratios: how nq57 stores, rolls up and renders every rate.
//
// A rate is never a float. It is a numerator and a denominator (`Ratio`),
// and its text ("98.7") is produced from those integers with a rounding mode
// and a number of decimals that are always explicit (DESIGN section 4). All
// arithmetic here is exact integer arithmetic (absl::int128 where int64 could
// overflow); overflow is reported as an error, never undefined behaviour.
//
// Rollups over several units:
//   * SumOfParts   — sum of numerators over sum of denominators (DHIS2's
//                    default; exact).
//   * MeanOfRatios — unweighted mean of each unit's ratio.
//   * WeightedMean — mean of each unit's ratio weighted by a stated weight.
// A mean of ratios with arbitrary denominators has no exact int64
// representation, so the two means return a `MeanResult`: the value carried
// to 12 decimal places below the unit (denominator k * 10^12, or
// sum(weights) * 10^12), truncated, with a sticky `inexact` bit. Rendering a
// MeanResult is still correctly rounded (see MeanResult).
//
// Published figures are not always rounded consistently; ReproducingModes()
// says which declared rounding modes reproduce a published text, so that a
// figure no mode reproduces can be flagged.
//
// Example:
//
//   nq57::Ratio party{2663, 2696};
//   RenderPercent(party, RoundingMode::kHalfUp, 1);    // "98.8"
//   RenderPercent(party, RoundingMode::kTruncate, 1);  // "98.7"
//   ReproducingModes(party, "98,7%", RenderScale::kPercent);  // {kTruncate}
//
// Everything here is a value type or a pure function: thread-safe.
#ifndef NQ57_COMMON_RATIO_RATIO_H_
#define NQ57_COMMON_RATIO_RATIO_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace nq57 {

// numerator / denominator. Any int64 values are representable; a zero
// denominator is an undefined rate (it renders as an error). The value is not
// normalised: 2/4 and 1/2 are different Ratios (the integers are data: "how
// many of how many").
struct Ratio {
  int64_t numerator = 0;
  int64_t denominator = 0;

  friend bool operator==(const Ratio&, const Ratio&) = default;
};

// How the digits past the last rendered decimal are dropped. Modes act on the
// magnitude and keep the sign, i.e. they are symmetric around zero.
enum class RoundingMode {
  kHalfUp,    // ties away from zero: 98.75 -> "98.8", -0.5 -> "-1"
  kHalfEven,  // ties to the even digit: 0.125 -> "0.12", 0.375 -> "0.38"
  kTruncate,  // towards zero: 98.78 -> "98.7"
};

// "half_up", "half_even" or "truncate".
std::string_view RoundingModeName(RoundingMode mode);

// Whether a rendered text is the ratio itself or the ratio times 100.
enum class RenderScale { kFraction, kPercent };

// The most decimals any Render* call accepts.
inline constexpr int kMaxDecimals = 18;

// The scale below the unit to which means are carried: 10^12.
inline constexpr int64_t kMeanScale = 1'000'000'000'000;

// The result of MeanOfRatios or WeightedMean.
//
// Contract: the true mean m satisfies, with D = value.denominator > 0 and
// N = value.numerator,
//   * inexact == false: m == N / D exactly;
//   * inexact == true:  |N| / D < |m| < (|N| + 1) / D, and N has the sign of
//     m (or is 0). That is, N is m * D truncated towards zero (the floor of
//     the magnitude) and the sticky bit records that something non-zero was
//     dropped.
// D is k * 10^12 for a mean of k ratios and W * 10^12 for weights summing to
// W, so a MeanResult renders correctly rounded to up to 9 decimals as a
// percentage and 11 as a fraction (more when D has further factors of 2 or
// 10); beyond that Render* returns an error for an inexact value.
//
// (Not an aggregate, so that a braced {numerator, denominator} always means a
// Ratio in overloaded calls.)
struct MeanResult {
  MeanResult() = default;
  MeanResult(Ratio value, bool inexact) : value(value), inexact(inexact) {}

  Ratio value;
  bool inexact = false;

  friend bool operator==(const MeanResult&, const MeanResult&) = default;
};

// Renders numerator / denominator * 100 (RenderPercent) or numerator /
// denominator (RenderFraction) with exactly `decimals` digits after a '.'
// ("98.7", "42", "-0.50"); no '%' sign and no grouping separators. A result
// that rounds to zero is rendered without a sign.
//
// Errors: InvalidArgument if the denominator is 0 or `decimals` is outside
// [0, kMaxDecimals]; for an inexact MeanResult also InvalidArgument if
// `decimals` is more than its 10^12 scale can round correctly.
absl::StatusOr<std::string> RenderPercent(Ratio ratio, RoundingMode mode,
                                          int decimals);
absl::StatusOr<std::string> RenderFraction(Ratio ratio, RoundingMode mode,
                                           int decimals);
absl::StatusOr<std::string> RenderPercent(const MeanResult& mean,
                                          RoundingMode mode, int decimals);
absl::StatusOr<std::string> RenderFraction(const MeanResult& mean,
                                           RoundingMode mode, int decimals);
absl::StatusOr<std::string> Render(Ratio ratio, RenderScale scale,
                                   RoundingMode mode, int decimals);
absl::StatusOr<std::string> Render(const MeanResult& mean, RenderScale scale,
                                   RoundingMode mode, int decimals);

// -1, 0 or 1 as a compares to b as exact fractions (cross-multiplied in 128
// bits, so it never overflows). Both denominators must be positive.
int CompareRatios(Ratio a, Ratio b);

// Sum of numerators over sum of denominators. Parts with a zero denominator
// (nothing to count) are allowed and add nothing to the denominator; no parts
// gives 0/0.
// Errors: InvalidArgument for a negative denominator; OutOfRange if either sum
// overflows int64.
absl::StatusOr<Ratio> SumOfParts(std::span<const Ratio> parts);

// (r_1 + ... + r_k) / k with D = k * 10^12 (see MeanResult).
// Errors: InvalidArgument if `ratios` is empty or a denominator is 0;
// OutOfRange if D or N does not fit int64 (|r_1 + ... + r_k| must stay below
// about 9.2 million: no limit for rates).
absl::StatusOr<MeanResult> MeanOfRatios(std::span<const Ratio> ratios);

// (w_1 r_1 + ... + w_k r_k) / W with W = w_1 + ... + w_k and D = W * 10^12
// (see MeanResult).
// Errors: InvalidArgument if the spans differ in length, are empty, a
// denominator is 0, a weight is negative or all weights are 0; OutOfRange if
// D = W * 10^12 does not fit int64 (W above 9,223,372) or N does not
// (|w_1 r_1 + ... + w_k r_k| above about 9.2 million).
absl::StatusOr<MeanResult> WeightedMean(std::span<const Ratio> ratios,
                                        std::span<const int64_t> weights);

// The rounding modes (in enum order) that render `ratio` as `published`, at
// the number of decimals `published` shows. `published` is a figure as
// printed: an optional '-', digits, optionally '.' or ',' and more digits
// (Vietnamese texts print "98,7"), and for kPercent an optional trailing '%'.
// An empty result means no declared mode reproduces the figure: flag it.
//
//   ReproducingModes({2663, 2696}, "98,7%", kPercent)  -> {kTruncate}
//   ReproducingModes({2525, 2538}, "99.5", kPercent)   -> {kHalfUp, kHalfEven}
//   ReproducingModes({13537, 13733}, "97.9", kPercent) -> {}
//
// Errors: InvalidArgument if `published` is not a figure, shows more than
// kMaxDecimals decimals (or, for an inexact MeanResult, more than it can round
// correctly), or the denominator is 0.
absl::StatusOr<std::vector<RoundingMode>> ReproducingModes(
    Ratio ratio, std::string_view published, RenderScale scale);
absl::StatusOr<std::vector<RoundingMode>> ReproducingModes(
    const MeanResult& mean, std::string_view published, RenderScale scale);

}  // namespace nq57

#endif  // NQ57_COMMON_RATIO_RATIO_H_
