// Units on the wire: conversions between the unit registry's types and
// nq57.common.v1.{UnitLevel, UnitRef}.
//
// Pure functions: thread-safe.
//
//   *response.mutable_unit() = UnitRefOf(*units->Find("provinces/25"));
//   std::optional<UnitLevel> level = FromProtoLevel(request.level());
#ifndef NQ57_COMMON_UNITS_UNIT_PROTO_H_
#define NQ57_COMMON_UNITS_UNIT_PROTO_H_

#include <optional>

#include "common/units/unit_registry.h"
#include "nq57/common/v1/unit.pb.h"

namespace nq57 {

common::v1::UnitLevel ToProtoLevel(UnitLevel level);
// nullopt for UNIT_LEVEL_UNSPECIFIED and unknown values.
std::optional<UnitLevel> FromProtoLevel(common::v1::UnitLevel level);
// name, level and display name.
common::v1::UnitRef UnitRefOf(const Unit& unit);

}  // namespace nq57

#endif  // NQ57_COMMON_UNITS_UNIT_PROTO_H_
