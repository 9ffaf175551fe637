// nq57-loadgen's generator and workload against a real criteria server on
// loopback: every call it counts as OK is a durable commit, nothing it
// counts was answered otherwise, pacing holds the rate, and an unreachable
// server is counted as errors, not throughput.
#include "tools/loadgen/load_generator.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "services/criteria/criteria_server.h"
#include "tests/support/criterion_request.h"
#include "tests/support/loopback_server.h"
#include "tools/loadgen/progress_workload.h"

namespace nq57::loadgen {
namespace {

using criteria::v1::CriteriaService;

class LoadGeneratorTest
    : public nq57::testing::LoopbackServerTest<criteria::CriteriaServer,
                                               CriteriaService> {
 protected:
  void SetUp() override {
    LoopbackServerTest::SetUp();
    for (int i = 0; i < 2; ++i) {
      const std::string code = absl::StrCat("LOAD-", i);
      const criteria::v1::CreateCriterionRequest create =
          nq57::testing::CriterionRequest(code, "Tiêu chí tải",
                                          "create-" + code);
      criteria::v1::Criterion created;
      ASSERT_TRUE(
          Call(&CriteriaService::Stub::CreateCriterion, create, &created).ok());
      criteria::v1::BatchCreateAssignmentsRequest assign;
      assign.set_criterion("criteria/" + code);
      assign.set_province("provinces/25");
      criteria::v1::BatchCreateAssignmentsResponse assigned;
      ASSERT_TRUE(Call(&CriteriaService::Stub::BatchCreateAssignments, assign,
                       &assigned)
                      .ok());
    }
  }

  ProgressWorkload Discover() {
    absl::StatusOr<ProgressWorkload> workload =
        ProgressWorkload::Discover(channel_, "test", "provinces/25", 100000, 1);
    EXPECT_TRUE(workload.ok()) << workload.status();
    return *std::move(workload);
  }

  LoadOptions Options() const {
    return {.target = server_->host().address(),
            .concurrency = 4,
            .duration = absl::Milliseconds(800),
            .warmup = absl::Milliseconds(200)};
  }
};

TEST_F(LoadGeneratorTest, EveryCallCountedOkIsADurableCommit) {
  const ProgressWorkload workload = Discover();
  EXPECT_EQ(workload.size(), 2 * 148u);  // every Phú Thọ commune, twice
  const uint64_t head_before = server_->store().change_log().head();
  absl::StatusOr<LoadResult> result =
      RunLoad(Options(), kReportProgressMethod,
              [&](uint64_t n) { return workload.Request(n); });
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_GT(result->ok, 0u);
  EXPECT_TRUE(result->errors.empty()) << result->ToText();
  // Calls made during the warm-up are committed but not counted.
  EXPECT_GE(server_->store().change_log().head() - head_before, result->ok);
  EXPECT_GT(result->p50_ms, 0);
  EXPECT_LE(result->p50_ms, result->p99_ms);
  EXPECT_LE(result->p99_ms, result->max_ms);
  EXPECT_NE(result->ToJson().find("\"errors\":{}"), std::string::npos);
}

TEST_F(LoadGeneratorTest, RequestsAreDistinctAndRepeatable) {
  const ProgressWorkload workload = Discover();
  std::set<std::string> ids;
  int completed = 0;
  for (uint64_t n = 0; n < 1000; ++n) {
    criteria::v1::ReportProgressRequest r;
    ASSERT_TRUE(r.ParseFromString(workload.Request(n)));
    EXPECT_TRUE(ids.insert(r.request_id()).second) << r.request_id();
    if (r.report().state() == criteria::v1::COMPLETED) {
      ++completed;
      EXPECT_TRUE(r.report().has_complete_time());
    }
  }
  EXPECT_GT(completed, 500);
  EXPECT_LT(completed, 700);
  EXPECT_EQ(workload.Request(7), workload.Request(7));
}

TEST_F(LoadGeneratorTest, PacingHoldsTheRate) {
  const ProgressWorkload workload = Discover();
  LoadOptions options = Options();
  options.rate = 100;
  options.duration = absl::Seconds(1);
  absl::StatusOr<LoadResult> result =
      RunLoad(options, kReportProgressMethod,
              [&](uint64_t n) { return workload.Request(n); });
  ASSERT_TRUE(result.ok()) << result.status();
  // 100 slots fall due in the measured second (one more at its edge).
  EXPECT_LE(result->ok, 101u) << result->ToText();
  EXPECT_GE(result->ok, 30u) << result->ToText();
}

TEST_F(LoadGeneratorTest, AnUnreachableServerIsErrorsNotThroughput) {
  const ProgressWorkload workload = Discover();
  LoadOptions options = Options();
  nq57::testing::StopServer(server_);
  options.deadline = absl::Milliseconds(200);
  absl::StatusOr<LoadResult> result =
      RunLoad(options, kReportProgressMethod,
              [&](uint64_t n) { return workload.Request(n); });
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->ok, 0u);
  EXPECT_GT(result->error_count(), 0u);
  EXPECT_EQ(result->errors.count(grpc::StatusCode::OK), 0u);
}

TEST(LoadOptionsTest, OutOfRangeIsRefused) {
  LoadOptions options{.target = "127.0.0.1:1", .concurrency = 0};
  EXPECT_EQ(RunLoad(options, kReportProgressMethod,
                    [](uint64_t) { return std::string(); })
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace nq57::loadgen
