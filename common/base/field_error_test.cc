#include "common/base/field_error.h"

#include "gtest/gtest.h"

namespace nq57 {
namespace {

TEST(FieldErrorTest, SingleViolationNamesTheField) {
  absl::Status s = InvalidFieldError("activated", "must not exceed issued");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "activated: must not exceed issued");
  auto v = FieldViolationsOf(s);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "activated");
  EXPECT_EQ(v[0].description, "must not exceed issued");
}

TEST(FieldErrorTest, CollectsManyAndPrefixes) {
  FieldErrors errors;
  EXPECT_TRUE(errors.ToStatus().ok());
  errors.Add("unit", "unknown");
  errors.Add("period", "in the future");
  absl::Status s = PrefixFields(errors.ToStatus(), "items[7].");
  auto v = FieldViolationsOf(s);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].field, "items[7].unit");
  EXPECT_EQ(v[1].field, "items[7].period");
  EXPECT_EQ(s.message(), "items[7].unit: unknown (and 1 more field errors)");
}

TEST(FieldErrorTest, PrefixOnPlainErrorGoesToMessage) {
  absl::Status s =
      PrefixFields(absl::NotFoundError("no such unit"), "items[2]: ");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "items[2]: no such unit");
  EXPECT_TRUE(FieldViolationsOf(s).empty());
  // A path ending in a dot is not glued onto the message either, and the
  // error's details stay.
  absl::Status found = absl::NotFoundError("unknown unit");
  found.SetPayload("type.googleapis.com/google.rpc.ResourceInfo",
                   absl::Cord("x"));
  s = PrefixFields(found, "report.");
  EXPECT_EQ(s.message(), "report: unknown unit");
  EXPECT_TRUE(
      s.GetPayload("type.googleapis.com/google.rpc.ResourceInfo").has_value());
}

}  // namespace
}  // namespace nq57
