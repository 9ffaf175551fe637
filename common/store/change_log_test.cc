#include "common/store/change_log.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/store/store.h"
#include "gtest/gtest.h"
#include "nq57/testing/v1/probe.pb.h"
#include "tests/support/store_test.h"

namespace nq57 {
namespace {

class ChangeLogTest : public nq57::testing::StoreTest {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(OpenStore({"items"})); }
  void TearDown() override { store_.reset(); }
  void Append(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(store_
                      ->CommitAndWait(
                          {.apply =
                               [](Transaction& txn) {
                                 testing::v1::Entry e;
                                 e.set_key("k");
                                 txn.RecordChange(
                                     "items/k",
                                     changes::v1::ChangeKind::UPDATED, &e, &e);
                                 return absl::OkStatus();
                               }})
                      .ok());
    }
  }
};

TEST_F(ChangeLogTest, ReadFromAnySequence) {
  Append(10);
  ChangeLog& log = store_->change_log();
  auto all = log.Read(0, 100);
  ASSERT_EQ(all->size(), 10u);
  auto tail = log.Read(7, 100);
  ASSERT_EQ(tail->size(), 4u);
  EXPECT_EQ((*tail)[0].sequence(), 7u);
  auto limited = log.Read(2, 3);
  ASSERT_EQ(limited->size(), 3u);
  EXPECT_EQ((*limited)[2].sequence(), 4u);
  EXPECT_TRUE(log.Read(11, 100)->empty());
  auto by_bytes = log.Read(1, 100, /*max_bytes=*/1);
  EXPECT_EQ(by_bytes->size(), 1u);  // at least one record
}

TEST_F(ChangeLogTest, WaiterRunsAfterTheCommitThatReachesItsSequence) {
  Append(2);
  ChangeLog& log = store_->change_log();
  EXPECT_EQ(log.WaitFor(2, [] { FAIL() << "must not run"; }), 0u);
  absl::Notification fired;
  uint64_t head_seen = 0;
  ChangeLog::WaitId id = log.WaitFor(4, [&] {
    head_seen = log.head();
    fired.Notify();
  });
  ASSERT_NE(id, 0u);
  Append(1);
  EXPECT_FALSE(fired.HasBeenNotified());
  Append(1);
  ASSERT_TRUE(fired.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(head_seen, 4u);
  EXPECT_FALSE(log.CancelWait(id));  // already ran
}

TEST_F(ChangeLogTest, CancelledWaiterNeverRuns) {
  ChangeLog& log = store_->change_log();
  ChangeLog::WaitId id = log.WaitFor(1, [] { FAIL() << "cancelled"; });
  EXPECT_TRUE(log.CancelWait(id));
  Append(1);
}

TEST_F(ChangeLogTest, CloseWakesWaitersAndStopsReads) {
  ChangeLog& log = store_->change_log();
  absl::Notification woke;
  ASSERT_NE(log.WaitFor(100, [&] { woke.Notify(); }), 0u);
  store_->Close();
  EXPECT_TRUE(woke.HasBeenNotified());
  EXPECT_EQ(log.Read(1, 1).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace nq57
