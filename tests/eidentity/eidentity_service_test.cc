// EidentityServer in-process over real gRPC on loopback (port 0), with a
// real store in a temporary directory: every RPC, its error
// paths as clients see them (BadRequest field violations, NOT_FOUND,
// ALREADY_EXISTS), and the change feed an aggregator consumes.
#include "gtest/gtest.h"
#include "nq57/changes/v1/changes.grpc.pb.h"
#include "nq57/eidentity/v1/eidentity.grpc.pb.h"
#include "services/eidentity/eidentity_server.h"
#include "tests/support/grpc_probes.h"
#include "tests/support/loopback_server.h"
#include "tests/support/proto_date.h"

namespace nq57::eidentity {
namespace {

using ::nq57::testing::FieldOf;
using ::nq57::testing::InvalidFieldOf;

constexpr char kCommune[] = "provinces/25/communes/07900";
constexpr char kOther[] = "provinces/25/communes/07894";

constexpr auto& Date = nq57::testing::ProtoDate;

v1::Snapshot Snapshot(const std::string& unit, common::v1::Date date,
                      int64_t issued, int64_t activated) {
  v1::Snapshot s;
  s.set_unit(unit);
  *s.mutable_as_of_date() = date;
  s.set_source("vneid");
  (*s.mutable_values())["eid_accounts_issued"].set_count(issued);
  (*s.mutable_values())["eid_accounts_activated"].set_count(activated);
  return s;
}

using Stub = v1::EidentityService::Stub;

class EidentityServiceTest
    : public nq57::testing::LoopbackServerTest<EidentityServer,
                                               v1::EidentityService> {
 protected:
  Options ServerOptions() const override {
    Options options = LoopbackServerTest::ServerOptions();
    options.stale_after_days = 10;
    return options;
  }
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(LoopbackServerTest::SetUp());
  }

