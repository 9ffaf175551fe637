#include "common/base/input_bounds.h"

#include <string>

#include "common/base/field_error.h"
#include "gtest/gtest.h"
#include "nq57/criteria/v1/criteria.pb.h"
#include "nq57/eidentity/v1/eidentity.pb.h"

namespace nq57 {
namespace {

using criteria::v1::BatchReportProgressRequest;
using criteria::v1::CreateCriterionRequest;
using eidentity::v1::ReportSnapshotRequest;

// The one violation of `status`, or a failure.
FieldViolation OnlyViolation(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  std::vector<FieldViolation> v = FieldViolationsOf(status);
  EXPECT_EQ(v.size(), 1u) << status;
  return v.empty() ? FieldViolation{} : v[0];
}

TEST(InputBoundsTest, OrdinaryRequestsPass) {
  CreateCriterionRequest create;
  create.set_request_id("create-1");
  create.mutable_criterion()->set_code("PT-GOV-DATA-001");
  create.mutable_criterion()->set_title(
      "Cơ sở dữ liệu đất đai được kết nối, chia sẻ");
  EXPECT_TRUE(CheckInputBounds(create).ok());
}

TEST(InputBoundsTest, AnOversizedNameIsRefusedWithoutBeingEchoed) {
  BatchReportProgressRequest batch;
  batch.add_items();
  batch.add_items()->set_assignment(std::string(100000, 'a'));
  const absl::Status status = CheckInputBounds(batch);
  const FieldViolation v = OnlyViolation(status);
  EXPECT_EQ(v.field, "items[1].assignment");
  EXPECT_EQ(v.description, "is 100000 bytes; at most 256");
  EXPECT_LT(status.ToString().size(), 1000u);
}

TEST(InputBoundsTest, LongTextHasItsOwnBound) {
  CreateCriterionRequest create;
  create.mutable_criterion()->set_title(std::string(1000, 't'));
  EXPECT_TRUE(CheckInputBounds(create).ok());
  create.mutable_criterion()->set_title(std::string(1025, 't'));
  EXPECT_EQ(OnlyViolation(CheckInputBounds(create)).field, "criterion.title");
}

TEST(InputBoundsTest, ControlCharactersAreRefusedOutsideNotes) {
  CreateCriterionRequest create;
  create.set_request_id(std::string("id\0x", 4));
  const FieldViolation v = OnlyViolation(CheckInputBounds(create));
  EXPECT_EQ(v.field, "request_id");
  EXPECT_EQ(v.description,
            "must not contain control characters (U+0000 at byte 2)");

  ReportSnapshotRequest report;
  report.mutable_snapshot()->set_correction_reason("line one\nline two");
  EXPECT_TRUE(CheckInputBounds(report).ok());
  report.mutable_snapshot()->set_source("vneid\n");
  EXPECT_EQ(OnlyViolation(CheckInputBounds(report)).field, "snapshot.source");
}

TEST(InputBoundsTest, MapsAndRepeatedFieldsAreCounted) {
  ReportSnapshotRequest report;
  auto& values = *report.mutable_snapshot()->mutable_values();
  for (int i = 0; i < 10000; ++i) values[absl::StrCat("m", i)].set_count(1);
  const absl::Status status = CheckInputBounds(report);
  const FieldViolation v = OnlyViolation(status);
  EXPECT_EQ(v.field, "snapshot.values");
  EXPECT_EQ(v.description, "has 10000 entries; at most 256");

  BatchReportProgressRequest batch;
  for (int i = 0; i < 1001; ++i) batch.add_items();
  EXPECT_EQ(OnlyViolation(CheckInputBounds(batch)).field, "items");
}

TEST(InputBoundsTest, MapKeysAreTextToo) {
  ReportSnapshotRequest report;
  (*report.mutable_snapshot()->mutable_values())[std::string(300, 'k')]
      .set_count(1);
  const FieldViolation v = OnlyViolation(CheckInputBounds(report));
  EXPECT_EQ(v.field.rfind("snapshot.values key \"kkk", 0), 0u) << v.field;
  EXPECT_EQ(v.description, "is 300 bytes; at most 256");
}

TEST(InputBoundsTest, ListsAtMostTwentyViolations) {
  BatchReportProgressRequest batch;
  for (int i = 0; i < 100; ++i) {
    batch.add_items()->set_assignment(std::string(300, 'a'));
  }
  const absl::Status status = CheckInputBounds(batch);
  EXPECT_EQ(FieldViolationsOf(status).size(), kMaxViolations);
  EXPECT_LT(status.ToString().size(), 4096u);
}

}  // namespace
}  // namespace nq57
