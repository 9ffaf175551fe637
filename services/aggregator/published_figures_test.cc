// PublishedFigures: loading (versioned, duplicates refused), Find, and the
// reproduce check of a report figure against the published text.
#include "services/aggregator/published_figures.h"

#include <fstream>

#include "common/ratio/ratio_proto.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace nq57::aggregator {
namespace {

class PublishedFiguresTest : public nq57::testing::TempDirTest {
 protected:
  std::string Write(const std::string& text) {
    const std::string path = Path("figures.csv");
    std::ofstream(path) << text;
    return path;
  }
};

v1::Figure FigureOf(std::string id, int64_t numerator, int64_t denominator) {
  v1::Figure f;
  f.set_id(std::move(id));
  *f.mutable_value() =
      RenderRatio({numerator, denominator}, RoundingMode::kHalfUp, 1);
  return f;
}

TEST_F(PublishedFiguresTest, LoadsTheShippedFile) {
  auto published = PublishedFigures::Load(
      std::string(NQ57_SOURCE_DIR) + "/deploy/config/published/figures.csv");
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ((*published)->version(), "published-2025-10");
  const PublishedFigures::Entry* party =
      (*published)->Find("provinces/25", "2025-10", "criteria.block.PARTY");
  ASSERT_NE(party, nullptr);
  EXPECT_EQ(party->text, "98,7");
  EXPECT_EQ(party->note, "Party block 2663/2696");
  EXPECT_EQ(
      (*published)->Find("provinces/25", "2025-09", "criteria.block.PARTY"),
      nullptr);
  EXPECT_EQ(
      (*published)->Find("provinces/01", "2025-10", "criteria.block.PARTY"),
      nullptr);
}

TEST_F(PublishedFiguresTest, FindsByProvincePeriodAndFigure) {
  auto published = PublishedFigures::Load(
      Write("# version: test-1\n"
            "province,period,figure,text,note\n"
            "provinces/25,2025-10,criteria.total,\"98,2\",all\n"
            "provinces/25,2025-Q4,criteria.total,97.0,\n"));
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ((*published)->version(), "test-1");
  ASSERT_NE((*published)->Find("provinces/25", "2025-10", "criteria.total"),
            nullptr);
  EXPECT_EQ(
      (*published)->Find("provinces/25", "2025-Q4", "criteria.total")->text,
      "97.0");
  EXPECT_EQ((*published)->Find("provinces/25", "2025-11", "criteria.total"),
            nullptr);
}

TEST_F(PublishedFiguresTest, RefusesDuplicatesAndMissingColumns) {
  absl::StatusOr<std::unique_ptr<PublishedFigures>> dup =
      PublishedFigures::Load(Write("province,period,figure,text\n"
                                   "provinces/25,2025-10,criteria.total,1\n"
                                   "provinces/25,2025-10,criteria.total,2\n"));
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(dup.status().message().find(":3: duplicate figure"),
            std::string::npos)
      << dup.status();
  EXPECT_EQ(
      PublishedFigures::Load(Write("province,period,figure\n")).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(PublishedFiguresTest, ChecksWhichRoundingModesReproduceTheText) {
  auto published = PublishedFigures::Load(
      Write("province,period,figure,text,note\n"
            "provinces/25,2025-10,criteria.block.PARTY,\"98,7\",seed\n"
            "provinces/25,2025-10,criteria.block.COUNCIL,99.5,\n"
            "provinces/25,2025-10,criteria.block.FRONT,97.9,\n"
            "provinces/25,2025-10,criteria.total,n/a,words\n"));
  ASSERT_TRUE(published.ok()) << published.status();

  // 2663/2696 = 98.776...: only truncation prints 98,7.
  v1::Figure party = FigureOf("criteria.block.PARTY", 2663, 2696);
  CheckPublished(published->get(), "provinces/25", "2025-10", party);
  ASSERT_TRUE(party.has_published());
  EXPECT_EQ(party.published().text(), "98,7");
  EXPECT_EQ(party.published().note(), "seed");
  EXPECT_TRUE(party.published().reproduced());
  ASSERT_EQ(party.published().reproducing_modes_size(), 1);
  EXPECT_EQ(party.published().reproducing_modes(0), common::v1::TRUNCATE);

  v1::Figure council = FigureOf("criteria.block.COUNCIL", 2525, 2538);
  CheckPublished(published->get(), "provinces/25", "2025-10", council);
  EXPECT_TRUE(council.published().reproduced());
  EXPECT_EQ(council.published().reproducing_modes_size(), 2);

  // No declared mode prints 97.9 for 13537/13733: flagged.
  v1::Figure front = FigureOf("criteria.block.FRONT", 13537, 13733);
  CheckPublished(published->get(), "provinces/25", "2025-10", front);
  ASSERT_TRUE(front.has_published());
  EXPECT_FALSE(front.published().reproduced());
  EXPECT_EQ(front.published().reproducing_modes_size(), 0);

  // A text that is not a figure is noted, not an error.
  v1::Figure total = FigureOf("criteria.total", 1, 2);
  CheckPublished(published->get(), "provinces/25", "2025-10", total);
  EXPECT_FALSE(total.published().reproduced());
  EXPECT_NE(total.published().note().rfind("words (", 0), std::string::npos);

  // Nothing to divide by: text and note only.
  v1::Figure empty = FigureOf("criteria.block.PARTY", 0, 0);
  CheckPublished(published->get(), "provinces/25", "2025-10", empty);
  EXPECT_EQ(empty.published().text(), "98,7");
  EXPECT_FALSE(empty.published().reproduced());

  // Not published, or no file: untouched.
  v1::Figure other = FigureOf("criteria.block.GOVERNMENT", 1, 2);
  CheckPublished(published->get(), "provinces/25", "2025-10", other);
  EXPECT_FALSE(other.has_published());
  CheckPublished(nullptr, "provinces/25", "2025-10", party);
  EXPECT_EQ(party.published().text(), "98,7");
}

}  // namespace
}  // namespace nq57::aggregator
