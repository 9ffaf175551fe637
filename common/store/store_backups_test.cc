// Backups of a real store while it takes writes, and restores of them: the
// restored store holds a consistent prefix of the history (a dense change
// log, data equal to the log's last values, idempotency records kept) at
// least up to where the backup began, under a new log identity.
#include "common/store/store_backups.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/store/item_store_test.h"
#include "gtest/gtest.h"
#include "nq57/testing/v1/probe.pb.h"

namespace nq57 {
namespace {

using testing::v1::Entry;

class StoreBackupsTest : public nq57::testing::ItemStoreTest {
 protected:
  std::string BackupDir() { return Path("backups"); }

  // Opens the restored store at `dir` and checks it against its own log:
  // sequences 1..head without gaps, and each key's value is the last one
  // the log recorded for it. Returns the head.
  uint64_t CheckConsistent(const std::string& dir) {
    auto restored = Store::Open(dir, {.column_families = {"items"}});
    EXPECT_TRUE(restored.ok()) << restored.status();
    if (!restored.ok()) return 0;
    const uint64_t head = (*restored)->change_log().head();
    std::map<std::string, std::string> last;
    uint64_t expected = 1;
    while (expected <= head) {
      auto records = (*restored)->change_log().Read(expected, 1000);
      EXPECT_TRUE(records.ok()) << records.status();
      if (!records.ok() || records->empty()) break;
      for (const changes::v1::ChangeRecord& r : *records) {
        EXPECT_EQ(r.sequence(), expected);
        ++expected;
        Entry e;
        EXPECT_TRUE(r.new_value().UnpackTo(&e));
        last[e.key()] = e.value();
      }
    }
    EXPECT_EQ(expected, head + 1);
    for (const auto& [key, value] : last) {
      auto got = (*restored)->Get("items", key);
      EXPECT_TRUE(got.ok() && got->has_value() && **got == value) << key;
    }
    return head;
  }
};

TEST_F(StoreBackupsTest, BackupWhileWritingRestoresAConsistentNewHistory) {
  ASSERT_TRUE(store_->CommitAndWait(PutRequest("a", "1", "req-a")).ok());
  std::atomic<bool> writing{true};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; writing.load(); ++i) {
      if (store_
              ->CommitAndWait(
                  PutRequest(absl::StrCat("k", i % 50), absl::StrCat(i)))
              .ok()) {
        ++written;
      }
    }
  });
  while (written.load() < 200) std::this_thread::yield();
  auto backup = StoreBackups::Create(*store_, {.dir = BackupDir()});
  while (written.load() < 400) std::this_thread::yield();
  writing = false;
  writer.join();
  ASSERT_TRUE(backup.ok()) << backup.status();
  EXPECT_EQ(backup->id, 1u);
  EXPECT_EQ(backup->log_id, store_->log_id());
  EXPECT_GE(backup->head_sequence, 201u);
  EXPECT_GT(backup->size_bytes, 0u);
  const uint64_t live_head = store_->change_log().head();

  auto restored = StoreBackups::Restore(BackupDir(), 0, Path("restored"));
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_GE(restored->restored_head, backup->head_sequence);
  EXPECT_LT(restored->restored_head, live_head);  // writes went on after it
  // A new history: a consumer that saw the original log must not continue.
  EXPECT_NE(restored->restored_log_id, store_->log_id());
  EXPECT_EQ(CheckConsistent(Path("restored")), restored->restored_head);
  EXPECT_FALSE(std::filesystem::exists(RestoringMarkerOf(Path("restored"))));

  // The idempotency record came along: a retry of req-a replays.
  store_.reset();
  auto again = Store::Open(Path("restored"), {.column_families = {"items"}});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->log_id(), restored->restored_log_id);  // kept from now
  auto retry = (*again)->CommitAndWait(PutRequest("a", "1", "req-a"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->replayed);
}

TEST_F(StoreBackupsTest, KeepsTheNewestAndRestoresAChosenOne) {
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(store_->CommitAndWait(PutRequest("k", absl::StrCat(i))).ok());
    auto b = StoreBackups::Create(*store_, {.dir = BackupDir(), .keep = 2});
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ(b->id, static_cast<uint32_t>(i));
  }
  auto listed = StoreBackups::List(BackupDir());
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, 2u);
  EXPECT_EQ((*listed)[0].head_sequence, 2u);
  EXPECT_EQ((*listed)[1].id, 3u);

  auto restored = StoreBackups::Restore(BackupDir(), 2, Path("two"));
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->restored_head, 2u);
  auto two = Store::Open(Path("two"), {.column_families = {"items"}});
  ASSERT_TRUE(two.ok()) << two.status();
  auto value = (*two)->Get("items", "k");
  ASSERT_TRUE(value.ok() && value->has_value());
  EXPECT_EQ(**value, "2");

  EXPECT_EQ(StoreBackups::Restore(BackupDir(), 1, Path("one")).status().code(),
            absl::StatusCode::kNotFound);  // purged
}

TEST_F(StoreBackupsTest, RestoreRefusesADirectoryThatIsNotEmpty) {
  ASSERT_TRUE(StoreBackups::Create(*store_, {.dir = BackupDir()}).ok());
  std::filesystem::create_directories(Path("busy"));
  std::ofstream(Path("busy") + "/CURRENT") << "live";
  auto r = StoreBackups::Restore(BackupDir(), 0, Path("busy"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  std::ifstream in(Path("busy") + "/CURRENT");
  std::string kept;
  in >> kept;
  EXPECT_EQ(kept, "live");  // untouched
}

TEST_F(StoreBackupsTest, ADamagedBackupIsDataLossAndLeavesNothing) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(
        store_->CommitAndWait(PutRequest(absl::StrCat("k", i), "v")).ok());
  }
  ASSERT_TRUE(StoreBackups::Create(*store_, {.dir = BackupDir()}).ok());
  // Flip a byte in the middle of every table file of the backup.
  int flipped = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(BackupDir())) {
    if (entry.path().extension() != ".sst") continue;
    std::fstream f(entry.path(),
                   std::ios::in | std::ios::out | std::ios::binary);
    const auto size = std::filesystem::file_size(entry.path());
    f.seekg(size / 2);
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(size / 2);
    f.write(&c, 1);
    ++flipped;
  }
  ASSERT_GT(flipped, 0);
  auto r = StoreBackups::Restore(BackupDir(), 0, Path("from-damaged"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << r.status();
  EXPECT_FALSE(std::filesystem::exists(Path("from-damaged")) &&
               !std::filesystem::is_empty(Path("from-damaged")));
}

// A restore killed half way leaves its marker: no server opens the
// directory (it may hold the backup's files under the old identity).
TEST_F(StoreBackupsTest, AnUnfinishedRestoreIsRefusedByEveryOpen) {
  std::filesystem::create_directories(Path("half"));
  std::ofstream(RestoringMarkerOf(Path("half")));
  auto opened = Store::Open(Path("half"), {.column_families = {"items"}});
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition)
      << opened.status();
}

TEST_F(StoreBackupsTest, NoBackupDirectoryIsAPrecondition) {
  EXPECT_EQ(StoreBackups::Create(*store_, {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(StoreBackups::Restore(Path("none"), 0, Path("x")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace nq57
