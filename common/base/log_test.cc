#include "common/base/log.h"

#include "gtest/gtest.h"

namespace nq57 {
namespace {

TEST(LogTest, JsonLineEscapesAndTypesFields) {
  std::string line = FormatLogLine(LogFormat::kJson, "info", "rpc \"x\"",
                                   {{"method", "/a.B/C"},
                                    {"code", int64_t{3}},
                                    {"ok", false},
                                    {"note", "line\nbreak"}});
  EXPECT_EQ(line.front(), '{');
  EXPECT_EQ(line.back(), '}');
  EXPECT_NE(line.find("\"msg\":\"rpc \\\"x\\\"\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"method\":\"/a.B/C\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"code\":3"), std::string::npos) << line;
  EXPECT_NE(line.find("\"ok\":false"), std::string::npos) << line;
  EXPECT_NE(line.find("\"note\":\"line\\nbreak\""), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

// Every character JSON must escape, so the escape table cannot drift.
TEST(LogTest, JsonLineEscapesEveryControlCharacter) {
  std::string line = FormatLogLine(LogFormat::kJson, "info", "m",
                                   {{"v", "q\"b\\n\nr\rt\tc\x01."}});
  EXPECT_NE(line.find("\"v\":\"q\\\"b\\\\n\\nr\\rt\\tc\\u0001.\""),
            std::string::npos)
      << line;
}

TEST(LogTest, ParsesFormats) {
  LogFormat f;
  EXPECT_TRUE(ParseLogFormat("text", &f));
  EXPECT_EQ(f, LogFormat::kText);
  EXPECT_TRUE(ParseLogFormat("json", &f));
  EXPECT_FALSE(ParseLogFormat("xml", &f));
}

}  // namespace
}  // namespace nq57
