#include "common/store/store.h"

#include <filesystem>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/store/item_store_test.h"
#include "gtest/gtest.h"
#include "nq57/testing/v1/probe.pb.h"

namespace nq57 {
namespace {

using changes::v1::ChangeKind;
using testing::v1::Entry;

using StoreTest = nq57::testing::ItemStoreTest;

TEST_F(StoreTest, CommitWritesDataAndChangeRecord) {
  auto r = store_->CommitAndWait(PutRequest("a", "1"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->last_sequence, 1u);
  EXPECT_EQ(r->response, "1");
  EXPECT_EQ(Value("a"), "1");
  auto records = store_->change_log().Read(1, 10);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  const auto& rec = (*records)[0];
  EXPECT_EQ(rec.sequence(), 1u);
  EXPECT_EQ(rec.resource(), "items/a");
  EXPECT_EQ(rec.kind(), ChangeKind::CREATED);
  EXPECT_EQ(rec.actor(), "test");
  Entry e;
  ASSERT_TRUE(rec.new_value().UnpackTo(&e));
  EXPECT_EQ(e.value(), "1");
  EXPECT_FALSE(rec.has_previous_value());

  ASSERT_TRUE(store_->CommitAndWait(PutRequest("a", "2")).ok());
  records = store_->change_log().Read(2, 10);
  ASSERT_EQ(records->size(), 1u);
  ASSERT_TRUE((*records)[0].previous_value().UnpackTo(&e));
  EXPECT_EQ(e.value(), "1");  // the delta carries the previous value
}

TEST_F(StoreTest, FailedWriteLeavesNeitherDataNorChangeRecord) {
  ASSERT_TRUE(store_->CommitAndWait(PutRequest("a", "1")).ok());
  store_->TEST_FailNextWrite();
  auto r = store_->CommitAndWait(PutRequest("b", "2", "req-b"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(Value("b"), std::nullopt);
  EXPECT_EQ(store_->change_log().head(), 1u);
  auto records = store_->change_log().Read(1, 10);
  EXPECT_EQ(records->size(), 1u);
  // The sequence is not burnt: the next commit gets 2, and the request id
  // was not recorded, so the retry really writes.
  r = store_->CommitAndWait(PutRequest("b", "2", "req-b"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->replayed);
  EXPECT_EQ(r->last_sequence, 2u);
  EXPECT_EQ(Value("b"), "2");
}

TEST_F(StoreTest, FailedApplyRollsBackOnlyThatRequest) {
  CommitRequest bad{.apply = [](Transaction& txn) -> absl::Status {
    EXPECT_TRUE(txn.Put("items", "half", "written").ok());
    Entry e;
    txn.RecordChange("items/half", ChangeKind::CREATED, &e, nullptr);
    return InvalidFieldError("value", "rejected after a partial write");
  }};
  // Queue good, bad, good so they are likely in one group.
  absl::BlockingCounter done(3);
  std::vector<absl::StatusOr<CommitResult>> results(3);
  store_->Commit(PutRequest("x", "1"), [&](auto r) {
    results[0] = std::move(r);
    done.DecrementCount();
  });
  store_->Commit(std::move(bad), [&](auto r) {
    results[1] = std::move(r);
    done.DecrementCount();
  });
  store_->Commit(PutRequest("y", "2"), [&](auto r) {
    results[2] = std::move(r);
    done.DecrementCount();
  });
  done.Wait();
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(Value("half"), std::nullopt);
  EXPECT_EQ(Value("x"), "1");
  EXPECT_EQ(Value("y"), "2");
  // Sequences stay dense: 1 and 2, no hole where the bad one was.
  auto records = store_->change_log().Read(1, 10);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].resource(), "items/x");
  EXPECT_EQ((*records)[1].resource(), "items/y");
  EXPECT_EQ(results[2]->last_sequence, 2u);
}

TEST_F(StoreTest, ReopenKeepsDataAndSequencesNeverRepeat) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        store_->CommitAndWait(PutRequest(absl::StrCat("k", i), "v")).ok());
  }
  Reopen();
  EXPECT_EQ(store_->change_log().head(), 5u);
  EXPECT_EQ(Value("k3"), "v");
  auto r = store_->CommitAndWait(PutRequest("k9", "v"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->last_sequence, 6u);
  Reopen();
  auto records = store_->change_log().Read(1, 100);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 6u);
  for (size_t i = 0; i < records->size(); ++i) {
    EXPECT_EQ((*records)[i].sequence(), i + 1);
  }
}

TEST_F(StoreTest, LogIdentityIsKeptWithTheDataAndNewOnlyWhenAsked) {
  const std::string first = store_->log_id();
  EXPECT_EQ(first.size(), 32u);
  EXPECT_EQ(first.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(store_->change_log().log_id(), first);
  ASSERT_TRUE(store_->CommitAndWait(PutRequest("k", "v")).ok());
  Reopen();
  EXPECT_EQ(store_->log_id(), first);
  // An operator declares the history is not a continuation: new identity,
  // same data and sequences.
  Reopen(/*new_log_identity=*/true);
  EXPECT_NE(store_->log_id(), first);
  EXPECT_EQ(store_->change_log().head(), 1u);
  const std::string second = store_->log_id();
  Reopen();
  EXPECT_EQ(store_->log_id(), second);
  // A wiped directory is a new log.
  store_.reset();
  std::filesystem::remove_all(Path("store"));
  Reopen();
  EXPECT_NE(store_->log_id(), second);
  EXPECT_NE(store_->log_id(), first);
  EXPECT_EQ(store_->change_log().head(), 0u);
}

TEST_F(StoreTest, IdempotentRetryReturnsFirstResponseAndWritesOnce) {
  auto first = store_->CommitAndWait(PutRequest("a", "1", "req-1"));
  ASSERT_TRUE(first.ok());
  auto retry = store_->CommitAndWait(PutRequest("a", "1", "req-1"));
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->response, first->response);
  EXPECT_EQ(retry->last_sequence, first->last_sequence);
  EXPECT_EQ(store_->change_log().head(), 1u);

  auto conflict = store_->CommitAndWait(PutRequest("a", "other", "req-1"));
  EXPECT_EQ(conflict.status().code(), absl::StatusCode::kAlreadyExists);

  Reopen();  // the idempotency record is durable too
  retry = store_->CommitAndWait(PutRequest("a", "1", "req-1"));
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->response, "1");
  EXPECT_EQ(store_->change_log().head(), 1u);
}

