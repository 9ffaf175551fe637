#include "common/ratio/ratio.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace nq57 {
namespace {

using absl::int128;
using absl::uint128;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

int ScaleDigits(RenderScale scale) {
  return scale == RenderScale::kPercent ? 2 : 0;
}

uint128 Magnitude(int128 value) {
  return value < 0 ? static_cast<uint128>(-value) : static_cast<uint128>(value);
}

uint128 PowerOfTen(int exponent) {
  uint128 power = 1;
  for (int i = 0; i < exponent; ++i) power *= 10;
  return power;
}

std::string DecimalDigits(uint128 value) {
  if (value == 0) return "0";
  std::string digits;
  while (value != 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  }
  std::reverse(digits.begin(), digits.end());
  return digits;
}

// Adds one unit in the last place to a string of decimal digits.
void IncrementDigits(std::string& digits) {
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it != '9') {
      ++*it;
      return;
    }
    *it = '0';
  }
  digits.insert(digits.begin(), '1');
}

// Renders `numerator` / `denominator` * 10^scale_digits with `decimals`
// decimals, by long division on the magnitudes (every intermediate value is
// below 10 * 2^64, so uint128 never overflows).
//
// `sticky` says the true value's magnitude is strictly greater than the
// ratio's (see MeanResult). The caller guarantees that then 2 * 10^(decimals
// + scale_digits) divides the denominator D. Why the rounding stays correct:
// write S = 10^(decimals + scale_digits), D = 2*S*h, the stored magnitude
// |N| = 2h*Q + t with 0 <= t < 2h, and the true magnitude |N| + f (0 < f <
// 1) in units of 1/D. Scaled to the last rendered place, the true value is
//   (|N| + f) * S / D = Q + (t + f) / (2h).
// Since t <= 2h - 1, t + f < 2h: the digits kept are Q, as for |N| alone.
// The long division's final remainder is r = S*t (in units of 1/D), so
// comparing 2r with D compares t with h. If t < h then t + f < h: the true
// value is below the half and rounds down, as |N| does. If t > h both are
// above the half. If t == h — the remainder exactly at half — the true value
// t + f > h is strictly above the half, so it must round up in BOTH half
// modes, whatever the parity of the last digit; that is what the sticky bit
// does below. Truncation keeps Q either way.
absl::StatusOr<std::string> RenderMagnitudes(int128 numerator,
                                             int128 denominator,
                                             RenderScale scale,
                                             RoundingMode mode, int decimals,
                                             bool sticky) {
  if (denominator == 0) {
    return absl::InvalidArgumentError(
        "cannot render a ratio with denominator 0");
  }
  if (decimals < 0 || decimals > kMaxDecimals) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decimals must be in [0, ", kMaxDecimals, "], got ", decimals));
  }
  const bool negative = (numerator < 0) != (denominator < 0);
  const uint128 divisor = Magnitude(denominator);
  const uint128 scaled = Magnitude(numerator) * PowerOfTen(ScaleDigits(scale));
  std::string digits = DecimalDigits(scaled / divisor);
  uint128 remainder = scaled % divisor;
  for (int i = 0; i < decimals; ++i) {
    remainder *= 10;
    digits.push_back(
        static_cast<char>('0' + static_cast<int>(remainder / divisor)));
    remainder %= divisor;
  }
  const uint128 twice = remainder * 2;
  bool round_up = false;
  switch (mode) {
    case RoundingMode::kTruncate:
      break;
    case RoundingMode::kHalfUp:
      round_up = twice >= divisor;
      break;
    case RoundingMode::kHalfEven:
      round_up =
          twice > divisor ||
          (twice == divisor && (sticky || (digits.back() - '0') % 2 == 1));
      break;
  }
  if (round_up) IncrementDigits(digits);

  const bool zero = digits.find_first_not_of('0') == std::string::npos;
  std::string text = negative && !zero ? "-" : "";
  const size_t integer_digits = digits.size() - static_cast<size_t>(decimals);
  text.append(digits, 0, integer_digits);
  if (decimals > 0) {
    text.push_back('.');
    text.append(digits, integer_digits, std::string::npos);
  }
  return text;
}

