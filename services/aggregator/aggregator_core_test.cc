// AggregatorCore over a real (empty) store: a report says where its own
// figures stand, even when a source's consumer has moved on since the
// report's snapshot was taken.
#include "services/aggregator/aggregator_core.h"

#include "gtest/gtest.h"
#include "services/aggregator/rollup_engine.h"
#include "tests/support/temp_dir.h"

namespace nq57::aggregator {
namespace {

const std::string kSource = NQ57_SOURCE_DIR;

class AggregatorCoreTest : public nq57::testing::TempDirTest {
 protected:
  // A core over an empty store whose one source "criteria" is reported by
  // `freshness` as its consumer would see it.
  absl::StatusOr<v1::Report> ReportWith(v1::SourceFreshness freshness) {
    auto units = UnitRegistry::Load(kSource + "/deploy/config");
    if (!units.ok()) return units.status();
    units_ = std::move(*units);
    auto store = Store::Open(
        Path("db"), {.column_families = RollupEngine::ColumnFamilies()});
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    auto engine = RollupEngine::Create(
        store_.get(),
        {{.name = "criteria", .kind = "criteria", .address = "127.0.0.1:1"}});
    if (!engine.ok()) return engine.status();
    engine_ = std::move(*engine);
    auto labels = CriteriaLabels::LoadFromConfig(kSource + "/deploy/config");
    if (!labels.ok()) return labels.status();
    labels_ = std::move(*labels);
    builder_ = std::make_unique<ReportBuilder>(
        store_.get(), units_.get(), labels_.get(),
        std::vector<CatalogSection>{}, nullptr, ReportOptions{});
    AggregatorCore core(
        {.store = store_.get(),
         .engine = engine_.get(),
         .builder = builder_.get(),
         .units = units_.get(),
         .clock = &RealClock()},
        [freshness] { return std::vector<v1::SourceFreshness>{freshness}; });
    v1::GetReportRequest request;
    request.set_province("provinces/25");
    return core.GetReport(request);
  }

  std::unique_ptr<UnitRegistry> units_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RollupEngine> engine_;
  std::unique_ptr<CriteriaLabels> labels_;
  std::unique_ptr<ReportBuilder> builder_;
};

v1::SourceFreshness CaughtUpAt(uint64_t sequence) {
  v1::SourceFreshness f;
  f.set_source("criteria");
  f.set_serving(true);
  f.set_state(v1::CAUGHT_UP);
  f.set_applied_sequence(sequence);
  f.set_head_sequence(sequence);
  return f;
}

// The consumer applied up to 7 after the snapshot (which holds nothing of
// the source) was taken: the report must not claim 7, nor caught up.
TEST_F(AggregatorCoreTest, FreshnessIsTheSnapshotsNotTheConsumersLatest) {
  absl::StatusOr<v1::Report> report = ReportWith(CaughtUpAt(7));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->input_sequences().at("criteria"), 0u);
  ASSERT_EQ(report->freshness_size(), 1);
  const v1::SourceFreshness& f = report->freshness(0);
  EXPECT_EQ(f.applied_sequence(), 0u);
  EXPECT_EQ(f.head_sequence(), 7u);
  EXPECT_FALSE(f.serving());
  EXPECT_EQ(f.state(), v1::CATCHING_UP);
}

TEST_F(AggregatorCoreTest, FreshnessOfASnapshotAtTheHeadIsKept) {
  absl::StatusOr<v1::Report> report = ReportWith(CaughtUpAt(0));
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->freshness_size(), 1);
  EXPECT_TRUE(report->freshness(0).serving());
  EXPECT_EQ(report->freshness(0).state(), v1::CAUGHT_UP);
}

}  // namespace
}  // namespace nq57::aggregator
