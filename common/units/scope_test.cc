#include "common/units/scope.h"

#include "common/units/unit_proto.h"
#include "gtest/gtest.h"

namespace nq57 {
namespace {

TEST(Scope, KeysNeverCollideAcrossKinds) {
  EXPECT_EQ(Scope::Unit("provinces/25").key(), "unit:provinces/25");
  EXPECT_EQ(Scope::Tree("provinces/25").key(), "tree:provinces/25");
  EXPECT_EQ(Scope::Country().key(), "tree:");
  EXPECT_FALSE(Scope::Unit("provinces/25") == Scope::Tree("provinces/25"));
}

TEST(Scope, AUnitCountsInItselfItsProvinceAndTheCountry) {
  const auto scopes = ScopesOf("provinces/25/communes/07900");
  EXPECT_EQ(scopes[0].key(), "unit:provinces/25/communes/07900");
  EXPECT_EQ(scopes[1].key(), "tree:provinces/25");
  EXPECT_EQ(scopes[1].kind(), Scope::Kind::kTree);
  EXPECT_EQ(scopes[1].unit(), "provinces/25");
  EXPECT_EQ(scopes[2].key(), "tree:");
  EXPECT_EQ(ScopesOf("provinces/25")[1].key(), "tree:provinces/25");
}

TEST(UnitProto, LevelsRoundTrip) {
  for (UnitLevel level :
       {UnitLevel::kProvince, UnitLevel::kCommune, UnitLevel::kAgency}) {
    EXPECT_EQ(FromProtoLevel(ToProtoLevel(level)), level);
  }
  EXPECT_FALSE(FromProtoLevel(common::v1::UNIT_LEVEL_UNSPECIFIED).has_value());
  Unit u{.name = "provinces/25", .code = "25", .display_name = "Phú Thọ"};
  common::v1::UnitRef ref = UnitRefOf(u);
  EXPECT_EQ(ref.name(), "provinces/25");
  EXPECT_EQ(ref.level(), common::v1::PROVINCE);
  EXPECT_EQ(ref.display_name(), "Phú Thọ");
}

}  // namespace
}  // namespace nq57
