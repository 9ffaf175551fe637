#include "common/ratio/ratio_proto.h"

namespace nq57 {

common::v1::Ratio ToProto(Ratio ratio) {
  common::v1::Ratio out;
  out.set_numerator(ratio.numerator);
  out.set_denominator(ratio.denominator);
  return out;
}

Ratio FromProto(const common::v1::Ratio& ratio) {
  return Ratio{ratio.numerator(), ratio.denominator()};
}

common::v1::RoundingMode ToProto(RoundingMode mode) {
  switch (mode) {
    case RoundingMode::kHalfUp:
      return common::v1::HALF_UP;
    case RoundingMode::kHalfEven:
      return common::v1::HALF_EVEN;
    case RoundingMode::kTruncate:
      return common::v1::TRUNCATE;
  }
  return common::v1::HALF_UP;
}

RoundingMode FromProto(common::v1::RoundingMode mode) {
  switch (mode) {
    case common::v1::HALF_EVEN:
      return RoundingMode::kHalfEven;
    case common::v1::TRUNCATE:
      return RoundingMode::kTruncate;
    default:
      return RoundingMode::kHalfUp;
  }
}

namespace {

// RenderRatio and RenderMean fill the same fields; `value` is what
// RenderPercent formats (a Ratio or a MeanResult, which rounds differently).
template <typename Value>
common::v1::RenderedRatio Rendered(const Value& value, Ratio ratio,
                                   RoundingMode mode, int decimals,
                                   common::v1::AggregationMethod method) {
  common::v1::RenderedRatio out;
  *out.mutable_ratio() = ToProto(ratio);
  out.set_rounding(ToProto(mode));
  out.set_decimals(decimals);
  out.set_method(method);
  if (ratio.denominator != 0) {
    absl::StatusOr<std::string> text = RenderPercent(value, mode, decimals);
    if (text.ok()) out.set_percent(*text);
  }
  return out;
}

}  // namespace

common::v1::RenderedRatio RenderRatio(Ratio ratio, RoundingMode mode,
                                      int decimals,
                                      common::v1::AggregationMethod method) {
  return Rendered(ratio, ratio, mode, decimals, method);
}

common::v1::RenderedRatio RenderMean(const MeanResult& mean, RoundingMode mode,
                                     int decimals,
                                     common::v1::AggregationMethod method) {
  common::v1::RenderedRatio out =
      Rendered(mean, mean.value, mode, decimals, method);
  out.set_inexact(mean.inexact);
  return out;
}

}  // namespace nq57