TEST_F(StoreTest, ConcurrentRetriesOfOneRequestWriteOnce) {
  constexpr int kThreads = 16;
  std::vector<std::thread> threads;
  std::atomic<int> replayed{0}, fresh{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto r = store_->CommitAndWait(PutRequest("a", "1", "same"));
      ASSERT_TRUE(r.ok());
      (r->replayed ? replayed : fresh)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fresh.load(), 1);
  EXPECT_EQ(replayed.load(), kThreads - 1);
  EXPECT_EQ(store_->change_log().head(), 1u);
}

TEST_F(StoreTest, ConcurrentCommittersGetDenseUniqueSequences) {
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        ASSERT_TRUE(
            store_->CommitAndWait(PutRequest(absl::StrCat(t, "-", i), "v"))
                .ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto records = store_->change_log().Read(1, 10000);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), size_t{kThreads * kPerThread});
  for (size_t i = 0; i < records->size(); ++i) {
    EXPECT_EQ((*records)[i].sequence(), i + 1);
  }
}

TEST_F(StoreTest, CountersAndHistory) {
  for (int delta : {3, 4, -7}) {
    ASSERT_TRUE(
        store_
            ->CommitAndWait(
                {.apply =
                     [delta](Transaction& txn) {
                       return txn.AddToCounter("items", "n", delta).status();
                     }})
            .ok());
  }
  EXPECT_EQ(Value("n"), std::nullopt);  // back at zero: deleted
  ASSERT_TRUE(store_->CommitAndWait(PutRequest("h", "1")).ok());
  ASSERT_TRUE(store_->CommitAndWait(PutRequest("other", "1")).ok());
  ASSERT_TRUE(store_->CommitAndWait(PutRequest("h", "2")).ok());
  auto history = store_->History("items/h");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].kind(), ChangeKind::CREATED);
  EXPECT_EQ((*history)[1].kind(), ChangeKind::UPDATED);
}

