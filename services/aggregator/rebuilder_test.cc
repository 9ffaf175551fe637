// The Rebuilder: a rebuild runs on the worker and reports its result and its
// duration by the injected clock; a second one while the first runs is
// refused with ABORTED.
#include "services/aggregator/rebuilder.h"

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "nq57/criteria/v1/criteria.pb.h"
#include "tests/support/temp_dir.h"

namespace nq57::aggregator {
namespace {

class RebuilderTest : public nq57::testing::TempDirTest {
 protected:
  void SetUp() override {
    store_ = std::move(*Store::Open(
        Path("db"), {.column_families = RollupEngine::ColumnFamilies()}));
    engine_ = std::move(*RollupEngine::Create(
        store_.get(), {{"criteria", "criteria", "unused"}}));
    // One criterion record applied incrementally, so a rebuild must read it.
    criteria::v1::Criterion c;
    c.set_code("C-1");
    c.set_block(criteria::v1::PARTY);
    c.set_group(criteria::v1::DATA);
    c.set_state(criteria::v1::Criterion::ACTIVE);
    record_.set_sequence(1);
    record_.set_resource("criteria/C-1");
    record_.mutable_new_value()->PackFrom(c);
    changes::v1::ChangeBatch batch;
    *batch.add_records() = record_;
    batch.set_head_sequence(1);
    ASSERT_TRUE(engine_->ApplyBatch("criteria", batch).ok());
  }

  // A feed reader that serves record_ once `release` is notified, and
  // advances the clock by 3 s as it reads.
  Rebuilder::ReaderFactory Readers(absl::Notification* entered,
                                   absl::Notification* release) {
    return [this, entered, release](absl::Time) {
      return FeedReader(
          [this, entered, release](const SourceSpec&, uint64_t,
                                   absl::FunctionRef<absl::StatusOr<bool>(
                                       const changes::v1::ChangeBatch&)>
                                       fn) -> absl::Status {
            if (!entered->HasBeenNotified()) entered->Notify();
            release->WaitForNotification();
            clock_.Advance(absl::Seconds(3));
            changes::v1::ChangeBatch batch;
            *batch.add_records() = record_;
            batch.set_head_sequence(1);
            return fn(batch).status();
          });
    };
  }

  ManualClock clock_{absl::FromUnixSeconds(1761152400)};
  std::unique_ptr<Store> store_;
  std::unique_ptr<RollupEngine> engine_;
  changes::v1::ChangeRecord record_;
};

// A completion callback that stores the rebuild's result in `out` and then
// notifies `done`.
auto Into(absl::StatusOr<v1::RebuildResponse>* out, absl::Notification* done) {
  return [out, done](absl::StatusOr<v1::RebuildResponse> r) {
    *out = std::move(r);
    done->Notify();
  };
}

TEST_F(RebuilderTest, RunsOnTheWorkerAndTimesWithTheClock) {
  absl::Notification entered, release, done;
  release.Notify();
  Rebuilder rebuilder(engine_.get(), Readers(&entered, &release), &clock_);
  absl::StatusOr<v1::RebuildResponse> result;
  ASSERT_TRUE(rebuilder.Start(Into(&result, &done)).ok());
  done.WaitForNotification();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->equal());
  EXPECT_EQ(result->rebuilt_to_sequence().at("criteria"), 1u);
  EXPECT_DOUBLE_EQ(result->seconds(), 3.0);
}

TEST_F(RebuilderTest, ASecondRebuildWhileOneRunsIsAborted) {
  absl::Notification entered, release, done;
  Rebuilder rebuilder(engine_.get(), Readers(&entered, &release), &clock_);
  absl::StatusOr<v1::RebuildResponse> first;
  ASSERT_TRUE(rebuilder.Start(Into(&first, &done)).ok());
  entered.WaitForNotification();
  EXPECT_TRUE(rebuilder.running());
  bool second_called = false;
  absl::Status second = rebuilder.Start(
      [&](absl::StatusOr<v1::RebuildResponse>) { second_called = true; });
  EXPECT_EQ(second.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(second.message(),
            "a rebuild is already running; retry when it finishes");

  release.Notify();
  done.WaitForNotification();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->equal());
  EXPECT_FALSE(second_called);
  // Once it has finished, the next one is accepted.
  absl::Notification again;
  EXPECT_TRUE(
      rebuilder
          .Start([&](absl::StatusOr<v1::RebuildResponse>) { again.Notify(); })
          .ok());
  again.WaitForNotification();
}

}  // namespace
}  // namespace nq57::aggregator
