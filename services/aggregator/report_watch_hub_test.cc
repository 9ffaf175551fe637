// ReportWatchHub over a real store, engine and report builder: watchers see
// each change, a hundred watchers cost one build per commit group (not one
// each), a watcher that joins late gets the current report, a bad province
// ends its watchers with the build's error, and closing the log ends them
// all with UNAVAILABLE.
#include "services/aggregator/report_watch_hub.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nq57/criteria/v1/criteria.pb.h"
#include "services/aggregator/rollup_engine.h"
#include "tests/support/temp_dir.h"

namespace nq57::aggregator {
namespace {

const std::string kSource = NQ57_SOURCE_DIR;
constexpr char kCommune[] = "provinces/25/communes/07900";

// Records what the hub tells it; the latest report's completed count.
class FakeWatcher : public ReportWatchHub::Watcher {
 public:
  void OnSubscribed(std::shared_ptr<ReportWatchHub::Topic> topic) override {
    topic_ = std::move(topic);
  }
  void OnReport() override {
    auto [report, version] = topic_->Latest();
    if (report == nullptr) return;
    completed_ = report->criteria().total().value().ratio().numerator();
    version_ = version;
    reports_.fetch_add(1);
  }
  // Subscribes and reads the topic's current report, as a stream does.
  void Watch(ReportWatchHub& hub, const std::string& period) {
    hub.Subscribe("provinces/25", period, this);
    OnReport();
  }
  void OnClosed(const absl::Status& why) override {
    closed_code_ = static_cast<int>(why.code());
    closed_.Notify();
  }
  // Until the latest report shows `completed` (false after 30 s).
  bool AwaitCompleted(int64_t completed) const {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (completed_.load() != completed) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(2));
    }
    return true;
  }
  std::shared_ptr<ReportWatchHub::Topic> topic_;
  std::atomic<int64_t> completed_{-1};
  std::atomic<uint64_t> version_{0};
  std::atomic<int> reports_{0};
  std::atomic<int> closed_code_{-1};
  absl::Notification closed_;
};

class ReportWatchHubTest : public nq57::testing::TempDirTest {
 protected:
  void SetUp() override {
    units_ = std::move(*UnitRegistry::Load(kSource + "/deploy/config"));
    store_ = std::move(*Store::Open(
        Path("db"), {.column_families = RollupEngine::ColumnFamilies()}));
    engine_ = std::move(*RollupEngine::Create(
        store_.get(),
        {{.name = "criteria", .kind = "criteria", .address = "127.0.0.1:1"}}));
    labels_ =
        std::move(*CriteriaLabels::LoadFromConfig(kSource + "/deploy/config"));
    builder_ = std::make_unique<ReportBuilder>(
        store_.get(), units_.get(), labels_.get(),
        std::vector<CatalogSection>{}, nullptr, ReportOptions{});
    core_ = std::make_unique<AggregatorCore>(
        AggregatorCore::Parts{.store = store_.get(),
                              .engine = engine_.get(),
                              .builder = builder_.get(),
                              .units = units_.get(),
                              .clock = &RealClock()},
        [] { return std::vector<v1::SourceFreshness>{}; });
    hub_ = std::make_unique<ReportWatchHub>(&store_->change_log(), core_.get());
    // One criterion assigned to one commune, not yet done.
    criteria::v1::Criterion c;
    c.set_code("HUB-1");
    c.set_block(criteria::v1::PARTY);
    c.set_group(criteria::v1::DATA);
    c.set_state(criteria::v1::Criterion::ACTIVE);
    Append("criteria/HUB-1", c);
    Assign(false);
  }
  void TearDown() override {
    hub_.reset();
    core_.reset();
    builder_.reset();
    engine_.reset();
    store_.reset();
  }

