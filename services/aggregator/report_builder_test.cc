// The report builder over a real (empty) store: every criteria figure keeps
// its id and its Vietnamese and English labels exactly (testdata golden).
#include "services/aggregator/report_builder.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/aggregator/rollup_engine.h"
#include "tests/support/temp_dir.h"

namespace nq57::aggregator {
namespace {

const std::string kSource = NQ57_SOURCE_DIR;
const std::string kGolden =
    kSource + "/services/aggregator/testdata/criteria_figures.golden";

class ReportBuilderTest : public nq57::testing::TempDirTest {};

std::string FigureLines(const v1::Report& r) {
  std::string out;
  auto line = [&](const v1::Figure& f) {
    absl::StrAppend(&out, f.id(), "|", f.label_vi(), "|", f.label_en(), "\n");
  };
  const auto& c = r.criteria();
  line(c.total());
  for (const auto* list :
       {&c.blocks(), &c.blocks_province_level(), &c.blocks_commune_level(),
        &c.groups(), &c.block_groups()}) {
    for (const v1::Figure& f : *list) line(f);
  }
  return out;
}

TEST_F(ReportBuilderTest, CriteriaLabelsRenderAsBefore) {
  auto units = UnitRegistry::Load(kSource + "/deploy/config");
  ASSERT_TRUE(units.ok()) << units.status();
  auto store = Store::Open(Path("db"),
                           {.column_families = RollupEngine::ColumnFamilies()});
  ASSERT_TRUE(store.ok()) << store.status();
  auto labels = CriteriaLabels::LoadFromConfig(kSource + "/deploy/config");
  ASSERT_TRUE(labels.ok()) << labels.status();
  ReportBuilder builder(store->get(), units->get(), labels->get(), {}, nullptr,
                        {});
  auto report = builder.Build("provinces/25", "2025-10",
                              absl::FromUnixSeconds(1761152400));
  ASSERT_TRUE(report.ok()) << report.status();
  const std::string lines = FigureLines(*report);
  if (std::getenv("NQ57_WRITE_GOLDEN") != nullptr) {
    std::ofstream(kGolden) << lines;
  }
  std::ifstream in(kGolden);
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(lines, golden.str());
  EXPECT_EQ(report->config_versions().at("labels"), (*labels)->version());
}

}  // namespace
}  // namespace nq57::aggregator
