#include "common/csv/csv_reader.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "common/base/absl_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nq57 {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

CsvTable Parse(std::string_view text) {
  absl::StatusOr<CsvTable> table = CsvTable::ParseString(text, "test.csv");
  EXPECT_TRUE(table.ok()) << table.status();
  if (!table.ok()) {
    return *CsvTable::ParseString("empty\n", "empty.csv");
  }
  return *std::move(table);
}

// The message of a failed parse, or "" if it parsed.
std::string ParseError(std::string_view text) {
  absl::StatusOr<CsvTable> table = CsvTable::ParseString(text, "bad.csv");
  if (table.ok()) return "";
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(table.status().message());
}

TEST(CsvTableTest, ReadsHeaderRowsAndVersion) {
  const CsvTable table = Parse(
      "# version: units-2025-07-01\n"
      "# source: Statistics Office letter 1027/CTK-CSCL\n"
      "# A plain comment, no annotation.\n"
      "code,name,type\n"
      "07900,Việt Trì,phuong\n"
      "07894,Nông Trang,phuong\n");
  EXPECT_EQ(table.version(), "units-2025-07-01");
  EXPECT_EQ(table.Annotation("source"),
            "Statistics Office letter 1027/CTK-CSCL");
  EXPECT_EQ(table.Annotation("missing"), "");
  EXPECT_EQ(table.source(), "test.csv");
  EXPECT_EQ(table.header_line(), 4);
  EXPECT_THAT(table.columns(), ElementsAre("code", "name", "type"));
  ASSERT_EQ(table.rows().size(), 2u);
  const CsvRow& viet_tri = table.rows()[0];
  EXPECT_EQ(viet_tri.Get("code"), "07900");
  EXPECT_EQ(viet_tri.Get("name"), "Việt Trì");
  EXPECT_EQ(viet_tri.Get("type"), "phuong");
  EXPECT_EQ(viet_tri.Get("no_such_column"), "");
  EXPECT_EQ(viet_tri.line(), 5);
  EXPECT_EQ(table.rows()[1].line(), 6);
  EXPECT_THAT(table.rows()[1].fields(),
              ElementsAre("07894", "Nông Trang", "phuong"));
  EXPECT_TRUE(table.HasColumn("name"));
  EXPECT_FALSE(table.HasColumn("Name"));
}

TEST(CsvTableTest, NoVersion) {
  const CsvTable table = Parse("a\n1\n");
  EXPECT_EQ(table.version(), "");
  EXPECT_EQ(table.header_line(), 1);
}

TEST(CsvTableTest, QuotedFields) {
  const CsvTable table = Parse(
      "code,formed_from,note\n"
      "07900,\"các phường Tân Dân, Gia Cẩm\",\"say \"\"hi\"\"\"\n"
      "07894,\"line one\nline two\",\"\"\n"
      "07909,plain,\n");
  ASSERT_EQ(table.rows().size(), 3u);
  EXPECT_EQ(table.rows()[0].Get("formed_from"), "các phường Tân Dân, Gia Cẩm");
  EXPECT_EQ(table.rows()[0].Get("note"), "say \"hi\"");
  EXPECT_EQ(table.rows()[1].Get("formed_from"), "line one\nline two");
  EXPECT_EQ(table.rows()[1].Get("note"), "");
  EXPECT_EQ(table.rows()[1].line(), 3);
  // The record above spans lines 3 and 4.
  EXPECT_EQ(table.rows()[2].line(), 5);
  EXPECT_EQ(table.rows()[2].Get("note"), "");
}

TEST(CsvTableTest, CrlfBomBlankLinesAndNoFinalNewline) {
  const CsvTable table = Parse(
      "\xEF\xBB\xBF# version: 7\r\n"
      "\r\n"
      "a,b\r\n"
      "1,\"x\"\r\n"
      "\r\n"
      "2,y");
  EXPECT_EQ(table.version(), "7");
  EXPECT_EQ(table.header_line(), 3);
  ASSERT_EQ(table.rows().size(), 2u);
  EXPECT_THAT(table.rows()[0].fields(), ElementsAre("1", "x"));
  EXPECT_EQ(table.rows()[1].line(), 6);
  EXPECT_THAT(table.rows()[1].fields(), ElementsAre("2", "y"));
}

TEST(CsvTableTest, CarriageReturnInsideFieldIsData) {
  const CsvTable table = Parse("a,b\nx\r,y\n");
  EXPECT_THAT(table.rows()[0].fields(), ElementsAre("x\r", "y"));
}

TEST(CsvTableTest, HashAfterHeaderIsData) {
  const CsvTable table = Parse("a,b\n#1,2\n");
  ASSERT_EQ(table.rows().size(), 1u);
  EXPECT_EQ(table.rows()[0].Get("a"), "#1");
}

TEST(CsvTableTest, FieldsAreNotTrimmed) {
  const CsvTable table = Parse("a,b\n x , y\n");
  EXPECT_THAT(table.rows()[0].fields(), ElementsAre(" x ", " y"));
}

