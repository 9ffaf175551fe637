#include "common/ratio/ranking.h"

#include <algorithm>

namespace nq57 {

std::vector<RankPlace> CompetitionRanking(std::span<const RankInput> inputs,
                                          Better better) {
  std::vector<RankPlace> out(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) out[i].input = i;
  auto has_data = [&](const RankPlace& p) {
    return inputs[p.input].value.denominator > 0;
  };
  std::sort(out.begin(), out.end(), [&](const RankPlace& a, const RankPlace& b) {
    const bool a_data = has_data(a), b_data = has_data(b);
    if (a_data != b_data) return a_data;
    if (a_data) {
      const int c = CompareRatios(inputs[a.input].value, inputs[b.input].value);
      if (c != 0) return better == Better::kHigher ? c > 0 : c < 0;
    }
    if (inputs[a.input].name != inputs[b.input].name) {
      return inputs[a.input].name < inputs[b.input].name;
    }
    return a.input < b.input;
  });
  for (size_t i = 0; i < out.size() && has_data(out[i]); ++i) {
    const bool tied =
        i > 0 && CompareRatios(inputs[out[i].input].value,
                               inputs[out[i - 1].input].value) == 0;
    out[i].rank = tied ? out[i - 1].rank : static_cast<int>(i + 1);
  }
  return out;
}

}  // namespace nq57
