#include "absl/time/civil_time.h"
#include "common/base/field_error.h"
#include "common/time/clock.h"
#include "common/time/months.h"
#include "common/time/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nq57 {
namespace {

using ::testing::ElementsAre;

std::string FieldOf(const absl::Status& s) {
  std::vector<FieldViolation> v = FieldViolationsOf(s);
  return v.empty() ? "" : v[0].field;
}

TEST(ManualClock, MovesOnlyWhenTold) {
  const absl::Time t0 = absl::FromUnixSeconds(1761152400);
  ManualClock clock(t0);
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(absl::Hours(1));
  EXPECT_EQ(clock.Now(), t0 + absl::Hours(1));
  clock.Set(t0);
  EXPECT_EQ(clock.Now(), t0);
}

TEST(RealClock, IsTheSystemClock) {
  const absl::Time before = absl::Now();
  const absl::Time now = RealClock().Now();
  EXPECT_GE(now, before);
  EXPECT_LE(now, absl::Now());
}

TEST(ProtoTime, RoundTripsInstants) {
  const absl::Time t = absl::FromUnixNanos(1761152400123456789);
  EXPECT_EQ(FromProtoTime(ToProtoTime(t)), t);
  EXPECT_EQ(UnixNanosOf(ToProtoTime(t)), 1761152400123456789);
  EXPECT_FALSE(IsSet(google::protobuf::Timestamp()));
  EXPECT_TRUE(IsSet(ToProtoTime(t)));
}

TEST(ProtoTime, AcceptsOnly1970To2200) {
  google::protobuf::Timestamp t;
  t.set_seconds(-1);
  EXPECT_EQ(FieldOf(CheckTimestamp(t, "as_of")), "as_of");
  t.set_seconds(kMaxTimestampSeconds);
  EXPECT_EQ(FieldOf(ParseTimestamp(t, "as_of").status()), "as_of");
  t.set_seconds(kMaxTimestampSeconds - 1);
  t.set_nanos(999'999'999);
  EXPECT_TRUE(ParseTimestamp(t, "as_of").ok());
  t.set_nanos(-1);
  EXPECT_FALSE(CheckTimestamp(t, "as_of").ok());
}

TEST(ProtoTime, DatesAreRealCalendarDays) {
  EXPECT_EQ(*ParseProtoDate(ToProtoDate(absl::CivilDay(2025, 10, 23)), "d"),
            absl::CivilDay(2025, 10, 23));
  common::v1::Date feb30;
  feb30.set_year(2025);
  feb30.set_month(2);
  feb30.set_day(30);
  EXPECT_EQ(FieldOf(ParseProtoDate(feb30, "as_of_date").status()),
            "as_of_date");
  EXPECT_FALSE(ParseProtoDate(ToProtoDate(absl::CivilDay(1999, 12, 31)), "d")
                   .ok());
  EXPECT_FALSE(IsSet(common::v1::Date()));
  EXPECT_TRUE(IsSet(feb30));
  EXPECT_EQ(DayNumber(absl::CivilDay(1970, 1, 2)), 1);
  EXPECT_EQ(DayOfNumber(DayNumber(absl::CivilDay(2025, 7, 1))),
            absl::CivilDay(2025, 7, 1));
}

TEST(Months, ParseAndFormat) {
  EXPECT_EQ(*ParseMonth("2025-10", "month"), absl::CivilMonth(2025, 10));
  for (const char* bad : {"2025-13", "2025-1", "1999-12", "2025/10", "+025-10",
                          "2025-+1", ""}) {
    EXPECT_EQ(FieldOf(ParseMonth(bad, "month").status()), "month") << bad;
  }
  EXPECT_EQ(FormatMonth(absl::CivilMonth(2025, 7)), "2025-07");
  EXPECT_EQ(MonthIndex(absl::CivilMonth(2025, 2)) -
                MonthIndex(absl::CivilMonth(2024, 12)),
            2u);
}

TEST(Months, MonthOfReadsVietnamTime) {
  // 2025-10-31T17:00:00Z is 2025-11-01 00:00 in Hà Nội.
  EXPECT_EQ(MonthOf(absl::FromCivil(absl::CivilSecond(2025, 10, 31, 17, 0, 0),
                                    absl::UTCTimeZone())),
            "2025-11");
}

TEST(PeriodMonths, MonthQuarterAndYear) {
  EXPECT_THAT(*PeriodMonths("2025-10"), ElementsAre("2025-10"));
  EXPECT_THAT(*PeriodMonths("2025-Q4"),
              ElementsAre("2025-10", "2025-11", "2025-12"));
  EXPECT_EQ(PeriodMonths("2025")->size(), 12u);
  EXPECT_EQ(PeriodMonths("2025")->front(), "2025-01");
}

TEST(PeriodMonths, RejectsOthersNamingTheField) {
  for (const char* bad : {"2025-Q5", "2025-Q0", "2025-00", "2025-13", "1999",
                          "2101", "25-10", "2025-10-01", "abcd", "+202",
                          "2025-+1"}) {
    EXPECT_EQ(FieldOf(PeriodMonths(bad).status()), "period") << bad;
  }
  EXPECT_EQ(FieldOf(PeriodMonths("x", "snapshot.period").status()),
            "snapshot.period");
  // The error quotes a bounded prefix of the value.
  const std::string huge(100000, '9');
  EXPECT_LT(PeriodMonths(huge).status().message().size(), 200u);
}

}  // namespace
}  // namespace nq57
