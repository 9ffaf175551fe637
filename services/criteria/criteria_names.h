// Criteria names and request rules: the resource names of the criteria
// service ("criteria/{code}", "{unit}/assignments/{criterion_code}"), parsing
// them back, and every check of a request field that needs no stored state
// (a criterion's settable fields, a progress report, "not in the future").
//
// Errors are INVALID_ARGUMENT with a field violation naming the request
// field (e.g. "criterion.title", "complete_time"); callers prefix them for
// nested fields (PrefixFields). The rules that need the store (unknown
// criterion, level mismatch, retired) live where the commit applies.
//
// Pure functions and constants; CheckReport only reads the unit registry.
// Thread-safe.
//
//   ASSIGN_OR_RETURN(AssignmentName name,
//                    ParseAssignmentName(request.name(), "name"));
//   // name.unit == "provinces/25/communes/07900", name.code == "GOV-DATA-001"
#ifndef NQ57_SERVICES_CRITERIA_CRITERIA_NAMES_H_
#define NQ57_SERVICES_CRITERIA_CRITERIA_NAMES_H_

#include <array>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/units/unit_registry.h"
#include "google/protobuf/timestamp.pb.h"
#include "nq57/criteria/v1/criteria.pb.h"

namespace nq57::criteria {

inline constexpr std::string_view kCriteriaPrefix = "criteria/";
inline constexpr std::string_view kAssignmentsInfix = "/assignments/";

// Reported completion and assignment times may run this far ahead of the
// server's clock.
inline constexpr absl::Duration kClockSkew = absl::Seconds(60);

// "criteria/{code}" -> code, checked against kCodeRule.
absl::StatusOr<std::string> CodeOfCriterionName(std::string_view name,
                                                std::string_view field);
std::string CriterionName(std::string_view code);

// "{unit}/assignments/{criterion_code}", split at the last infix.
struct AssignmentName {
  std::string unit;
  std::string code;
};
absl::StatusOr<AssignmentName> ParseAssignmentName(std::string_view name,
                                                   std::string_view field);
std::string AssignmentNameOf(std::string_view unit, std::string_view code);

// `t` as an instant, if it is an accepted timestamp no later than
// `now` + kClockSkew.
absl::StatusOr<absl::Time> ParseNotFuture(const google::protobuf::Timestamp& t,
                                          std::string_view field,
                                          absl::Time now);

// The fields of a criterion a client sets, in the order they are checked
// on create; and the ones UpdateCriterion may change.
inline constexpr std::array<std::string_view, 9> kCriterionFields = {
    "code",  "title",    "source", "source_reference", "block", "group",
    "level", "deadline", "weight"};
inline constexpr std::array<std::string_view, 5> kMutableCriterionFields = {
    "title", "source", "source_reference", "deadline", "weight"};

// Checks one settable field of `c` (`path` is one of kCriterionFields);
// `field` is its request path, named in the error.
absl::Status CheckCriterionField(const v1::Criterion& c, std::string_view path,
                                 std::string_view field);

// Checks a progress report on its own: its assignment names a known unit,
// its state, complete_time (required exactly when COMPLETED, not in the
// future), evidence and text lengths. Fields are relative to the report.
absl::Status CheckReport(const v1::ProgressReport& r, const UnitRegistry& units,
                         absl::Time now);

}  // namespace nq57::criteria

#endif  // NQ57_SERVICES_CRITERIA_CRITERIA_NAMES_H_
