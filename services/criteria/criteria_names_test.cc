// The criteria service's names and request rules on their own: parsing
// criterion and assignment names, "not in the future", the criterion field
// checks and the progress-report checks, each with the field it names.
#include "services/criteria/criteria_names.h"

#include <algorithm>

#include "common/base/field_error.h"
#include "common/time/proto_time.h"
#include "gtest/gtest.h"

namespace nq57::criteria {
namespace {

std::string FirstField(const absl::Status& status) {
  auto violations = FieldViolationsOf(status);
  return violations.empty() ? "" : violations[0].field;
}

constexpr char kCommune[] = "provinces/25/communes/07900";

TEST(CriteriaNamesTest, CriterionNamesRoundTrip) {
  EXPECT_EQ(CriterionName("GOV-DATA-001"), "criteria/GOV-DATA-001");
  auto code = CodeOfCriterionName("criteria/GOV-DATA-001", "name");
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, "GOV-DATA-001");
}

TEST(CriteriaNamesTest, BadCriterionNamesNameTheField) {
  for (const char* name :
       {"", "GOV-DATA-001", "criterion/GOV-DATA-001", "criteria/",
        "criteria/-leading-dash", "criteria/has space", "criteria/a/b"}) {
    auto code = CodeOfCriterionName(name, "criterion.name");
    EXPECT_EQ(code.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(FirstField(code.status()), "criterion.name") << name;
  }
  EXPECT_FALSE(
      CodeOfCriterionName(std::string("criteria/") + std::string(65, 'A'), "n")
          .ok());
  EXPECT_TRUE(
      CodeOfCriterionName(std::string("criteria/") + std::string(64, 'A'), "n")
          .ok());
}

TEST(CriteriaNamesTest, AssignmentNamesSplitAtTheLastInfix) {
  EXPECT_EQ(AssignmentNameOf(kCommune, "C1"),
            std::string(kCommune) + "/assignments/C1");
  auto name = ParseAssignmentName(AssignmentNameOf(kCommune, "C1"), "name");
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(name->unit, kCommune);
  EXPECT_EQ(name->code, "C1");
  // A unit whose name holds the infix still parses at the last one.
  name = ParseAssignmentName("a/assignments/b/assignments/C2", "name");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->unit, "a/assignments/b");
  EXPECT_EQ(name->code, "C2");
}

TEST(CriteriaNamesTest, BadAssignmentNamesNameTheField) {
  for (const char* name :
       {"", "provinces/25", "/assignments/C1", "provinces/25/assignments/",
        "provinces/25/assignments/-x"}) {
    auto parsed = ParseAssignmentName(name, "items[3].assignment");
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << name;
    EXPECT_EQ(FirstField(parsed.status()), "items[3].assignment") << name;
  }
}

TEST(CriteriaNamesTest, NotFutureAllowsTheClockSkew) {
  const absl::Time now = absl::FromUnixSeconds(1761152400);
  auto ok = ParseNotFuture(ToProtoTime(now + kClockSkew), "assign_time", now);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, now + kClockSkew);
  auto future = ParseNotFuture(ToProtoTime(now + kClockSkew + absl::Seconds(1)),
                               "assign_time", now);
  EXPECT_EQ(future.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FirstField(future.status()), "assign_time");
  google::protobuf::Timestamp negative;
  negative.set_seconds(-1);
  EXPECT_EQ(FirstField(ParseNotFuture(negative, "t", now).status()), "t");
}

