// CriteriaLabels: the shipped labels load in enum order with their version;
// a file missing, repeating or inventing a label is refused, naming the line.
#include "common/labels/criteria_labels.h"

#include "gtest/gtest.h"

namespace nq57 {
namespace {

constexpr char kHeader[] = "kind,id,label_vi,label_en,phrase_vi\n";

// A complete file, with `extra` rows appended and rows containing `drop`
// left out.
std::string Complete(const std::string& extra = "",
                     const std::string& drop = "\x01") {
  const std::string rows[] = {
      "total,ALL,Tất cả,All,",
      "level,PROVINCE,cấp tỉnh,province level,cấp tỉnh",
      "level,COMMUNE,cấp xã,commune level,cấp xã",
      "block,FRONT,Khối MTTQ,Fatherland Front block,khối MTTQ",
      "block,PARTY,Khối Đảng,Party block,khối Đảng",
      "block,COUNCIL,Khối HĐND,People's Council block,khối HĐND",
      "block,GOVERNMENT,Khối UBND,People's Committee block,khối UBND",
      "group,INSTITUTIONS,Nhóm Thể chế,Institutions,Thể chế",
      "group,DATA,Nhóm Dữ liệu,Data,Dữ liệu",
      "group,PLATFORMS,Nhóm Nền tảng,Platforms,Nền tảng",
      "group,TRAINING,Nhóm Bồi dưỡng tập huấn,Training,Bồi dưỡng tập huấn",
      "group,IMPLEMENTATION,Nhóm Tổ chức thực hiện,Implementation,Tổ chức",
      "group,DIRECTION,Nhóm Chỉ đạo,Direction,Chỉ đạo"};
  std::string out = std::string("# version: t-1\n") + kHeader;
  for (const std::string& row : rows) {
    if (row.find(drop) == std::string::npos) out += row + "\n";
  }
  return out + extra;
}

std::string ErrorOf(const std::string& text) {
  auto labels = CriteriaLabels::Parse(text, "labels.csv");
  EXPECT_FALSE(labels.ok());
  EXPECT_EQ(labels.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(labels.status().message());
}

TEST(CriteriaLabelsTest, LoadsTheShippedLabels) {
  auto labels = CriteriaLabels::LoadFromConfig(std::string(NQ57_SOURCE_DIR) +
                                               "/deploy/config");
  ASSERT_TRUE(labels.ok()) << labels.status();
  const CriteriaLabels& l = **labels;
  EXPECT_EQ(l.version(), "criteria-labels-2025-10");
  ASSERT_EQ(l.blocks().size(), 4u);
  EXPECT_EQ(l.blocks()[0].id, "PARTY");
  EXPECT_EQ(l.blocks()[0].vi, "Khối Đảng");
  EXPECT_EQ(l.blocks()[0].en, "Party block");
  EXPECT_EQ(l.blocks()[0].phrase, "khối Đảng");
  EXPECT_EQ(l.blocks()[3].id, "FRONT");
  ASSERT_EQ(l.groups().size(), 6u);
  EXPECT_EQ(l.groups()[0].id, "INSTITUTIONS");
  EXPECT_EQ(l.groups()[3].vi, "Nhóm Bồi dưỡng tập huấn");
  EXPECT_EQ(l.groups()[3].phrase, "Bồi dưỡng tập huấn");
  EXPECT_EQ(l.groups()[5].id, "DIRECTION");
  EXPECT_EQ(l.total().vi, "Cả 4 khối, cấp tỉnh và cấp xã");
  EXPECT_EQ(l.total().en, "All four blocks, province and communes");
  EXPECT_EQ(l.province_level().vi, "cấp tỉnh");
  EXPECT_EQ(l.commune_level().en, "commune level");
  ASSERT_NE(l.FindGroup("DATA"), nullptr);
  EXPECT_EQ(l.FindGroup("DATA")->en, "Data");
  EXPECT_EQ(l.FindBlock("DATA"), nullptr);
}

TEST(CriteriaLabelsTest, ListsInEnumOrderWhateverTheFileOrder) {
  auto labels = CriteriaLabels::Parse(Complete(), "labels.csv");
  ASSERT_TRUE(labels.ok()) << labels.status();
  EXPECT_EQ((*labels)->version(), "t-1");
  std::vector<std::string> ids;
  for (const CriteriaLabel& b : (*labels)->blocks()) ids.push_back(b.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"PARTY", "COUNCIL", "GOVERNMENT",
                                           "FRONT"}));
}

TEST(CriteriaLabelsTest, RefusesIncompleteOrUnknownLabels) {
  EXPECT_NE(ErrorOf(Complete().substr(Complete().find('\n') + 1))
                .find("missing \"# version"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Complete("", "block,COUNCIL")).find("no label for block"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Complete("", "level,COMMUNE")).find("COMMUNE"),
            std::string::npos);
  // Line 16: the first row after the 13 complete ones (2 header lines).
  EXPECT_NE(ErrorOf(Complete("block,PARTY,Khối,Party,khối\n"))
                .find("labels.csv:16: duplicate block \"PARTY\""),
            std::string::npos);
  EXPECT_NE(ErrorOf(Complete("block,ARMY,Khối,Army,khối\n"))
                .find("unknown block \"ARMY\""),
            std::string::npos);
  EXPECT_NE(ErrorOf(Complete("colour,RED,Đỏ,Red,\n")).find("unknown kind"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Complete("", "group,DATA") + "group,DATA,,Data,Dữ liệu\n")
                .find("must not be empty"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf(Complete("", "group,DATA") + "group,DATA,Nhóm Dữ liệu,Data,\n")
          .find("phrase_vi"),
      std::string::npos);
  EXPECT_NE(ErrorOf("# version: 1\nkind,id\n").find("label_vi"),
            std::string::npos);
}

}  // namespace
}  // namespace nq57
