// The crash harness (crash_harness.h) on each data service and on the
// aggregator: kill -9 while writing and while starting, then every
// acknowledged write present exactly once and every replay identical.
//
// NQ57_CRASH_CYCLES sets the cycles per server (default 10, what `make
// test` runs); `make crash` runs 100 and prints each server's figures.
#include "tests/crash/crash_harness.h"

#include <cstdlib>
#include <iostream>

#include "absl/strings/numbers.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace nq57::crash {
namespace {

int CyclesFromEnvironment() {
  const char* value = std::getenv("NQ57_CRASH_CYCLES");
  int cycles = 10;
  if (value != nullptr && !absl::SimpleAtoi(value, &cycles)) cycles = 10;
  return cycles;
}

class CrashHarnessTest : public nq57::testing::TempDirTest {
 protected:
  void RunAndCheck(CrashWorkload& workload, uint64_t seed) {
    CrashOptions options;
    options.cycles = CyclesFromEnvironment();
    options.seed = seed;
    absl::StatusOr<CrashFigures> figures =
        RunCrashCycles(workload, options, dir().string());
    ASSERT_TRUE(figures.ok()) << figures.status();
    std::cout << "crash figures " << workload.binary() << ": "
              << figures->ToString() << std::endl;
    EXPECT_EQ(figures->cycles, options.cycles);
    EXPECT_GT(figures->acknowledged, 0);
    EXPECT_EQ(figures->lost, 0);
    EXPECT_EQ(figures->duplicated, 0);
    EXPECT_EQ(figures->unexpected, 0);
    EXPECT_EQ(figures->replay_mismatches, 0);
    EXPECT_GT(figures->replays, 0);
  }
};

TEST_F(CrashHarnessTest, Criteria) { RunAndCheck(*CriteriaWorkload(), 1); }
TEST_F(CrashHarnessTest, Eidentity) { RunAndCheck(*EidentityWorkload(), 2); }
TEST_F(CrashHarnessTest, PublicService) {
  RunAndCheck(*PublicServiceWorkload(), 3);
}
TEST_F(CrashHarnessTest, Aggregator) { RunAndCheck(*AggregatorWorkload(), 4); }

}  // namespace
}  // namespace nq57::crash
