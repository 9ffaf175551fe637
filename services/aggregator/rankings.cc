#include "services/aggregator/rankings.h"

#include <algorithm>

#include "absl/numeric/int128.h"

namespace nq57::aggregator {
namespace {

// a > b as exact fractions (positive denominators).
int Compare(const common::v1::Ratio& a, const common::v1::Ratio& b) {
  const absl::int128 lhs = absl::int128(a.numerator()) * b.denominator();
  const absl::int128 rhs = absl::int128(b.numerator()) * a.denominator();
  return lhs < rhs ? -1 : lhs > rhs ? 1 : 0;
}

}  // namespace

std::vector<v1::RankingEntry> CompetitionRanking(
    std::vector<RankInput> inputs) {
  std::erase_if(inputs, [](const RankInput& in) {
    return in.value.ratio().denominator() <= 0;
  });
  std::sort(inputs.begin(), inputs.end(),
            [](const RankInput& a, const RankInput& b) {
              const int c = Compare(a.value.ratio(), b.value.ratio());
              if (c != 0) return c > 0;
              return a.province < b.province;
            });
  std::vector<v1::RankingEntry> out;
  for (size_t i = 0; i < inputs.size(); ++i) {
    v1::RankingEntry e;
    const bool tied_with_previous =
        i > 0 &&
        Compare(inputs[i].value.ratio(), inputs[i - 1].value.ratio()) == 0;
    e.set_rank(tied_with_previous ? out.back().rank()
                                  : static_cast<int32_t>(i + 1));
    e.set_province(inputs[i].province);
    e.set_province_name(inputs[i].province_name);
    *e.mutable_value() = inputs[i].value;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace nq57::aggregator
