// The printed report: numbers, rounding, coverage and the published check.
#include "tools/nq57ctl/report_table.h"

#include "gtest/gtest.h"

namespace nq57::ctl {
namespace {

using aggregator::v1::Figure;

Figure Block(const std::string& id, int64_t num, int64_t den,
             const std::string& percent) {
  Figure f;
  f.set_id(id);
  f.set_label_vi("Khối Đảng");
  f.set_label_en("Party block");
  f.mutable_value()->mutable_ratio()->set_numerator(num);
  f.mutable_value()->mutable_ratio()->set_denominator(den);
  f.mutable_value()->set_percent(percent);
  f.mutable_value()->set_rounding(common::v1::HALF_UP);
  f.mutable_value()->set_decimals(1);
  f.mutable_coverage()->set_reported(163);
  f.mutable_coverage()->set_expected(163);
  return f;
}

TEST(ReportTableTest, GroupsThousands) {
  EXPECT_EQ(GroupThousands(0), "0");
  EXPECT_EQ(GroupThousands(885), "885");
  EXPECT_EQ(GroupThousands(2132), "2,132");
  EXPECT_EQ(GroupThousands(2565124), "2,565,124");
  EXPECT_EQ(GroupThousands(-1000), "-1,000");
}

TEST(ReportTableTest, PublishedFigureNamesTheModesOrFlags) {
  Figure party = Block("criteria.block.PARTY", 2663, 2696, "98.8");
  EXPECT_EQ(PublishedText(party), "");
  party.mutable_published()->set_text("98,7");
  party.mutable_published()->add_reproducing_modes(common::v1::TRUNCATE);
  party.mutable_published()->set_reproduced(true);
  EXPECT_EQ(PublishedText(party), "98,7 = truncate");
  Figure total = Block("criteria.total", 13537, 13733, "98.6");
  total.mutable_published()->set_text("97,9");
  EXPECT_EQ(PublishedText(total),
            "97,9 FLAG: no declared rounding reproduces it");
}

TEST(ReportTableTest, TablePrintsEveryPartOfAFigure) {
  aggregator::v1::Report report;
  report.set_province("provinces/25");
  report.set_province_name("Phú Thọ");
  report.set_period("2025-10");
  Figure party = Block("criteria.block.PARTY", 2663, 2696, "98.8");
  party.mutable_published()->set_text("98,7");
  party.mutable_published()->add_reproducing_modes(common::v1::TRUNCATE);
  party.mutable_published()->set_reproduced(true);
  *report.mutable_criteria()->add_blocks() = party;
  Figure total = Block("criteria.total", 13537, 13733, "98.6");
  total.set_label_vi("Cả 4 khối, cấp tỉnh và cấp xã");
  total.set_label_en("All four blocks, province and communes");
  total.mutable_published()->set_text("97,9");
  *report.mutable_criteria()->mutable_total() = total;
  const std::string table = FormatReportTable(report);
  EXPECT_NE(table.find("Phú Thọ (provinces/25)"), std::string::npos);
  EXPECT_NE(table.find("Khối Đảng · Party block"), std::string::npos);
  EXPECT_NE(table.find("2,663/2,696    98.8%  half-up 1dp  163/163"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("published 98,7 = truncate"), std::string::npos);
  // A long label gets a line of its own; the values follow on the next.
  EXPECT_NE(table.find("All four blocks, province and communes\n "),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("FLAG criteria.total: published 97,9, computed 98.6% "
                       "(13,537/13,733)"),
            std::string::npos)
      << table;
}

}  // namespace
}  // namespace nq57::ctl
