// Ratios on the wire: conversions between common/ratio and
// nq57.common.v1.{Ratio, RoundingMode, RenderedRatio}.
//
// Every service and the aggregator publish rates as RenderedRatio built here,
// so the integers, the text and the declared rounding always agree.
#ifndef NQ57_COMMON_RATIO_RATIO_PROTO_H_
#define NQ57_COMMON_RATIO_RATIO_PROTO_H_

#include "absl/status/statusor.h"
#include "common/ratio/ratio.h"
#include "nq57/common/v1/ratio.pb.h"

namespace nq57 {

common::v1::Ratio ToProto(Ratio ratio);
Ratio FromProto(const common::v1::Ratio& ratio);
common::v1::RoundingMode ToProto(RoundingMode mode);
// UNSPECIFIED maps to half-up, the convention of Vietnamese reports.
RoundingMode FromProto(common::v1::RoundingMode mode);

// The ratio rendered as a percentage with `decimals` digits. A zero
// denominator gives an empty `percent` (nothing to render), not an error.
common::v1::RenderedRatio RenderRatio(
    Ratio ratio, RoundingMode mode, int decimals,
    common::v1::AggregationMethod method = common::v1::RATIO_OF_SUMS);
common::v1::RenderedRatio RenderMean(const MeanResult& mean, RoundingMode mode,
                                     int decimals,
                                     common::v1::AggregationMethod method);

}  // namespace nq57

#endif  // NQ57_COMMON_RATIO_RATIO_PROTO_H_
