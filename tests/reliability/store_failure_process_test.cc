// criteria-server as a real process on a bad day: its disk fills up (a real
// tmpfs of a few MiB), its write-ahead log is damaged between two runs. What
// must hold: a full disk is RESOURCE_EXHAUSTED for writes while reads and
// health answer, writes come back by themselves once space is freed, a
// restart on a full disk serves reads; a damaged log stops the start with
// exit code 3 and one "store damaged" line, and --accept_data_loss starts
// it anyway. Links no server code.
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "tests/support/criterion_request.h"
#include "tests/support/grpc_probes.h"
#include "tests/support/process_fixture.h"
#include "tests/support/test_paths.h"

namespace nq57::criteria {
namespace {

namespace fs = std::filesystem;

class StoreFailureProcessTest : public nq57::testing::ServerProcessTest {
 protected:
  std::unique_ptr<ServerProcess> Start(std::vector<std::string> extra = {}) {
    extra.push_back("--drain_seconds=1");
    return StartServer("criteria-server",
                       {.data = data_, .extra = std::move(extra)});
  }
  // Creates criterion number `i`; its title is long, so the disk fills in a
  // few hundred writes.
  static grpc::Status Create(v1::CriteriaService::Stub& stub, int i) {
    const v1::CreateCriterionRequest create = nq57::testing::CriterionRequest(
        absl::StrCat("PT-GOV-DATA-", 1000 + i),
        absl::StrCat("Cơ sở dữ liệu ", i, " ", std::string(400, 'x')),
        absl::StrCat("create-", i));
    v1::Criterion created;
    grpc::ClientContext ctx;
    return stub.CreateCriterion(&ctx, create, &created);
  }
  static grpc::Status Get(v1::CriteriaService::Stub& stub, int i) {
    v1::GetCriterionRequest get;
    get.set_name(absl::StrCat("criteria/PT-GOV-DATA-", 1000 + i));
    v1::Criterion got;
    grpc::ClientContext ctx;
    return stub.GetCriterion(&ctx, get, &got);
  }

  // Runs the server once to write criteria 0..n-1, and stops it.
  void WriteAndStop(int n) {
    auto server = Start();
    ASSERT_NE(server, nullptr);
    auto stub = v1::CriteriaService::NewStub(ChannelTo(*server));
    for (int i = 0; i < n; ++i) ASSERT_TRUE(Create(*stub, i).ok()) << i;
    stub.reset();
    ASSERT_TRUE(TerminatesCleanly(*server));
  }

  // The health of `service` becomes `wanted` within a few check periods.
  static ::testing::AssertionResult HealthBecomes(
      const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
      grpc::health::v1::HealthCheckResponse::ServingStatus wanted) {
    const absl::Time deadline = absl::Now() + absl::Seconds(3);
    auto status = nq57::testing::HealthOf(channel, service);
    while (status != wanted && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(50));
      status = nq57::testing::HealthOf(channel, service);
    }
    if (status == wanted) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "health of \"" << service << "\" stays "
           << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(status);
  }

