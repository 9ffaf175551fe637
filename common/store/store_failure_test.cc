// What a store does on a bad day: a full disk (writes refused with
// RESOURCE_EXHAUSTED, reads served, writes back by themselves), a damaged
// write-ahead log or table file (refused at open with DATA_LOSS, accepted
// only when the operator says so), damage met while serving (DATA_LOSS and
// health), and a full write queue.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/base/absl_view.h"
#include "common/store/acknowledged_mark.h"
#include "common/store/item_store_test.h"
#include "gtest/gtest.h"
#include "tests/support/full_disk_env.h"

namespace nq57 {
namespace {

namespace fs = std::filesystem;
using nq57::testing::FullDiskEnv;

constexpr char kRetryInfo[] = "type.googleapis.com/google.rpc.RetryInfo";

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// The largest file of `dir` whose name ends in `suffix` (".log", ".sst").
fs::path Largest(const std::string& dir, const std::string& suffix) {
  fs::path best;
  uintmax_t size = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        entry.file_size() >= size) {
      best = entry.path();
      size = entry.file_size();
    }
  }
  return best;
}

class StoreFailureTest : public nq57::testing::ItemStoreTest {
 protected:
  StoreOptions Options() override {
    StoreOptions options = ItemStoreTest::Options();
    options.env = disk_.env();
    return options;
  }
  absl::StatusOr<std::unique_ptr<Store>> OpenWith(StoreOptions options) {
    return Store::Open(Path("store"), options);
  }
  // Commits items k0..k<n-1>, each acknowledged.
  void Fill(int n) {
    for (int i = 0; i < n; ++i) {
      auto r = store_->CommitAndWait(PutRequest(
          absl::StrCat("k", i), std::string(200, 'v'), absl::StrCat("r", i)));
      ASSERT_TRUE(r.ok()) << r.status();
    }
  }

  // Flips one byte, at `fraction` of its length, of the largest file of the
  // store ending in `suffix`; returns the file's new bytes.
  std::string FlipLargest(const std::string& suffix, double fraction) {
    const fs::path file = Largest(Path("store"), suffix);
    EXPECT_FALSE(file.empty()) << "no " << suffix << " file";
    std::string bytes = ReadAll(file);
    if (bytes.empty()) return bytes;
    bytes[static_cast<size_t>(static_cast<double>(bytes.size()) * fraction)] ^=
        0x5a;
    WriteAll(file, bytes);
    return bytes;
  }
  // The open with `options` fails as damage whose message says `what`.
  void ExpectDamage(const StoreOptions& options, std::string_view what) {
    auto refused = OpenWith(options);
    ASSERT_FALSE(refused.ok());
    EXPECT_TRUE(IsDamage(refused.status())) << refused.status();
    EXPECT_NE(refused.status().message().find(AbslView(what)),
              absl::string_view::npos)
        << refused.status();
  }

  FullDiskEnv disk_;
};

TEST_F(StoreFailureTest, FullDiskRefusesWritesServesReadsAndRecovers) {
  ASSERT_TRUE(store_->CommitAndWait(PutRequest("a", "1")).ok());
  disk_.SetFull(true);
  auto refused = store_->CommitAndWait(PutRequest("b", "2", "req-b"));
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted)
      << refused.status();
  EXPECT_NE(refused.status().message().find("no space left"),
            absl::string_view::npos);
  EXPECT_TRUE(refused.status().GetPayload(kRetryInfo).has_value());
  EXPECT_EQ(store_->health().writes.code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(store_->health().data.ok());
  // Reads go on, and so do further refusals, without touching the disk.
  EXPECT_EQ(Value("a"), "1");
  EXPECT_EQ(store_->CommitAndWait(PutRequest("c", "3")).status().code(),
            absl::StatusCode::kResourceExhausted);

  disk_.SetFull(false);
  absl::StatusOr<CommitResult> retried;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  do {
    retried = store_->CommitAndWait(PutRequest("b", "2", "req-b"));
    if (!retried.ok()) absl::SleepFor(absl::Milliseconds(100));
  } while (!retried.ok() && absl::Now() < deadline);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_FALSE(retried->replayed);  // the refused attempt wrote nothing
  EXPECT_TRUE(store_->health().writes.ok());
  EXPECT_GE(store_->stats().resumes, 1u);

  Reopen();
  EXPECT_EQ(Value("a"), "1");
  EXPECT_EQ(Value("b"), "2");
  EXPECT_EQ(Value("c"), std::nullopt);
}