class StoreWithoutHistoryTest : public nq57::testing::ItemStoreTest {
 protected:
  StoreOptions Options() override {
    StoreOptions options = ItemStoreTest::Options();
    options.index_history = false;
    return options;
  }
};

TEST_F(StoreWithoutHistoryTest, TheLogIsWholeAndHistoryIsRefused) {
  ASSERT_TRUE(store_->CommitAndWait(PutRequest("h", "1")).ok());
  ASSERT_TRUE(store_->CommitAndWait(PutRequest("h", "2")).ok());
  auto records = store_->change_log().Read(1, 10);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[1].resource(), "items/h");
  EXPECT_EQ(store_->History("items/h").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(StoreTest, ACounterThatWouldOverflowIsRefusedAndNothingIsWritten) {
  auto add = [&](int64_t delta) {
    return store_->CommitAndWait(
        {.apply = [delta](Transaction& txn) -> absl::Status {
          RETURN_IF_ERROR(txn.Put("items", "marker", "x"));
          return txn.AddToCounter("items", "n", delta).status();
        }});
  };
  ASSERT_TRUE(add(INT64_MAX - 1).ok());
  auto overflow = add(2);
  EXPECT_EQ(overflow.status().code(), absl::StatusCode::kOutOfRange);
  ASSERT_TRUE(add(-(INT64_MAX - 1)).ok());
  EXPECT_EQ(Value("n"), std::nullopt);
}

TEST_F(StoreTest, ListPrefixPagesWithFilterAndRejectsForeignTokens) {
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(store_
                    ->CommitAndWait(PutRequest(absl::StrCat("p/", 100 + i),
                                               absl::StrCat(i % 2)))
                    .ok());
  }
  ASSERT_TRUE(store_->CommitAndWait(PutRequest("q/1", "1")).ok());
  std::vector<std::string> seen;
  std::string token;
  do {
    auto page = store_->ListPrefix(
        "items", "p/", token, 4,
        [](std::string_view, std::string_view v) { return v == "1"; });
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->entries.size(), 4u);
    for (auto& [k, v] : page->entries) seen.push_back(k);
    token = page->next_page_token;
  } while (!token.empty());
  ASSERT_EQ(seen.size(), 12u);
  EXPECT_EQ(seen.front(), "p/101");
  EXPECT_EQ(seen.back(), "p/123");

  auto first = store_->ListPrefix("items", "q/", "", 1);
  ASSERT_TRUE(first.ok());
  auto bad = store_->ListPrefix("items", "p/", "garbage!", 4);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  auto p_page = store_->ListPrefix("items", "p/", "", 1);
  auto foreign = store_->ListPrefix("items", "q/", p_page->next_page_token, 4);
  ASSERT_EQ(FieldViolationsOf(foreign.status()).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(foreign.status())[0].field, "page_token");
}

TEST_F(StoreTest, SnapshotIsStable) {
  ASSERT_TRUE(store_->CommitAndWait(PutRequest("a", "1")).ok());
  auto snap = store_->TakeSnapshot();
  ASSERT_TRUE(store_->CommitAndWait(PutRequest("a", "2")).ok());
  EXPECT_EQ(*store_->Get("items", "a", snap.get()), "1");
  EXPECT_EQ(Value("a"), "2");
}

TEST_F(StoreTest, CommitAfterCloseIsUnavailable) {
  store_->Close();
  auto r = store_->CommitAndWait(PutRequest("a", "1"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace nq57
