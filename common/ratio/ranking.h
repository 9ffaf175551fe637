// Competition ranking ("1, 2, 2, 4"): the one ranking rule of nq57, used by
// the public-service indicator lists and the aggregator's national rankings.
//
// Values are compared exactly, as integer ratios (CompareRatios), never as
// rounded percentages: 98.71% and 98.74% do not tie although both print
// 98.7. Equal ratios share a rank and the next distinct value skips the tied
// places; tied entries are listed by name. Entries with nothing to divide by
// (denominator <= 0) are not ranked: they get rank 0 and come last, by name.
// kCompetitionTieRule says this in words and goes into every response that
// carries ranks.
//
// Pure function: thread-safe.
//
//   std::vector<RankInput> in = {{{2663, 2696}, "provinces/25"},
//                                {{99, 100}, "provinces/01"}};
//   for (const RankPlace& p : CompetitionRanking(in, Better::kHigher)) {
//     // p.input indexes `in`; p.rank is 1, 2, ... (0 = not ranked)
//   }
#ifndef NQ57_COMMON_RATIO_RANKING_H_
#define NQ57_COMMON_RATIO_RANKING_H_

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "common/ratio/ratio.h"

namespace nq57 {

inline constexpr char kCompetitionTieRule[] =
    "competition ranking (1, 2, 2, 4) by exact ratio; equal ratios share a "
    "rank and are listed by name; entries with no data are not ranked";

enum class Better { kHigher, kLower };

struct RankInput {
  Ratio value;
  std::string_view name;  // the tie-break order; must outlive the call
};

struct RankPlace {
  size_t input = 0;  // index into the inputs
  int rank = 0;      // 1-based; 0 = not ranked (no data)
};

// Every input once, in ranked order.
std::vector<RankPlace> CompetitionRanking(std::span<const RankInput> inputs,
                                          Better better);

}  // namespace nq57

#endif  // NQ57_COMMON_RATIO_RANKING_H_