  std::string data_ = "data";
};

constexpr auto kNotServing = grpc::health::v1::HealthCheckResponse::NOT_SERVING;

TEST_F(StoreFailureProcessTest, DamagedLogStopsTheStartUntilTheLossIsAccepted) {
  ASSERT_NO_FATAL_FAILURE(WriteAndStop(30));
  fs::path wal;
  for (const auto& e : fs::directory_iterator(Path(data_))) {
    if (e.path().extension() == ".log" &&
        (wal.empty() || e.file_size() > fs::file_size(wal))) {
      wal = e.path();
    }
  }
  ASSERT_FALSE(wal.empty());
  std::string bytes;
  {
    std::ifstream in(wal, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(bytes.size(), 1000u);
  bytes[bytes.size() / 2] ^= 0x5a;
  std::ofstream(wal, std::ios::binary | std::ios::trunc) << bytes;

  const RunResult refused =
      RunToCompletion(nq57::testing::BinaryPath("criteria-server"),
                      ServerArgs({.data = data_}));
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  EXPECT_NE(refused.output.find("\"msg\":\"store damaged\""), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("--accept_data_loss"), std::string::npos);

  auto server = Start({"--accept_data_loss"});
  ASSERT_NE(server, nullptr);
  auto channel = ChannelTo(*server);
  EXPECT_TRUE(Serving(channel, ""));
  auto stub = v1::CriteriaService::NewStub(channel);
  EXPECT_TRUE(Get(*stub, 0).ok());  // before the damage: kept
  EXPECT_TRUE(Create(*stub, 100).ok());
}

class FullDiskProcessTest : public StoreFailureProcessTest {
 protected:
  void SetUp() override {
    // A real file system that fills up; mounting one needs root, which is
    // what `make test` runs as (it installs its packages first).
    if (geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
    fs::create_directories(Path("disk"));
    ASSERT_EQ(::mount("tmpfs", Path("disk").c_str(), "tmpfs", 0, "size=8m"), 0)
        << "mount tmpfs: " << std::strerror(errno);
    mounted_ = true;
    data_ = "disk/data";
  }
  void TearDown() override {
    if (mounted_) ::umount2(Path("disk").c_str(), MNT_DETACH);
  }
  // Fills the disk but `leave` bytes with a file that FreeSpace() deletes.
  void FillDisk(uint64_t leave) {
    struct statvfs st;
    ASSERT_EQ(::statvfs(Path("disk").c_str(), &st), 0);
    const uint64_t free = st.f_bavail * st.f_frsize;
    ASSERT_GT(free, leave);
    std::ofstream out(Path("disk/filler"), std::ios::binary);
    const std::string block(4096, '\0');
    for (uint64_t n = 0; n + leave < free; n += block.size()) out << block;
  }
  void FreeSpace() { fs::remove(Path("disk/filler")); }

  bool mounted_ = false;
};

TEST_F(FullDiskProcessTest, WritesAreRefusedReadsServedAndWritesComeBack) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  auto channel = ChannelTo(*server);
  auto stub = v1::CriteriaService::NewStub(channel);
  ASSERT_TRUE(Create(*stub, 0).ok());
  ASSERT_NO_FATAL_FAILURE(FillDisk(0));
  grpc::Status refused;
  int acked = 1;
  for (int i = 1; i < 5000; ++i) {
    refused = Create(*stub, i);
    if (!refused.ok()) break;
    ++acked;
  }
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << refused.error_message();
  EXPECT_NE(refused.error_message().find("no space left"), std::string::npos);
  // The process is alive, reads and health answer, and health says writes
  // are refused.
  EXPECT_TRUE(Get(*stub, 0).ok());
  EXPECT_TRUE(HealthBecomes(channel, "store:writes", kNotServing));
  EXPECT_TRUE(Serving(channel, ""));
  EXPECT_EQ(Create(*stub, 9999).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  FreeSpace();
  grpc::Status back;
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  do {
    back = Create(*stub, acked);
    if (!back.ok()) absl::SleepFor(absl::Milliseconds(200));
  } while (!back.ok() && absl::Now() < deadline);
  ASSERT_TRUE(back.ok()) << back.error_message();
  EXPECT_TRUE(HealthBecomes(channel, "store:writes",
                            grpc::health::v1::HealthCheckResponse::SERVING));
  for (int i = 0; i <= acked; ++i) EXPECT_TRUE(Get(*stub, i).ok()) << i;
  stub.reset();
  EXPECT_TRUE(TerminatesCleanly(*server));
}

TEST_F(FullDiskProcessTest, StartsOnAFullDiskServingReads) {
  ASSERT_NO_FATAL_FAILURE(WriteAndStop(20));
  ASSERT_NO_FATAL_FAILURE(FillDisk(0));
  auto server = Start();
  ASSERT_NE(server, nullptr);
  auto channel = ChannelTo(*server);
  auto stub = v1::CriteriaService::NewStub(channel);
  EXPECT_TRUE(HealthBecomes(channel, "store:writes", kNotServing));
  EXPECT_TRUE(Serving(channel, ""));
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(Get(*stub, i).ok()) << i;
  EXPECT_EQ(Create(*stub, 100).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  stub.reset();
  EXPECT_TRUE(TerminatesCleanly(*server));
}

}  // namespace
}  // namespace nq57::criteria