TEST_F(StoreFailureTest, HealthRecoversWithoutAClient) {
  disk_.SetFull(true);
  ASSERT_FALSE(store_->CommitAndWait(PutRequest("a", "1")).ok());
  disk_.SetFull(false);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!store_->health().writes.ok() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(store_->health().writes.ok()) << store_->health().writes;
}

TEST_F(StoreFailureTest, ClosesWhileTheDiskIsFull) {
  ASSERT_TRUE(store_->CommitAndWait(PutRequest("a", "1")).ok());
  disk_.SetFull(true);
  ASSERT_FALSE(store_->CommitAndWait(PutRequest("b", "2")).ok());
  store_.reset();  // RocksDB's own LOG file would abort here
  disk_.SetFull(false);
  Reopen();
  EXPECT_EQ(Value("a"), "1");
  EXPECT_EQ(Value("b"), std::nullopt);
}

TEST_F(StoreFailureTest, StartsReadOnlyWhenTheDiskIsFull) {
  ASSERT_NO_FATAL_FAILURE(Fill(20));
  store_.reset();
  disk_.SetFull(true);
  auto opened = OpenWith(Options());
  ASSERT_TRUE(opened.ok()) << opened.status();
  store_ = std::move(*opened);
  EXPECT_TRUE(store_->read_only());
  EXPECT_EQ(store_->health().writes.code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Value("k7"), std::string(200, 'v'));
  EXPECT_EQ(store_->CommitAndWait(PutRequest("x", "1")).status().code(),
            absl::StatusCode::kResourceExhausted);
  store_.reset();
  disk_.SetFull(false);
  Reopen();
  EXPECT_FALSE(store_->read_only());
  EXPECT_TRUE(store_->CommitAndWait(PutRequest("x", "1")).ok());
}

TEST_F(StoreFailureTest, FlippedWalByteIsRefusedAndLeftAsItWas) {
  ASSERT_NO_FATAL_FAILURE(Fill(50));
  const std::string log_id = store_->log_id();
  store_.reset();
  const std::string bytes = FlipLargest(".log", 0.5);
  ExpectDamage(Options(), "does not replay");
  ExpectDamage(Options(), "--accept_data_loss");
  // Nothing flushed, deleted or replaced.
  EXPECT_EQ(ReadAll(Largest(Path("store"), ".log")), bytes);

  StoreOptions accept = Options();
  accept.accept_data_loss = true;
  auto accepted = OpenWith(accept);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  store_ = std::move(*accepted);
  EXPECT_NE(store_->log_id(), log_id);  // consumers must rebuild
  EXPECT_LT(store_->change_log().head(), 50u);
  EXPECT_EQ(Value("k0"), std::string(200, 'v'));
  // Once accepted, the store is whole again: the next open needs no flag.
  ASSERT_TRUE(store_->CommitAndWait(PutRequest("after", "1")).ok());
  Reopen();
  EXPECT_EQ(Value("after"), "1");
}

TEST_F(StoreFailureTest, TruncatedWalIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Fill(50));
  store_.reset();
  const fs::path wal = Largest(Path("store"), ".log");
  const std::string bytes = ReadAll(wal);
  // Cut inside the last records: RocksDB alone would take it for a write
  // torn by a crash; the acknowledged mark says those writes were acked.
  WriteAll(wal, bytes.substr(0, bytes.size() - 700));
  ExpectDamage(Options(), "acknowledged");
}

TEST_F(StoreFailureTest, AnUnacknowledgedTornTailIsTolerated) {
  ASSERT_NO_FATAL_FAILURE(Fill(50));
  store_.reset();
  const fs::path wal = Largest(Path("store"), ".log");
  // What a crash in the middle of writing the next group leaves.
  WriteAll(wal, ReadAll(wal) + std::string("\x12\x34\x56\x78\x9a", 5));
  Reopen();
  EXPECT_EQ(store_->change_log().head(), 50u);
  EXPECT_EQ(Value("k49"), std::string(200, 'v'));
}

