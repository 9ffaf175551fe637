// CsvField and AppendCsvRow: quoted exactly where RFC 4180 requires it, and
// whatever they write CsvTable reads back field for field.
#include "common/csv/csv_writer.h"

#include <string>
#include <vector>

#include "common/csv/csv_reader.h"
#include "gtest/gtest.h"

namespace nq57 {
namespace {

TEST(CsvWriterTest, QuotesOnlyWhereNeeded) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("Phú Thọ"), "Phú Thọ");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
}

TEST(CsvWriterTest, AppendsOneRecordPerCall) {
  std::string out;
  AppendCsvRow(out, {"code", "title"});
  AppendCsvRow(out, {"P1", "Đất đai, nông nghiệp"});
  AppendCsvRow(out, {"", ""});
  EXPECT_EQ(out, "code,title\nP1,\"Đất đai, nông nghiệp\"\n,\n");
}

TEST(CsvWriterTest, RoundTripsThroughCsvTable) {
  const std::vector<std::vector<std::string>> rows = {
      {"P1", "plain", "1"},
      {"P2", "a, b", ""},
      {"P3", "say \"hi\"", "x\"y"},
      {"P4", "two\nlines", "three\r\nlines"},
      {"P5", "Khối \"Đảng\", cấp xã", ","}};
  std::string out = "# version: t-1\n";
  AppendCsvRow(out, {"code", "text", "extra"});
  for (const auto& r : rows) AppendCsvRow(out, {r[0], r[1], r[2]});
  auto table = CsvTable::ParseString(out, "written.csv");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->version(), "t-1");
  ASSERT_EQ(table->rows().size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(table->rows()[i].fields(), rows[i]) << "row " << i;
  }
}

}  // namespace
}  // namespace nq57