absl::StatusOr<std::string> RenderMean(const MeanResult& mean,
                                       RenderScale scale, RoundingMode mode,
                                       int decimals) {
  if (mean.inexact && mean.value.denominator != 0 && decimals >= 0 &&
      decimals <= kMaxDecimals) {
    const int exponent = decimals + ScaleDigits(scale);
    if (Magnitude(mean.value.denominator) % (PowerOfTen(exponent) * 2) != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "an inexact mean with denominator ", mean.value.denominator,
          " cannot be rounded correctly to ", decimals, " decimals"));
    }
  }
  return RenderMagnitudes(mean.value.numerator, mean.value.denominator, scale,
                          mode, decimals, mean.inexact);
}

// a + b, or false if that overflows int128.
bool CheckedAdd(int128 a, int128 b, int128& sum) {
  if (b > 0 ? a > absl::Int128Max() - b : a < absl::Int128Min() - b) {
    return false;
  }
  sum = a + b;
  return true;
}

// A natural number of any size (little-endian 64-bit limbs, no leading zero
// limbs): just enough arithmetic to add fractions exactly.
class Natural {
 public:
  explicit Natural(uint64_t value) {
    if (value != 0) limbs_.push_back(value);
  }

  // *this *= factor.
  void Multiply(uint64_t factor) {
    if (factor == 0) {
      limbs_.clear();
      return;
    }
    uint64_t carry = 0;
    for (uint64_t& limb : limbs_) {
      const uint128 product = uint128(limb) * factor + carry;
      limb = absl::Uint128Low64(product);
      carry = absl::Uint128High64(product);
    }
    if (carry != 0) limbs_.push_back(carry);
  }

  // *this += other * factor. Each step is at most
  // (2^64 - 1) + (2^64 - 1)^2 + (2^64 - 1) = 2^128 - 1: no overflow.
  void AddProduct(const Natural& other, uint64_t factor) {
    if (limbs_.size() < other.limbs_.size()) {
      limbs_.resize(other.limbs_.size(), 0);
    }
    uint64_t carry = 0;
    size_t i = 0;
    for (; i < other.limbs_.size(); ++i) {
      const uint128 sum =
          uint128(limbs_[i]) + uint128(other.limbs_[i]) * factor + carry;
      limbs_[i] = absl::Uint128Low64(sum);
      carry = absl::Uint128High64(sum);
    }
    for (; carry != 0 && i < limbs_.size(); ++i) {
      const uint128 sum = uint128(limbs_[i]) + carry;
      limbs_[i] = absl::Uint128Low64(sum);
      carry = absl::Uint128High64(sum);
    }
    if (carry != 0) limbs_.push_back(carry);
    while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
  }

  friend int Compare(const Natural& a, const Natural& b) {
    if (a.limbs_.size() != b.limbs_.size()) {
      return a.limbs_.size() < b.limbs_.size() ? -1 : 1;
    }
    for (size_t i = a.limbs_.size(); i-- > 0;) {
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] < b.limbs_[i] ? -1 : 1;
    }
    return 0;
  }

 private:
  std::vector<uint64_t> limbs_;
};

// The exact sum of fractions r/d with 0 <= r < d, kept as P/Q.
class FractionSum {
 public:
  void Add(uint64_t r, uint64_t d) {
    if (r == 0) return;
    const uint64_t divisor = std::gcd(r, d);
    r /= divisor;
    d /= divisor;
    // P/Q + r/d = (P*d + r*Q) / (Q*d).
    sum_.Multiply(d);
    sum_.AddProduct(denominator_, r);
    denominator_.Multiply(d);
    ++terms_;
  }

  // floor(P/Q) (less than the number of terms, each being below 1) and
  // whether P/Q is that integer exactly.
  std::pair<uint64_t, bool> FloorAndExact() const {
    uint64_t low = 0;        // Q * low <= P always holds.
    uint64_t high = terms_;  // Q * high > P unless there are no terms.
    while (high - low > 1) {
      const uint64_t middle = low + (high - low) / 2;
      Natural product = denominator_;
      product.Multiply(middle);
      if (Compare(product, sum_) <= 0) {
        low = middle;
      } else {
        high = middle;
      }
    }
    Natural product = denominator_;
    product.Multiply(low);
    return {low, Compare(product, sum_) == 0};
  }

 private:
  Natural sum_{0};
  Natural denominator_{1};
  uint64_t terms_ = 0;
};

