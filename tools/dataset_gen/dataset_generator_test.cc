// The committed datasets are exactly what the generator writes, and the Phú
// Thọ dataset holds the seed report's totals.
#include "tools/dataset_gen/dataset_generator.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/csv/csv_reader.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace nq57::dataset {
namespace {

const std::string kSource = NQ57_SOURCE_DIR;

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class DatasetGeneratorTest : public nq57::testing::TempDirTest {};

TEST_F(DatasetGeneratorTest, CommittedFilesAreWhatTheGeneratorWrites) {
  auto units = UnitRegistry::Load(kSource + "/deploy/config");
  ASSERT_TRUE(units.ok()) << units.status();
  const std::filesystem::path& out = dir();
  auto labels = CriteriaLabels::LoadFromConfig(kSource + "/deploy/config");
  ASSERT_TRUE(labels.ok()) << labels.status();
  ASSERT_TRUE(WriteDatasets(**units, **labels, {.out_dir = out.string()}).ok());
  for (const char* name : kDatasetNames) {
    const auto committed =
        std::filesystem::path(kSource) / "deploy/datasets" / name;
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(out / name)) {
      const auto file = entry.path().filename();
      SCOPED_TRACE(absl::StrCat(name, "/", file.string()));
      ASSERT_TRUE(std::filesystem::exists(committed / file));
      EXPECT_TRUE(ReadAll(entry.path()) == ReadAll(committed / file))
          << "regenerate: build/bin/nq57-dataset-gen --out_dir=deploy/datasets";
      EXPECT_LT(std::filesystem::file_size(committed / file), 2u << 20);
      ++files;
    }
    EXPECT_EQ(files, 7);
  }
}

TEST_F(DatasetGeneratorTest, PhuThoHasTheSeedTotals) {
  auto units = UnitRegistry::Load(kSource + "/deploy/config");
  ASSERT_TRUE(units.ok()) << units.status();
  auto labels = CriteriaLabels::LoadFromConfig(kSource + "/deploy/config");
  ASSERT_TRUE(labels.ok()) << labels.status();
  auto files = GeneratePhuTho(**units, **labels, 20251023);
  ASSERT_TRUE(files.ok()) << files.status();
  auto procedures = CsvTable::ParseString((*files)["procedures.csv"], "p");
  ASSERT_TRUE(procedures.ok());
  int full = 0, partial = 0;
  for (const CsvRow& row : procedures->rows()) {
    full += row.Get("online_level") == "FULL_PROCESS";
    partial += row.Get("online_level") == "PARTIAL";
  }
  EXPECT_EQ(procedures->rows().size(), 2132u);
  EXPECT_EQ(full, 885);
  EXPECT_EQ(partial, 1183);
  auto progress = CsvTable::ParseString((*files)["progress.csv"], "p");
  ASSERT_TRUE(progress.ok());
  int completed = 0;
  for (const CsvRow& row : progress->rows()) {
    completed += row.Get("state") == "COMPLETED";
  }
  EXPECT_EQ(completed, 2663 + 2525 + 4972 + 3377);
}

}  // namespace
}  // namespace nq57::dataset