TEST(CriteriaNamesTest, CriterionFieldChecks) {
  v1::Criterion c;
  c.set_code("C1");
  c.set_title("Tiêu chí");
  c.set_source(v1::PROVINCIAL_PLAN);
  c.set_block(v1::PARTY);
  c.set_group(v1::DATA);
  c.set_level(common::v1::COMMUNE);
  // A provincial plan needs its reference.
  auto s = CheckCriterionField(c, "source_reference", "criterion.x");
  EXPECT_EQ(FirstField(s), "criterion.x");
  c.set_source_reference("123/KH-UBND");
  for (std::string_view path : kCriterionFields) {
    EXPECT_TRUE(CheckCriterionField(c, path, path).ok()) << path;
  }
  c.set_title(std::string(1001, 'x'));
  EXPECT_FALSE(CheckCriterionField(c, "title", "title").ok());
  c.set_weight(-1);
  EXPECT_FALSE(CheckCriterionField(c, "weight", "weight").ok());
  c.mutable_deadline()->set_seconds(kMaxTimestampSeconds);
  EXPECT_EQ(FirstField(CheckCriterionField(c, "deadline", "criterion.d")),
            "criterion.d");
  c.set_level(common::v1::UNIT_LEVEL_UNSPECIFIED);
  EXPECT_FALSE(CheckCriterionField(c, "level", "level").ok());
  // Every mutable field is a settable one.
  for (std::string_view path : kMutableCriterionFields) {
    EXPECT_NE(std::find(kCriterionFields.begin(), kCriterionFields.end(), path),
              kCriterionFields.end())
        << path;
  }
}

class CheckReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto units = UnitRegistry::Load(NQ57_SOURCE_DIR "/deploy/config");
    ASSERT_TRUE(units.ok()) << units.status();
    units_ = units->release();
  }
  std::string Check(const v1::ProgressReport& r) {
    absl::Status s = CheckReport(r, *units_, now_);
    return s.ok() ? "ok" : FirstField(s);
  }
  v1::ProgressReport Good() const {
    v1::ProgressReport r;
    r.set_assignment(AssignmentNameOf(kCommune, "C1"));
    r.set_state(v1::COMPLETED);
    *r.mutable_complete_time() = ToProtoTime(now_ - absl::Hours(1));
    r.mutable_evidence()->set_link("https://example.gov.vn/doc");
    return r;
  }
  static const UnitRegistry* units_;
  const absl::Time now_ = absl::FromUnixSeconds(1761152400);
};

const UnitRegistry* CheckReportTest::units_ = nullptr;

TEST_F(CheckReportTest, EachRuleNamesItsField) {
  EXPECT_EQ(Check(Good()), "ok");
  v1::ProgressReport r = Good();
  r.set_assignment("provinces/25/communes/99999/assignments/C1");
  EXPECT_EQ(CheckReport(r, *units_, now_).code(), absl::StatusCode::kNotFound);
  r = Good();
  r.set_assignment("nonsense");
  EXPECT_EQ(Check(r), "assignment");
  r = Good();
  r.set_state(v1::PROGRESS_STATE_UNSPECIFIED);
  EXPECT_EQ(Check(r), "state");
  r = Good();
  r.clear_complete_time();
  EXPECT_EQ(Check(r), "complete_time");
  r = Good();
  *r.mutable_complete_time() = ToProtoTime(now_ + absl::Hours(1));
  EXPECT_EQ(Check(r), "complete_time");
  r = Good();
  r.set_state(v1::IN_PROGRESS);
  EXPECT_EQ(Check(r), "complete_time");
  r.clear_complete_time();
  EXPECT_EQ(Check(r), "ok");
  r = Good();
  r.mutable_evidence()->set_link("ftp://example/doc");
  EXPECT_EQ(Check(r), "evidence.link");
  r = Good();
  r.mutable_evidence()->set_link("https://" + std::string(2000, 'x'));
  EXPECT_EQ(Check(r), "evidence.link");
  r = Good();
  r.mutable_evidence()->set_document_number(std::string(201, 'x'));
  EXPECT_EQ(Check(r), "evidence.document_number");
  r = Good();
  r.set_reporter(std::string(201, 'x'));
  EXPECT_EQ(Check(r), "reporter");
  r = Good();
  r.set_note(std::string(2001, 'x'));
  EXPECT_EQ(Check(r), "note");
}

}  // namespace
}  // namespace nq57::criteria