  grpc::Status Report(const v1::Snapshot& s, const std::string& request_id,
                      v1::ReportSnapshotResponse* out = nullptr) {
    v1::ReportSnapshotRequest req;
    *req.mutable_snapshot() = s;
    req.set_request_id(request_id);
    v1::ReportSnapshotResponse resp;
    grpc::Status status = Call(&Stub::ReportSnapshot, req, &resp);
    if (out != nullptr) *out = resp;
    return status;
  }
};

TEST_F(EidentityServiceTest, MetricDefinitions) {
  v1::ListMetricDefinitionsRequest req;
  req.set_page_size(5);
  v1::ListMetricDefinitionsResponse resp;
  ASSERT_TRUE(Call(&Stub::ListMetricDefinitions, req, &resp).ok());
  EXPECT_EQ(resp.metric_definitions_size(), 5);
  EXPECT_FALSE(resp.next_page_token().empty());

  req.set_page_token("xyz");
  EXPECT_EQ(FieldOf(Call(&Stub::ListMetricDefinitions, req, &resp)),
            "page_token");

  v1::GetMetricDefinitionRequest get;
  get.set_name("metricDefinitions/eid_accounts_issued");
  v1::MetricDefinition def;
  ASSERT_TRUE(Call(&Stub::GetMetricDefinition, get, &def).ok());
  EXPECT_EQ(def.kind(), v1::STOCK);
  EXPECT_EQ(def.catalog_version(), "eidentity-2025.12");
  get.set_name("metricDefinitions/nope");
  EXPECT_EQ(Call(&Stub::GetMetricDefinition, get, &def).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(EidentityServiceTest, ReportSnapshotAndItsErrors) {
  v1::ReportSnapshotResponse first, retry;
  ASSERT_TRUE(
      Report(Snapshot(kCommune, Date(2025, 10, 1), 100, 90), "r1", &first)
          .ok());
  EXPECT_EQ(first.values_written(), 2);
  ASSERT_TRUE(
      Report(Snapshot(kCommune, Date(2025, 10, 1), 100, 90), "r1", &retry)
          .ok());
  EXPECT_EQ(retry.last_sequence(), first.last_sequence());
  EXPECT_EQ(
      Report(Snapshot(kCommune, Date(2025, 10, 1), 100, 91), "r1").error_code(),
      grpc::StatusCode::ALREADY_EXISTS);

  grpc::Status bad =
      Report(Snapshot(kCommune, Date(2025, 10, 2), 100, 101), "");
  EXPECT_EQ(InvalidFieldOf(bad),
            "snapshot.values.eid_accounts_activated.count");
  grpc::Status unknown = Report(
      Snapshot("provinces/25/communes/11111", Date(2025, 10, 2), 1, 1), "");
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  v1::ReportSnapshotRequest empty;
  v1::ReportSnapshotResponse resp;
  EXPECT_EQ(FieldOf(Call(&Stub::ReportSnapshot, empty, &resp)), "snapshot");
}

TEST_F(EidentityServiceTest, BatchRollupUnitMetricsAndHistory) {
  {
    v1::BatchReportSnapshotsRequest req;
    *req.add_snapshots() = Snapshot(kCommune, Date(2025, 10, 1), 100, 90);
    *req.add_snapshots() = Snapshot(kOther, Date(2025, 10, 20), 300, 280);
    *req.add_snapshots() = Snapshot(kCommune, Date(2025, 10, 21), 150, 151);
    v1::BatchReportSnapshotsResponse resp;
    grpc::Status s = Call(&Stub::BatchReportSnapshots, req, &resp);
    EXPECT_EQ(FieldOf(s), "snapshots[2].values.eid_accounts_activated.count");
  }
  {
    v1::BatchReportSnapshotsRequest req;
    *req.add_snapshots() = Snapshot(kCommune, Date(2025, 10, 1), 100, 90);
    *req.add_snapshots() = Snapshot(kOther, Date(2025, 10, 20), 300, 280);
    v1::BatchReportSnapshotsResponse resp;
    ASSERT_TRUE(Call(&Stub::BatchReportSnapshots, req, &resp).ok());
    EXPECT_EQ(resp.results_size(), 2);
  }
  {
    v1::RollupMetricsRequest req;
    req.set_parent("provinces/25");
    *req.mutable_as_of_date() = Date(2025, 10, 21);
    v1::Rollup rollup;
    ASSERT_TRUE(Call(&Stub::RollupMetrics, req, &rollup).ok());
    EXPECT_EQ(rollup.coverage().reported(), 2);
    EXPECT_EQ(rollup.coverage().expected(), 148);
    EXPECT_EQ(rollup.coverage().missing_count(), 146);
    // The server's default staleness (10 days): kCommune reported on 10-01.
    EXPECT_EQ(rollup.stale_after_days(), 10);
    ASSERT_EQ(rollup.stale_size(), 1);
    EXPECT_EQ(rollup.stale(0).unit(), kCommune);
    for (const auto& f : rollup.figures()) {
      if (f.metric() == "eid_accounts_issued") {
        EXPECT_EQ(f.value(), 400);
      }
      if (f.metric() == "EID_ACTIVATION_RATE") {
        EXPECT_EQ(f.indicator().value().percent(), "92.50");
      }
    }
  }
  {
    v1::RollupMetricsRequest req;
    req.set_parent(kCommune);
    v1::Rollup rollup;
    EXPECT_EQ(FieldOf(Call(&Stub::RollupMetrics, req, &rollup)), "parent");
    req.set_parent("provinces/77");
    EXPECT_EQ(Call(&Stub::RollupMetrics, req, &rollup).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    v1::GetUnitMetricsRequest req;
    req.set_unit(kOther);
    *req.mutable_as_of_date() = Date(2025, 10, 25);
    v1::UnitMetrics metrics;
    ASSERT_TRUE(Call(&Stub::GetUnitMetrics, req, &metrics).ok());
    EXPECT_EQ(metrics.unit().display_name(), "Nông Trang");
    for (const auto& f : metrics.figures()) {
      if (f.metric() == "eid_accounts_issued") {
        EXPECT_EQ(f.value(), 300);
        EXPECT_EQ(f.source(), "vneid");
        EXPECT_EQ(f.value_date().day(), 20);
      }
    }
    req.set_unit("provinces/25/communes/12345");
    EXPECT_EQ(Call(&Stub::GetUnitMetrics, req, &metrics).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    v1::GetHistoryRequest req;
    req.set_unit(kCommune);
    req.set_metric("eid_accounts_activated");
    v1::GetHistoryResponse history;
    ASSERT_TRUE(Call(&Stub::GetHistory, req, &history).ok());
    ASSERT_EQ(history.points_size(), 1);
    EXPECT_EQ(history.points(0).value(), 90);
    *req.mutable_start_date() = Date(2025, 10, 5);
    *req.mutable_end_date() = Date(2025, 10, 4);
    EXPECT_EQ(FieldOf(Call(&Stub::GetHistory, req, &history)), "end_date");
  }
}

TEST_F(EidentityServiceTest, ChangeFeedCarriesPointsAndLatestDeltas) {
  ASSERT_TRUE(Report(Snapshot(kCommune, Date(2025, 10, 1), 100, 90), "").ok());
  ASSERT_TRUE(Report(Snapshot(kCommune, Date(2025, 10, 2), 120, 95), "").ok());
  std::vector<changes::v1::ChangeRecord> records =
      nq57::testing::ReadChanges(channel_, 0, 8);
  ASSERT_EQ(records.size(), 8u);
  // Per value: the point, then the unit's latest STOCK value.
  EXPECT_EQ(records[4].resource(),
            std::string(kCommune) +
                "/metrics/eid_accounts_activated/points/2025-10-02");
  EXPECT_EQ(records[4].kind(), changes::v1::CREATED);
  EXPECT_EQ(records[7].resource(),
            std::string(kCommune) + "/metrics/eid_accounts_issued");
  EXPECT_EQ(records[7].kind(), changes::v1::UPDATED);
  v1::MetricPoint now, before;
  ASSERT_TRUE(records[7].new_value().UnpackTo(&now));
  ASSERT_TRUE(records[7].previous_value().UnpackTo(&before));
  EXPECT_EQ(now.value() - before.value(), 20);
  EXPECT_EQ(now.province(), "provinces/25");
  EXPECT_EQ(now.kind(), v1::STOCK);
}

}  // namespace
}  // namespace nq57::eidentity