  // The next source record, applied through the engine (one commit).
  void Append(const std::string& resource,
              const google::protobuf::Message& value) {
    changes::v1::ChangeBatch batch;
    changes::v1::ChangeRecord* r = batch.add_records();
    r->set_sequence(++source_head_);
    r->set_resource(resource);
    r->mutable_commit_time()->set_seconds(1759000000);
    r->mutable_new_value()->PackFrom(value);
    batch.set_head_sequence(source_head_);
    ASSERT_TRUE(engine_->ApplyBatch("criteria", batch).ok());
  }
  // The assignment, completed (in September 2025) or not.
  void Assign(bool completed) {
    criteria::v1::Assignment a;
    a.set_unit(kCommune);
    a.set_criterion("criteria/HUB-1");
    a.mutable_assign_time()->set_seconds(1756684800);
    a.set_state(completed ? criteria::v1::COMPLETED
                          : criteria::v1::IN_PROGRESS);
    if (completed) a.mutable_complete_time()->set_seconds(1759000000);
    Append(absl::StrCat(kCommune, "/assignments/HUB-1"), a);
  }

  std::unique_ptr<UnitRegistry> units_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RollupEngine> engine_;
  std::unique_ptr<CriteriaLabels> labels_;
  std::unique_ptr<ReportBuilder> builder_;
  std::unique_ptr<AggregatorCore> core_;
  std::unique_ptr<ReportWatchHub> hub_;
  uint64_t source_head_ = 0;
};

TEST_F(ReportWatchHubTest, WatchersSeeEveryChangeFromOneBuildPerCommit) {
  std::vector<std::unique_ptr<FakeWatcher>> watchers;
  for (int i = 0; i < 100; ++i) {
    watchers.push_back(std::make_unique<FakeWatcher>());
    watchers.back()->Watch(*hub_, "2025-10");
  }
  for (auto& w : watchers) ASSERT_TRUE(w->AwaitCompleted(0));
  const uint64_t builds_before = hub_->builds();
  constexpr int kCommits = 20;
  for (int i = 0; i < kCommits; ++i) Assign(i % 2 == 1);  // ends completed
  for (auto& w : watchers) ASSERT_TRUE(w->AwaitCompleted(1));
  // Not a passing state seen on the way: what stays is the final one.
  absl::SleepFor(absl::Milliseconds(300));
  for (auto& w : watchers) EXPECT_EQ(w->completed_.load(), 1);
  // Shared builds, coalesced: at most one per commit (plus the one in
  // flight and those the last subscriptions asked for), where a build per
  // watcher would have been 2,000.
  EXPECT_LE(hub_->builds() - builds_before, kCommits + 3u);
  for (auto& w : watchers) hub_->Unsubscribe(w->topic_, w.get());
}

TEST_F(ReportWatchHubTest, ALateWatcherGetsTheCurrentReport) {
  FakeWatcher first;
  first.Watch(*hub_, "2025-10");
  ASSERT_TRUE(first.AwaitCompleted(0));
  Assign(true);
  ASSERT_TRUE(first.AwaitCompleted(1));
  FakeWatcher late;
  hub_->Subscribe("provinces/25", "2025-10", &late);
  // The topic already has its report: the watcher reads it itself.
  auto [report, version] = late.topic_->Latest();
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(report->criteria().total().value().ratio().numerator(), 1);
  EXPECT_GT(version, 0u);
  hub_->Unsubscribe(first.topic_, &first);
  hub_->Unsubscribe(late.topic_, &late);
}

TEST_F(ReportWatchHubTest, ABadProvinceEndsItsWatchersWithTheBuildsError) {
  FakeWatcher bad;
  hub_->Subscribe("provinces/99", "", &bad);
  ASSERT_TRUE(bad.closed_.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_NE(bad.closed_code_.load(), 0);
  EXPECT_EQ(bad.reports_.load(), 0);
  hub_->Unsubscribe(bad.topic_, &bad);
}

TEST_F(ReportWatchHubTest, ClosingTheLogEndsEveryWatcherUnavailable) {
  FakeWatcher w;
  w.Watch(*hub_, "2025-10");
  ASSERT_TRUE(w.AwaitCompleted(0));
  store_->change_log().Close();
  ASSERT_TRUE(w.closed_.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(w.closed_code_.load(),
            static_cast<int>(absl::StatusCode::kUnavailable));
  FakeWatcher after;
  hub_->Subscribe("provinces/25", "2025-10", &after);
  EXPECT_TRUE(after.closed_.HasBeenNotified());
  hub_->Unsubscribe(w.topic_, &w);
  hub_->Unsubscribe(after.topic_, &after);
}

}  // namespace
}  // namespace nq57::aggregator