// sum(w_i * n_i / d_i) / W carried as N / (W * 10^12); see MeanResult.
absl::StatusOr<MeanResult> MeanOf(std::span<const Ratio> ratios,
                                  std::span<const int64_t> weights) {
  if (ratios.empty()) {
    return absl::InvalidArgumentError("mean of no ratios");
  }
  int64_t weight_sum = 0;
  for (size_t i = 0; i < ratios.size(); ++i) {
    if (ratios[i].denominator == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("ratio ", i, " has denominator 0"));
    }
    if (weights[i] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("weight ", i, " is negative: ", weights[i]));
    }
    if (weights[i] > kInt64Max - weight_sum) {
      return absl::OutOfRangeError("sum of weights overflows int64");
    }
    weight_sum += weights[i];
  }
  if (weight_sum == 0) {
    return absl::InvalidArgumentError("weights sum to 0");
  }
  if (weight_sum > kInt64Max / kMeanScale) {
    return absl::OutOfRangeError(absl::StrCat("sum of weights ", weight_sum,
                                              " times 10^12 overflows int64"));
  }

  // Each term w * n * 10^12 is below 9.3e6 * 2^63 * 1e12 < 8.6e37 < 2^127:
  // it fits int128. Its floor quotient by d is summed in int128 (checked),
  // its remainder r / d (0 <= r < d) exactly in `fractions`.
  int128 quotient_sum = 0;
  FractionSum fractions;
  for (size_t i = 0; i < ratios.size(); ++i) {
    int128 numerator = ratios[i].numerator;
    int128 denominator = ratios[i].denominator;
    if (denominator < 0) {
      numerator = -numerator;
      denominator = -denominator;
    }
    const int128 term = numerator * weights[i] * kMeanScale;
    int128 quotient = term / denominator;
    int128 remainder = term % denominator;
    if (remainder < 0) {
      remainder += denominator;
      quotient -= 1;
    }
    if (!CheckedAdd(quotient_sum, quotient, quotient_sum)) {
      return absl::OutOfRangeError("mean overflows int128");
    }
    fractions.Add(static_cast<uint64_t>(remainder),
                  static_cast<uint64_t>(denominator));
  }
  const auto [fraction_floor, exact] = fractions.FloorAndExact();
  int128 floor = 0;
  if (!CheckedAdd(quotient_sum, static_cast<int128>(fraction_floor), floor)) {
    return absl::OutOfRangeError("mean overflows int128");
  }
  // Truncate towards zero: for a negative non-integer, floor + 1.
  const int128 truncated = !exact && floor < 0 ? floor + 1 : floor;
  if (truncated > kInt64Max || truncated < kInt64Min) {
    return absl::OutOfRangeError("mean does not fit int64 at 10^12 scale");
  }
  return MeanResult(Ratio{.numerator = static_cast<int64_t>(truncated),
                          .denominator = weight_sum * kMeanScale},
                    /*inexact=*/!exact);
}

struct PublishedFigure {
  std::string text;  // normalised to what Render* produces
  int decimals = 0;
};

absl::StatusOr<PublishedFigure> ParsePublished(std::string_view published,
                                               RenderScale scale) {
  const auto malformed = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a published figure: \"", std::string(published), "\""));
  };
  std::string_view rest = published;
  PublishedFigure figure;
  if (scale == RenderScale::kPercent && !rest.empty() && rest.back() == '%') {
    rest.remove_suffix(1);
  }
  if (!rest.empty() && rest.front() == '-') {
    figure.text.push_back('-');
    rest.remove_prefix(1);
  }
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  const size_t integer_end =
      std::find_if_not(rest.begin(), rest.end(), is_digit) - rest.begin();
  if (integer_end == 0) return malformed();
  figure.text.append(rest.substr(0, integer_end));
  rest.remove_prefix(integer_end);
  if (!rest.empty()) {
    if (rest.front() != '.' && rest.front() != ',') return malformed();
    rest.remove_prefix(1);
    if (rest.empty() || !std::all_of(rest.begin(), rest.end(), is_digit)) {
      return malformed();
    }
    if (rest.size() > static_cast<size_t>(kMaxDecimals)) {
      return absl::InvalidArgumentError(
          absl::StrCat("published figure \"", std::string(published),
                       "\" has more than ", kMaxDecimals, " decimals"));
    }
    figure.text.push_back('.');
    figure.text.append(rest);
    figure.decimals = static_cast<int>(rest.size());
  }
  return figure;
}

