// Evaluating catalogue indicators into published IndicatorValues.
//
// A service first aggregates its raw data into measure values by its own
// time rules (flows summed over the period, stocks at their latest value),
// per unit or as totals it maintains incrementally; Evaluate() then turns
// them into the integer ratio of an indicator with the aggregation method,
// rounding and decimals the catalogue declares, the colour of the threshold
// set in force, the coverage, the formula and the inputs.
//
//   EvaluationInput input{.totals = &province_totals,
//                         .coverage = MakeCoverage(expected, reported),
//                         .date = absl::CivilDay(2025, 10, 23)};
//   ASSIGN_OR_RETURN(common::v1::IndicatorValue v,
//                    Evaluate(*catalog, "DIGITISATION_RATE", input));
//
// Pure functions over their arguments: thread-safe.
#ifndef NQ57_COMMON_INDICATORS_INDICATOR_EVALUATOR_H_
#define NQ57_COMMON_INDICATORS_INDICATOR_EVALUATOR_H_

#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/indicators/indicator_catalog.h"
#include "nq57/common/v1/indicator.pb.h"

namespace nq57 {

// One unit's measure values.
struct UnitMeasures {
  std::string unit;
  MeasureValues values;
};

struct EvaluationInput {
  // Per-unit values of the units that reported. Needed for MEAN_OF_RATIOS
  // and WEIGHTED_MEAN; for RATIO_OF_SUMS they are summed unless `totals` is
  // given.
  std::span<const UnitMeasures> units;
  // Totals over all reporting units, when the caller maintains them (the
  // cheap path for RATIO_OF_SUMS at province scale). Not owned.
  const MeasureValues* totals = nullptr;
  common::v1::Coverage coverage;
  // The as-of date that selects the threshold set.
  absl::CivilDay date;
};

// Evaluates indicator `code`. NOT_FOUND for an unknown code;
// FAILED_PRECONDITION when a mean is asked for without per-unit values.
absl::StatusOr<common::v1::IndicatorValue> Evaluate(
    const IndicatorCatalog& catalog, std::string_view code,
    const EvaluationInput& input);

// Every indicator of the catalogue, in catalogue order.
absl::StatusOr<std::vector<common::v1::IndicatorValue>> EvaluateAll(
    const IndicatorCatalog& catalog, const EvaluationInput& input);

// Sums per-unit values into totals.
MeasureValues SumMeasures(std::span<const UnitMeasures> units);

// Coverage of `expected` units by `reported` ones; lists at most
// `max_missing` missing names (missing_count is always exact).
common::v1::Coverage MakeCoverage(
    std::span<const std::string> expected,
    const std::set<std::string, std::less<>>& reported,
    size_t max_missing = 200);

}  // namespace nq57

#endif  // NQ57_COMMON_INDICATORS_INDICATOR_EVALUATOR_H_