TEST(CsvTableTest, RowsOutliveTheirTable) {
  std::optional<CsvRow> row;
  {
    CsvTable table = Parse("code\n25\n");
    CsvTable moved = std::move(table);
    row = moved.rows()[0];
  }
  EXPECT_EQ(row->Get("code"), "25");
  EXPECT_EQ(row->Error("bad").message(), "test.csv:2: bad");
}

TEST(CsvTableTest, WrongFieldCountNamesFileAndLine) {
  EXPECT_EQ(ParseError("# version: 1\n"
                       "code,name,official_name,type,province_code\n"
                       "07900,Việt Trì,Phường Việt Trì,phuong,25\n"
                       "07894,Nông Trang,phuong,25\n"),
            "bad.csv:4: expected 5 fields, got 4");
  EXPECT_EQ(ParseError("a,b\n1,2,3\n"), "bad.csv:2: expected 2 fields, got 3");
  // The line is where the record starts.
  EXPECT_EQ(ParseError("a,b\n1,\"x\ny\"\n2\n"),
            "bad.csv:4: expected 2 fields, got 1");
}

// Malformed input and the exact error it gives ("" when it must parse): the
// message names the file and the line, so a reader can fix the row.
struct BadInput {
  std::string_view text;
  std::string_view error;
};

constexpr BadInput kQuoteErrors[] = {
    {"a,b\n1,2\n3,\"open\n4,5\n", "bad.csv:3: unterminated quoted field"},
    {"a,b\n1,x\"y\n", "bad.csv:2: quote inside an unquoted field"},
    {"a,b\n1,\"x\"y\n",
     "bad.csv:2: unexpected character after a closing quote"},
};

constexpr BadInput kHeaderErrors[] = {
    {"", "bad.csv:1: no header row"},
    {"# version: 1\n\n", "bad.csv:3: no header row"},
    {"a,,c\n", "bad.csv:1: column 2 has no name"},
    {"# x: 1\na,b,a\n", "bad.csv:2: column \"a\" appears twice"},
    {"# version: 1\n# version: 2\na\n",
     "bad.csv:2: annotation \"version\" repeated (first on line 1)"},
};

constexpr BadInput kUtf8Errors[] = {
    {"a\nok\n\xC3\x28\n", "bad.csv:3: invalid UTF-8"},
    {"a\n\xED\xA0\x80\n", "bad.csv:2: invalid UTF-8"},
    {"a\n\xC0\xAF\n", "bad.csv:2: invalid UTF-8"},
    {"a\n\xE1\xBB", "bad.csv:2: invalid UTF-8"},
    {"a\n\xF0\x9F\x98\x80\n", ""},  // U+1F600 is fine
};

void ExpectErrors(std::span<const BadInput> cases) {
  for (const BadInput& c : cases) {
    EXPECT_EQ(ParseError(c.text), c.error)
        << absl::CHexEscape(AbslView(c.text));
  }
}

TEST(CsvTableTest, QuoteErrors) { ExpectErrors(kQuoteErrors); }

TEST(CsvTableTest, HeaderErrors) { ExpectErrors(kHeaderErrors); }

TEST(CsvTableTest, InvalidUtf8NamesTheLine) { ExpectErrors(kUtf8Errors); }

TEST(CsvTableTest, RequireColumns) {
  const CsvTable table = Parse("# version: 1\ncode,name\n25,Phú Thọ\n");
  EXPECT_TRUE(table.RequireColumns({"code", "name"}).ok());
  const absl::Status missing = table.RequireColumns({"code", "type"});
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.message(), "test.csv:2: missing required column \"type\"");
}

TEST(CsvTableTest, ErrorHelpers) {
  const CsvTable table = Parse("a\n1\n");
  EXPECT_EQ(table.rows()[0].Error("unknown province").message(),
            "test.csv:2: unknown province");
  EXPECT_EQ(table.Error(1, "x").code(), absl::StatusCode::kInvalidArgument);
}

class CsvFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("csv_reader_test_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(CsvFileTest, ReadsFile) {
  const std::string path = Write("ok.csv", "# version: v1\ncode\n25\n");
  absl::StatusOr<CsvTable> table = CsvTable::ReadFile(path);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->source(), path);
  EXPECT_EQ(table->version(), "v1");
  EXPECT_EQ(table->rows()[0].Get("code"), "25");
}

TEST_F(CsvFileTest, ErrorsNameThePath) {
  const std::string path = Write("bad.csv", "a,b\n1\n");
  absl::StatusOr<CsvTable> table = CsvTable::ReadFile(path);
  EXPECT_EQ(table.status().message(), path + ":2: expected 2 fields, got 1");
}

TEST_F(CsvFileTest, MissingFile) {
  const std::string path = (dir_ / "absent.csv").string();
  absl::StatusOr<CsvTable> table = CsvTable::ReadFile(path);
  EXPECT_EQ(table.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(table.status().message(), HasSubstr(path));
}

TEST_F(CsvFileTest, DirectoryIsNotAFile) {
  absl::StatusOr<CsvTable> table = CsvTable::ReadFile(dir_.string());
  EXPECT_FALSE(table.ok());
  EXPECT_THAT(table.status().message(), HasSubstr(dir_.string()));
}

}  // namespace
}  // namespace nq57