constexpr RoundingMode kAllModes[] = {
    RoundingMode::kHalfUp, RoundingMode::kHalfEven, RoundingMode::kTruncate};

template <typename Value>
absl::StatusOr<std::vector<RoundingMode>> ModesReproducing(
    const Value& value, std::string_view published, RenderScale scale) {
  absl::StatusOr<PublishedFigure> figure = ParsePublished(published, scale);
  if (!figure.ok()) return figure.status();
  std::vector<RoundingMode> modes;
  for (RoundingMode mode : kAllModes) {
    absl::StatusOr<std::string> text =
        Render(value, scale, mode, figure->decimals);
    if (!text.ok()) return text.status();
    if (*text == figure->text) modes.push_back(mode);
  }
  return modes;
}

}  // namespace

std::string_view RoundingModeName(RoundingMode mode) {
  switch (mode) {
    case RoundingMode::kHalfUp:
      return "half_up";
    case RoundingMode::kHalfEven:
      return "half_even";
    case RoundingMode::kTruncate:
      return "truncate";
  }
  return "unknown";
}

absl::StatusOr<std::string> Render(Ratio ratio, RenderScale scale,
                                   RoundingMode mode, int decimals) {
  return RenderMagnitudes(ratio.numerator, ratio.denominator, scale, mode,
                          decimals, /*sticky=*/false);
}

absl::StatusOr<std::string> Render(const MeanResult& mean, RenderScale scale,
                                   RoundingMode mode, int decimals) {
  return RenderMean(mean, scale, mode, decimals);
}

absl::StatusOr<std::string> RenderPercent(Ratio ratio, RoundingMode mode,
                                          int decimals) {
  return Render(ratio, RenderScale::kPercent, mode, decimals);
}

absl::StatusOr<std::string> RenderFraction(Ratio ratio, RoundingMode mode,
                                           int decimals) {
  return Render(ratio, RenderScale::kFraction, mode, decimals);
}

absl::StatusOr<std::string> RenderPercent(const MeanResult& mean,
                                          RoundingMode mode, int decimals) {
  return Render(mean, RenderScale::kPercent, mode, decimals);
}

absl::StatusOr<std::string> RenderFraction(const MeanResult& mean,
                                           RoundingMode mode, int decimals) {
  return Render(mean, RenderScale::kFraction, mode, decimals);
}

absl::StatusOr<Ratio> SumOfParts(std::span<const Ratio> parts) {
  Ratio sum;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Ratio& part = parts[i];
    if (part.denominator < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "part ", i, " has a negative denominator: ", part.denominator));
    }
    if (__builtin_add_overflow(sum.numerator, part.numerator, &sum.numerator) ||
        __builtin_add_overflow(sum.denominator, part.denominator,
                               &sum.denominator)) {
      return absl::OutOfRangeError(
          absl::StrCat("sum of parts overflows int64 at part ", i));
    }
  }
  return sum;
}

absl::StatusOr<MeanResult> MeanOfRatios(std::span<const Ratio> ratios) {
  const std::vector<int64_t> ones(ratios.size(), 1);
  return MeanOf(ratios, ones);
}

absl::StatusOr<MeanResult> WeightedMean(std::span<const Ratio> ratios,
                                        std::span<const int64_t> weights) {
  if (ratios.size() != weights.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        ratios.size(), " ratios but ", weights.size(), " weights"));
  }
  return MeanOf(ratios, weights);
}

absl::StatusOr<std::vector<RoundingMode>> ReproducingModes(
    Ratio ratio, std::string_view published, RenderScale scale) {
  return ModesReproducing(ratio, published, scale);
}

absl::StatusOr<std::vector<RoundingMode>> ReproducingModes(
    const MeanResult& mean, std::string_view published, RenderScale scale) {
  return ModesReproducing(mean, published, scale);
}

int CompareRatios(Ratio a, Ratio b) {
  const absl::int128 lhs = absl::int128(a.numerator) * b.denominator;
  const absl::int128 rhs = absl::int128(b.numerator) * a.denominator;
  return lhs < rhs ? -1 : (lhs > rhs ? 1 : 0);
}

}  // namespace nq57
