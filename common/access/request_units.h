// The units a request names: every string field (at any depth, in repeated
// fields and map values too) whose value is a resource name under a unit,
// "provinces/NN[/communes/NNNNN | /agencies/ID][/...]", with the unit it
// names. The access gate checks each one against the caller's scopes, so a
// write is checked for every unit it touches without each service listing
// its unit fields. A request whose own `unit`, `parent` or `province` is
// empty (a oneof of them unset) asks about the whole country and names
// kWholeCountry under that field.
//
// Thread-safe (pure functions).
//
//   // items[0].assignment = "provinces/25/communes/07900/assignments/A1"
//   std::vector<UnitReference> refs = UnitsOf(request);
//   // {{"items[0].assignment", "provinces/25/communes/07900"}}
#ifndef NQ57_COMMON_ACCESS_REQUEST_UNITS_H_
#define NQ57_COMMON_ACCESS_REQUEST_UNITS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace nq57 {

// The unit a request names by leaving its own `unit`, `parent` or
// `province` field empty: the whole country. Only a "*" scope holds it.
inline constexpr char kWholeCountry[] = "*";

struct UnitReference {
  std::string field;  // "items[3].unit"
  std::string unit;   // "provinces/25/communes/07900"
};

// Bounds of the walk: a request deeper or with more references than this is
// refused (RESOURCE_EXHAUSTED), never checked partially.
inline constexpr int kMaxWalkDepth = 32;
inline constexpr size_t kMaxUnitReferences = 100000;

absl::StatusOr<std::vector<UnitReference>> UnitsOf(
    const google::protobuf::Message& request);

// The unit a resource name starting with "provinces/" names: its first two
// segments, plus the next two when they are communes/<id> or agencies/<id>.
// Empty for a name that does not start with "provinces/".
std::string UnitOfName(std::string_view name);

}  // namespace nq57

#endif  // NQ57_COMMON_ACCESS_REQUEST_UNITS_H_
