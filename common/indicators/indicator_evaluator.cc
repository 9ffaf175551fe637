#include "common/indicators/indicator_evaluator.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "common/ratio/ratio_proto.h"

namespace nq57 {
namespace {

absl::StatusOr<int64_t> SumOf(
    const MeasureValues& values,
    const google::protobuf::RepeatedPtrField<std::string>& codes) {
  int64_t total = 0;
  for (const std::string& code : codes) {
    auto it = values.find(code);
    if (it == values.end()) continue;
    if (__builtin_add_overflow(total, it->second, &total)) {
      return absl::OutOfRangeError(absl::StrCat("sum of ", code, " overflows"));
    }
  }
  return total;
}

std::string Terms(
    const google::protobuf::RepeatedPtrField<std::string>& codes) {
  const std::string joined = absl::StrJoin(codes, " + ");
  return codes.size() > 1 ? absl::StrCat("(", joined, ")") : joined;
}

std::string MethodName(common::v1::AggregationMethod method) {
  switch (method) {
    case common::v1::MEAN_OF_RATIOS:
      return "mean of unit ratios";
    case common::v1::WEIGHTED_MEAN:
      return "weighted mean of unit ratios";
    default:
      return "ratio of sums";
  }
}

}  // namespace

MeasureValues SumMeasures(std::span<const UnitMeasures> units) {
  MeasureValues totals;
  for (const UnitMeasures& unit : units) {
    for (const auto& [code, value] : unit.values) totals[code] += value;
  }
  return totals;
}

common::v1::Coverage MakeCoverage(
    std::span<const std::string> expected,
    const std::set<std::string, std::less<>>& reported, size_t max_missing) {
  common::v1::Coverage out;
  out.set_expected(static_cast<int64_t>(expected.size()));
  int64_t reported_count = 0;
  for (const std::string& unit : expected) {
    if (reported.count(unit) > 0) {
      ++reported_count;
    } else {
      if (static_cast<size_t>(out.missing_size()) < max_missing) {
        out.add_missing(unit);
      }
      out.set_missing_count(out.missing_count() + 1);
    }
  }
  out.set_reported(reported_count);
  return out;
}

absl::StatusOr<common::v1::IndicatorValue> Evaluate(
    const IndicatorCatalog& catalog, std::string_view code,
    const EvaluationInput& input) {
  const config::v1::IndicatorDefinition* def = catalog.FindIndicator(code);
  if (def == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown indicator \"",
                                            AbslView(code), "\" in catalogue ",
                                            catalog.version()));
  }
  common::v1::IndicatorValue out;
  out.set_code(def->code());
  out.set_name_vi(def->name_vi());
  out.set_name_en(def->name_en());
  out.set_catalog_version(catalog.version());
  *out.mutable_coverage() = input.coverage;
  const RoundingMode mode = FromProto(def->rounding());
  const common::v1::AggregationMethod method =
      def->aggregation() == common::v1::AGGREGATION_METHOD_UNSPECIFIED
          ? common::v1::RATIO_OF_SUMS
          : def->aggregation();

  MeasureValues summed;
  const MeasureValues* totals = input.totals;
  if (totals == nullptr) {
    summed = SumMeasures(input.units);
    totals = &summed;
  }
  for (const auto* codes : {&def->numerator(), &def->denominator()}) {
    for (const std::string& m : *codes) {
      auto it = totals->find(m);
      (*out.mutable_inputs())[m] = it == totals->end() ? 0 : it->second;
    }
  }
  out.set_formula(absl::StrCat(
      Terms(def->numerator()), " / ", Terms(def->denominator()), ", ",
      MethodName(method), " over ", input.coverage.reported(), " of ",
      input.coverage.expected(), " units"));

  if (method == common::v1::RATIO_OF_SUMS) {
    ASSIGN_OR_RETURN(int64_t num, SumOf(*totals, def->numerator()));
    ASSIGN_OR_RETURN(int64_t den, SumOf(*totals, def->denominator()));
    *out.mutable_value() =
        RenderRatio({num, den}, mode, def->decimals(), method);
  } else {
    if (input.units.empty() && input.totals != nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("indicator ", def->code(), " is a ", MethodName(method),
                       " and needs per-unit values"));
    }
    std::vector<Ratio> ratios;
    std::vector<int64_t> weights;
    for (const UnitMeasures& unit : input.units) {
      ASSIGN_OR_RETURN(int64_t num, SumOf(unit.values, def->numerator()));
      ASSIGN_OR_RETURN(int64_t den, SumOf(unit.values, def->denominator()));
      if (den == 0) continue;  // a unit with nothing to divide by has no rate
      ratios.push_back({num, den});
      if (method == common::v1::WEIGHTED_MEAN) {
        auto w = unit.values.find(def->weight_measure());
        weights.push_back(w == unit.values.end() ? 0 : w->second);
      }
    }
    if (ratios.empty()) {
      *out.mutable_value() = RenderRatio({0, 0}, mode, def->decimals(), method);
    } else {
      absl::StatusOr<MeanResult> mean = method == common::v1::WEIGHTED_MEAN
                                            ? WeightedMean(ratios, weights)
                                            : MeanOfRatios(ratios);
      RETURN_IF_ERROR(mean.status());
      *out.mutable_value() = RenderMean(*mean, mode, def->decimals(), method);
    }
  }
  IndicatorCatalog::Colour colour =
      catalog.ColourOf(def->code(), out.value().ratio(), input.date);
  out.set_colour(colour.colour);
  out.set_threshold_version(colour.threshold_version);
  return out;
}

absl::StatusOr<std::vector<common::v1::IndicatorValue>> EvaluateAll(
    const IndicatorCatalog& catalog, const EvaluationInput& input) {
  std::vector<common::v1::IndicatorValue> out;
  for (const auto& def : catalog.config().indicators()) {
    ASSIGN_OR_RETURN(common::v1::IndicatorValue v,
                     Evaluate(catalog, def.code(), input));
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace nq57