TEST_F(StoreFailureTest, FlippedTableFileIsRefusedAtOpen) {
  ASSERT_NO_FATAL_FAILURE(Fill(200));
  Reopen();  // recovery flushes the WAL into table files
  store_.reset();
  FlipLargest(".sst", 1.0 / 3);
  ExpectDamage(Options(), "table file");
}

TEST_F(StoreFailureTest, DamageMetWhileServingIsDataLossAndStays) {
  ASSERT_NO_FATAL_FAILURE(Fill(200));
  Reopen();
  store_.reset();
  for (const auto& entry : fs::directory_iterator(Path("store"))) {
    // Inside the first data block of every table file big enough to hold
    // data (the table's metadata comes after its data).
    if (entry.path().extension() != ".sst" || entry.file_size() < 4096) {
      continue;
    }
    std::string bytes = ReadAll(entry.path());
    bytes[64] ^= 0x5a;
    WriteAll(entry.path(), bytes);
  }
  StoreOptions unverified = Options();
  unverified.verify_on_open = false;
  auto opened = OpenWith(unverified);
  ASSERT_TRUE(opened.ok()) << opened.status();
  store_ = std::move(*opened);
  bool damaged = false;
  for (int i = 0; i < 200 && !damaged; ++i) {
    auto v = store_->Get("items", absl::StrCat("k", i));
    if (!v.ok()) {
      EXPECT_EQ(v.status().code(), absl::StatusCode::kDataLoss) << v.status();
      damaged = true;
    }
  }
  if (!damaged) {
    auto records = store_->change_log().Read(1, 200);
    EXPECT_EQ(records.status().code(), absl::StatusCode::kDataLoss);
    damaged = !records.ok();
  }
  ASSERT_TRUE(damaged) << "no read met the flipped byte";
  EXPECT_EQ(store_->health().data.code(), absl::StatusCode::kDataLoss);
  EXPECT_GE(store_->stats().damage, 1u);
}

TEST_F(StoreFailureTest, FullQueueIsRefusedAtOnce) {
  StoreOptions small = Options();
  small.max_queued = 1;
  store_.reset();
  auto opened = OpenWith(small);
  ASSERT_TRUE(opened.ok());
  store_ = std::move(*opened);
  absl::Notification inside, release;
  absl::Notification first_done, second_done;
  store_->Commit(CommitRequest{.apply =
                                   [&](Transaction&) {
                                     inside.Notify();
                                     release.WaitForNotification();
                                     return absl::OkStatus();
                                   }},
                 [&](absl::StatusOr<CommitResult>) { first_done.Notify(); });
  inside.WaitForNotification();  // the writer holds the first request
  store_->Commit(PutRequest("queued", "1"),
                 [&](absl::StatusOr<CommitResult> r) {
                   EXPECT_TRUE(r.ok()) << r.status();
                   second_done.Notify();
                 });
  auto refused = store_->CommitAndWait(PutRequest("refused", "1"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(refused.status().GetPayload(kRetryInfo).has_value());
  EXPECT_EQ(store_->stats().queue_full, 1u);
  release.Notify();
  first_done.WaitForNotification();
  second_done.WaitForNotification();
  EXPECT_EQ(Value("queued"), "1");
  EXPECT_EQ(Value("refused"), std::nullopt);
}

class AcknowledgedMarkTest : public nq57::testing::TempDirTest {};

TEST_F(AcknowledgedMarkTest, RoundTripsAndRecognisesDamage) {
  const std::string dir = Path("");
  EXPECT_EQ(AcknowledgedMark::Read(dir).value(), std::nullopt);
  ASSERT_TRUE(AcknowledgedMark::Write(dir, 12345).ok());
  EXPECT_EQ(AcknowledgedMark::Read(dir).value(), 12345u);
  {
    AcknowledgedMark mark(dir, 12345, absl::Milliseconds(1));
    mark.Advance(20000);
    mark.Advance(19999);  // never goes back
  }                       // Close writes the last value
  EXPECT_EQ(AcknowledgedMark::Read(dir).value(), 20000u);

  const fs::path file = fs::path(dir) / AcknowledgedMark::kFileName;
  std::string bytes = ReadAll(file);
  bytes[20] = bytes[20] == '9' ? '8' : '9';
  WriteAll(file, bytes);
  EXPECT_EQ(AcknowledgedMark::Read(dir).status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace nq57
