// Competition ranking of provinces ("1, 2, 2, 4").
//
// Values are compared exactly, as integer ratios (cross-multiplied), never
// as rounded percentages: 98.71% and 98.74% do not tie even though both
// print 98.7. Equal ratios share a rank, the next distinct value skips the
// tied places, and tied provinces are listed by province code. Provinces
// with nothing to divide by (denominator 0) are not ranked.
#ifndef NQ57_SERVICES_AGGREGATOR_RANKINGS_H_
#define NQ57_SERVICES_AGGREGATOR_RANKINGS_H_

#include <string>
#include <vector>

#include "common/ratio/ratio.h"
#include "nq57/aggregator/v1/aggregator.pb.h"

namespace nq57::aggregator {

inline constexpr char kTieRule[] =
    "competition ranking (1, 2, 2, 4) by exact ratio, higher is better; "
    "equal ratios share a rank and are listed by province code; provinces "
    "with no data are not ranked";

struct RankInput {
  std::string province;
  std::string province_name;
  common::v1::RenderedRatio value;
};

std::vector<v1::RankingEntry> CompetitionRanking(std::vector<RankInput> inputs);

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_RANKINGS_H_
