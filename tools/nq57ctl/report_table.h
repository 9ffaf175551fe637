// The nq57 report as a table for people: `nq57ctl report --format=table`.
//
// One line per figure: the Vietnamese label with the English one beside,
// numerator / denominator, the percentage with its rounding mode and
// decimals, coverage (units reporting / expected), the status colour, and —
// for every figure the province published — the published text and the
// declared rounding modes that reproduce it, or FLAG when none does. Counts
// (stocks such as e-ID accounts and land parcels) follow their section.
//
// Pure functions; thread-safe.
#ifndef NQ57_TOOLS_NQ57CTL_REPORT_TABLE_H_
#define NQ57_TOOLS_NQ57CTL_REPORT_TABLE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "google/protobuf/map.h"
#include "nq57/aggregator/v1/aggregator.pb.h"
#include "nq57/common/v1/ratio.pb.h"

namespace nq57::ctl {

std::string FormatReportTable(const aggregator::v1::Report& report);

// 2565124 -> "2,565,124".
std::string GroupThousands(int64_t value);
// A ratio as printed: "2,663/2,696".
std::string RatioText(const common::v1::Ratio& ratio);
// A percentage as printed: "98.8%", or "—" when there is none (no data).
std::string PercentText(const common::v1::RenderedRatio& value);
// The input sequences a report or an explanation was made at, by source:
// "criteria #12, eidentity #3".
std::string InputSequencesText(
    const google::protobuf::Map<std::string, uint64_t>& sequences);
// HALF_UP -> "half-up".
std::string RoundingName(int mode);
// The published check of a figure, e.g. "98,7 = TRUNCATE" or
// "97,9 FLAG: no declared rounding reproduces it"; "" if not published.
std::string PublishedText(const aggregator::v1::Figure& figure);

}  // namespace nq57::ctl

#endif  // NQ57_TOOLS_NQ57CTL_REPORT_TABLE_H_
