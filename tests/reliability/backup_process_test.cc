// Backups of a real criteria-server process with `nq57ctl backup`, restored
// with `nq57ctl restore` into an empty directory, and served again at the
// same address while an aggregator-server follows it. What must hold: the
// restored server has exactly what was committed when the backup was taken
// (later writes are gone: it is an older state), under a new log identity,
// and the aggregator recognises the new history (it does not continue from
// the position it had consumed) and ends caught up with the restored log.
// Links no server code.
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nq57/admin/v1/admin.grpc.pb.h"
#include "nq57/aggregator/v1/aggregator.grpc.pb.h"
#include "nq57/changes/v1/changes.grpc.pb.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "tests/support/criterion_request.h"
#include "tests/support/grpc_probes.h"
#include "tests/support/process_fixture.h"
#include "tests/support/test_paths.h"

namespace nq57 {
namespace {

class BackupProcessTest : public nq57::testing::ServerProcessTest {
 protected:
  static grpc::Status Create(criteria::v1::CriteriaService::Stub& stub, int i) {
    criteria::v1::Criterion created;
    grpc::ClientContext ctx;
    return stub.CreateCriterion(
        &ctx,
        nq57::testing::CriterionRequest(absl::StrCat("PT-GOV-DATA-", 1000 + i),
                                        absl::StrCat("Tiêu chí ", i),
                                        absl::StrCat("create-", i)),
        &created);
  }
  static grpc::StatusCode Get(criteria::v1::CriteriaService::Stub& stub,
                              int i) {
    criteria::v1::GetCriterionRequest get;
    get.set_name(absl::StrCat("criteria/PT-GOV-DATA-", 1000 + i));
    criteria::v1::Criterion got;
    grpc::ClientContext ctx;
    return stub.GetCriterion(&ctx, get, &got).error_code();
  }
  // Waits until the aggregator's report says its criteria source is caught
  // up with `log_id` at `head`; the last freshness seen otherwise.
  static ::testing::AssertionResult AggregatorFollows(
      const std::shared_ptr<grpc::Channel>& channel, uint64_t head,
      const std::string& log_id) {
    auto stub = aggregator::v1::AggregatorService::NewStub(channel);
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    aggregator::v1::SourceFreshness f;
    while (absl::Now() < deadline) {
      aggregator::v1::GetReportRequest get;
      get.set_province("provinces/25");
      aggregator::v1::Report report;
      grpc::ClientContext ctx;
      if (stub->GetReport(&ctx, get, &report).ok() &&
          report.freshness_size() > 0) {
        f = report.freshness(0);
        if (f.serving() && f.applied_sequence() == head &&
            f.log_id() == log_id) {
          return ::testing::AssertionSuccess();
        }
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return ::testing::AssertionFailure()
           << "aggregator's criteria source: " << f.ShortDebugString();
  }
};

TEST_F(BackupProcessTest, RestoredStoreIsTheBackupsStateUnderANewHistory) {
  const std::string backups = Path("backups");
  auto source = StartServer(
      "criteria-server",
      {.extra = {absl::StrCat("--backup_dir=", backups), "--drain_seconds=1"}});
  ASSERT_NE(source, nullptr);
  const std::string address = source->address();
  auto criteria = criteria::v1::CriteriaService::NewStub(ChannelTo(*source));
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(Create(*criteria, i).ok()) << i;

  auto aggregator =
      StartServer("aggregator-server",
                  {.data = "aggregator",
                   .log = "aggregator.log",
                   .extra = {absl::StrCat("--source=criteria@", address),
                             "--drain_seconds=1"}});
  ASSERT_NE(aggregator, nullptr);
  const std::string original_log =
      nq57::testing::FeedPositionOf(ChannelTo(*source)).log_id;
  ASSERT_EQ(nq57::testing::FeedPositionOf(ChannelTo(*source)).head, 30u);
  ASSERT_TRUE(AggregatorFollows(ChannelTo(*aggregator), 30, original_log));

  // The backup, through the CLI operators and the CronJob use.
  nq57::RunResult backup =
      RunToCompletion(nq57::testing::BinaryPath("nq57ctl"),
                      {absl::StrCat("--target=", address), "backup"});
  ASSERT_EQ(backup.exit_code, 0) << backup.output;
  EXPECT_TRUE(absl::StrContains(backup.output, "backup 1 in "))
      << backup.output;
  EXPECT_TRUE(absl::StrContains(backup.output, "head 30,")) << backup.output;

  // Writes after the backup, consumed by the aggregator: the restore will
  // lose them, and the aggregator must notice rather than keep them.
  for (int i = 30; i < 40; ++i) ASSERT_TRUE(Create(*criteria, i).ok()) << i;
  ASSERT_TRUE(AggregatorFollows(ChannelTo(*aggregator), 40, original_log));
  criteria.reset();
  ASSERT_TRUE(TerminatesCleanly(*source));

  // Restore refuses a directory in use, then restores into an empty one.
  nq57::RunResult busy = RunToCompletion(nq57::testing::BinaryPath("nq57ctl"),
                                         {"restore", backups, Path("data")});
  EXPECT_EQ(busy.exit_code, 1) << busy.output;
  EXPECT_TRUE(absl::StrContains(busy.output, "FAILED_PRECONDITION"))
      << busy.output;
  nq57::RunResult restored =
      RunToCompletion(nq57::testing::BinaryPath("nq57ctl"),
                      {"restore", backups, Path("restored")});
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_TRUE(absl::StrContains(restored.output, "change-log head 30"))
      << restored.output;

  // Served again at the same address: the aggregator reconnects to it.
  source = StartServer(
      "criteria-server",
      {.data = "restored",
       .log = "restored.log",
       .extra = {absl::StrCat("--listen=", address), "--drain_seconds=1"}});
  ASSERT_NE(source, nullptr);
  criteria = criteria::v1::CriteriaService::NewStub(ChannelTo(*source));
  for (int i = 0; i < 30; ++i) EXPECT_EQ(Get(*criteria, i), grpc::OK) << i;
  for (int i = 30; i < 40; ++i) {
    EXPECT_EQ(Get(*criteria, i), grpc::NOT_FOUND) << i;
  }
  const nq57::testing::FeedPosition restored_position =
      nq57::testing::FeedPositionOf(ChannelTo(*source));
  const std::string restored_log = restored_position.log_id;
  EXPECT_EQ(restored_position.head, 30u);
  EXPECT_NE(restored_log, original_log);
  // Written again after the restore, so the restored head passes what the
  // aggregator had consumed (40): only the log identity tells the
  // histories apart.
  for (int i = 100; i < 115; ++i) ASSERT_TRUE(Create(*criteria, i).ok()) << i;
  EXPECT_TRUE(AggregatorFollows(ChannelTo(*aggregator), 45, restored_log));

  EXPECT_TRUE(TerminatesCleanly(*aggregator));
  EXPECT_TRUE(TerminatesCleanly(*source));
}

TEST_F(BackupProcessTest, BackupsNeedABackupDirectory) {
  auto server =
      StartServer("criteria-server", {.extra = {"--drain_seconds=1"}});
  ASSERT_NE(server, nullptr);
  auto admin = admin::v1::StoreAdmin::NewStub(ChannelTo(*server));
  admin::v1::Backup made;
  grpc::ClientContext ctx;
  const grpc::Status s =
      admin->CreateBackup(&ctx, admin::v1::CreateBackupRequest(), &made);
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "--backup_dir"))
      << s.error_message();
  EXPECT_TRUE(TerminatesCleanly(*server));
}

}  // namespace
}  // namespace nq57
