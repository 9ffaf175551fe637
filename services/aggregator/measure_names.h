// The names of the aggregator's measures and of the report's figure ids, in
// one place: the rollup adapters write measures under these names, and the
// report builder and the core read them back.
//
// Measures (see rollup_state.h for keys; all of them in "at:" buckets by
// effective time, point_in_time.h):
//   criteria.<level>.<BLOCK>.<GROUP>.assigned | .completed  per province
//   criteria.deadline.with_deadline | .on_time | .late      per province
//   criteria.deadline.open  per province, in "open:<deadline>|at:<t>" buckets
//   <source>.<code>         a catalogue measure, per province
//   <source>.unit.reported  per unit: its reports by effective time
//                           (coverage, staleness, explanations)
// where <level> is "province" (the province and its agencies) or "commune",
// and <source> is "criteria", "publicservice" or "eidentity".
//
// Pure functions and constants: thread-safe.
#ifndef NQ57_SERVICES_AGGREGATOR_MEASURE_NAMES_H_
#define NQ57_SERVICES_AGGREGATOR_MEASURE_NAMES_H_

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"

namespace nq57::aggregator::measures {

// Criteria levels, as they appear in measure names.
inline constexpr char kProvinceLevel[] = "province";
inline constexpr char kCommuneLevel[] = "commune";
// The two counts of a criteria cell.
inline constexpr char kAssigned[] = "assigned";
inline constexpr char kCompleted[] = "completed";

inline constexpr char kCriteriaSource[] = "criteria";
inline constexpr char kDeadlineWithDeadline[] =
    "criteria.deadline.with_deadline";
inline constexpr char kDeadlineOnTime[] = "criteria.deadline.on_time";
inline constexpr char kDeadlineLate[] = "criteria.deadline.late";
inline constexpr char kDeadlineOpen[] = "criteria.deadline.open";

// "criteria.<level>.<block>.<group>.<count>" (count: kAssigned, kCompleted).
inline std::string CriteriaCell(std::string_view level, std::string_view block,
                                std::string_view group,
                                std::string_view count) {
  return absl::StrCat("criteria.", AbslView(level), ".", AbslView(block), ".",
                      AbslView(group), ".", AbslView(count));
}

// "<source>.<code>": a measure of a source's indicator catalogue.
inline std::string SourceMeasure(std::string_view source,
                                 std::string_view code) {
  return absl::StrCat(AbslView(source), ".", AbslView(code));
}
inline std::string UnitReported(std::string_view source) {
  return SourceMeasure(source, "unit.reported");
}

// Figure ids of the report's criteria section.
inline constexpr char kCriteriaFigurePrefix[] = "criteria.";
inline constexpr char kTotalFigure[] = "criteria.total";
inline std::string BlockFigure(std::string_view block) {
  return absl::StrCat("criteria.block.", AbslView(block));
}
// "criteria.block.<block>.<level>_level".
inline std::string BlockLevelFigure(std::string_view block,
                                    std::string_view level) {
  return absl::StrCat("criteria.block.", AbslView(block), ".", AbslView(level),
                      "_level");
}
inline std::string GroupFigure(std::string_view group) {
  return absl::StrCat("criteria.group.", AbslView(group));
}
inline std::string BlockGroupFigure(std::string_view block,
                                    std::string_view group) {
  return absl::StrCat("criteria.block_group.", AbslView(block), ".",
                      AbslView(group));
}

}  // namespace nq57::aggregator::measures

#endif  // NQ57_SERVICES_AGGREGATOR_MEASURE_NAMES_H_
