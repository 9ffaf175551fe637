#include "common/units/unit_proto.h"

namespace nq57 {

common::v1::UnitLevel ToProtoLevel(UnitLevel level) {
  switch (level) {
    case UnitLevel::kProvince:
      return common::v1::PROVINCE;
    case UnitLevel::kCommune:
      return common::v1::COMMUNE;
    case UnitLevel::kAgency:
      return common::v1::AGENCY;
  }
  return common::v1::UNIT_LEVEL_UNSPECIFIED;
}

std::optional<UnitLevel> FromProtoLevel(common::v1::UnitLevel level) {
  switch (level) {
    case common::v1::PROVINCE:
      return UnitLevel::kProvince;
    case common::v1::COMMUNE:
      return UnitLevel::kCommune;
    case common::v1::AGENCY:
      return UnitLevel::kAgency;
    default:
      return std::nullopt;
  }
}

common::v1::UnitRef UnitRefOf(const Unit& unit) {
  common::v1::UnitRef ref;
  ref.set_name(unit.name);
  ref.set_level(ToProtoLevel(unit.level));
  ref.set_display_name(unit.display_name);
  return ref;
}

}  // namespace nq57
