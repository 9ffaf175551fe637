// The public-service statistics service in process, over real gRPC on
// loopback (port 0) and a real RocksDB store: the RPCs, field errors as
// BadRequest details, idempotent retries, all-or-nothing batches, the
// reference indicators and the change feed a consumer applies as deltas.
#include <map>

#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "nq57/publicservice/v1/publicservice.grpc.pb.h"
#include "services/publicservice/publicservice_server.h"
#include "tests/support/grpc_probes.h"
#include "tests/support/loopback_server.h"
#include "tests/support/procedure_request.h"

namespace nq57::publicservice {
namespace {

using ::nq57::testing::FieldOf;
using ::nq57::testing::InvalidFieldOf;

constexpr char kPhuTho[] = "provinces/25";
constexpr char kVietTri[] = "provinces/25/communes/07900";
constexpr char kNongTrang[] = "provinces/25/communes/07894";

using Stub = v1::PublicServiceStatistics::Stub;

class PublicServiceServerTest
    : public nq57::testing::LoopbackServerTest<PublicServiceServer,
                                               v1::PublicServiceStatistics> {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(LoopbackServerTest::SetUp());
    health_ = grpc::health::v1::Health::NewStub(channel_);
  }

  static v1::ReportDossierStatsRequest Report(const std::string& unit,
                                              const std::string& month,
                                              const std::string& procedure,
                                              int64_t received,
                                              int64_t digitised) {
    v1::ReportDossierStatsRequest req;
    req.mutable_stats()->set_unit(unit);
    req.mutable_stats()->mutable_period()->set_month(month);
    req.mutable_stats()->set_procedure(procedure);
    auto* c = req.mutable_stats()->mutable_counts();
    c->set_dossiers_received_online(received);
    c->set_dossiers_digitised(digitised);
    return req;
  }

  grpc::Status Send(const v1::ReportDossierStatsRequest& req,
                    v1::DossierStats* out = nullptr) {
    v1::DossierStats resp;
    grpc::Status s = Call(&Stub::ReportDossierStats, req, &resp);
    if (out != nullptr) *out = resp;
    return s;
  }

  // Creates procedure `code` of Phú Thọ's catalogue (statistics of a
  // procedure must name one).
  void AddProcedure(const std::string& code) {
    v1::Procedure created;
    ASSERT_TRUE(Call(&Stub::CreateProcedure,
                     nq57::testing::ProcedureRequest(kPhuTho, code, ""),
                     &created)
                    .ok());
  }

  // The health of `service` as the server reports it.
  grpc::health::v1::HealthCheckResponse::ServingStatus Health(
      const std::string& service) {
    return nq57::testing::HealthOf(*health_, service);
  }

  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

TEST_F(PublicServiceServerTest, ProcedureLifecycleOverRpc) {
  v1::CreateProcedureRequest create;
  create.set_parent(kPhuTho);
  create.set_procedure_id("1.004227.000.00.00.H12");
  create.set_request_id("c-1");
  auto* p = create.mutable_procedure();
  p->set_display_name("Đăng ký thường trú");
  p->set_field("residence");
  p->set_online_level(v1::PARTIAL);
  p->set_essential(true);
  p->mutable_level_effective_from()->set_year(2025);
  p->mutable_level_effective_from()->set_month(1);
  p->mutable_level_effective_from()->set_day(1);
  v1::Procedure created;
  { ASSERT_TRUE(Call(&Stub::CreateProcedure, create, &created).ok()); }
  EXPECT_EQ(created.name(), "provinces/25/procedures/1.004227.000.00.00.H12");
  EXPECT_EQ(created.unit(), kPhuTho);
  EXPECT_TRUE(created.has_create_time());
  {  // A retry answers the first result.
    v1::Procedure again;
    ASSERT_TRUE(Call(&Stub::CreateProcedure, create, &again).ok());
    EXPECT_EQ(again.create_time().seconds(), created.create_time().seconds());
    EXPECT_EQ(again.create_time().nanos(), created.create_time().nanos());
  }
  {  // Without the request id it is a second create.
    create.clear_request_id();
    v1::Procedure again;
    EXPECT_EQ(Call(&Stub::CreateProcedure, create, &again).error_code(),
              grpc::StatusCode::ALREADY_EXISTS);
  }
  v1::UpdateProcedureRequest update;
  update.mutable_procedure()->set_name(created.name());
  update.mutable_procedure()->set_online_level(v1::FULL_PROCESS);
  auto* d = update.mutable_procedure()->mutable_level_effective_from();
  d->set_year(2025);
  d->set_month(9);
  d->set_day(15);
  update.mutable_update_mask()->add_paths("online_level");
  {
    v1::Procedure updated;
    ASSERT_TRUE(Call(&Stub::UpdateProcedure, update, &updated).ok());
    EXPECT_EQ(updated.level_history_size(), 2);
  }
  {
    v1::GetProcedureRequest get;
    get.set_name(created.name());
    get.mutable_as_of_date()->set_year(2025);
    get.mutable_as_of_date()->set_month(9);
    get.mutable_as_of_date()->set_day(14);
    v1::Procedure then;
    ASSERT_TRUE(Call(&Stub::GetProcedure, get, &then).ok());
    EXPECT_EQ(then.online_level(), v1::PARTIAL);
  }
  {
    v1::ListProceduresRequest list;
    list.set_parent(kPhuTho);
    list.set_essential(true);
    v1::ListProceduresResponse resp;
    ASSERT_TRUE(Call(&Stub::ListProcedures, list, &resp).ok());
    ASSERT_EQ(resp.procedures_size(), 1);
    EXPECT_EQ(resp.procedures(0).online_level(), v1::FULL_PROCESS);
  }
  {
    v1::GetProcedureRequest get;
    get.set_name("provinces/25/procedures/none");
    v1::Procedure none;
    EXPECT_EQ(Call(&Stub::GetProcedure, get, &none).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
}

TEST_F(PublicServiceServerTest, ErrorsCarryTheFieldAndWriteNothing) {
  auto bad = Report(kVietTri, "2025-10", "1.1", 10, 11);
  grpc::Status s = Send(bad);
  EXPECT_EQ(InvalidFieldOf(s), "stats.counts.dossiers_digitised");
  bad = Report(kVietTri, "2099-01", "1.1", 10, 1);
  s = Send(bad);
  EXPECT_EQ(InvalidFieldOf(s), "stats.period.month");
  bad = Report("provinces/25/communes/00000", "2025-10", "1.1", 10, 1);
  EXPECT_EQ(Send(bad).error_code(), grpc::StatusCode::NOT_FOUND);
  bad = Report(kVietTri, "2025-10", "1.1", -1, 0);
  EXPECT_EQ(FieldOf(Send(bad)), "stats.counts.dossiers_received_online");
  // The server serves its two services: the statistics and the feed.
  EXPECT_EQ(Health(v1::PublicServiceStatistics::service_full_name()),
            grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(changes::v1::ChangeFeed::service_full_name()),
            grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(server_->store().change_log().head(), 0u);
}

TEST_F(PublicServiceServerTest, IdempotentReportAndAllOrNothingBatch) {
  ASSERT_NO_FATAL_FAILURE(AddProcedure("1.1"));
  auto req = Report(kVietTri, "2025-10", "1.1", 100, 80);
  req.set_request_id("r-1");
  v1::DossierStats first, retry;
  ASSERT_TRUE(Send(req, &first).ok());
  ASSERT_TRUE(Send(req, &retry).ok());
  EXPECT_EQ(first.SerializeAsString(), retry.SerializeAsString());
  req.mutable_stats()->mutable_counts()->set_dossiers_digitised(81);
  EXPECT_EQ(Send(req).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  v1::BatchReportDossierStatsRequest batch;
  batch.set_request_id("b-1");
  *batch.add_requests() = Report(kNongTrang, "2025-10", "1.1", 50, 40);
  *batch.add_requests() = Report(kVietTri, "2025-10", "1.1", 100, 200);
  {
    v1::BatchReportDossierStatsResponse resp;
    grpc::Status s = Call(&Stub::BatchReportDossierStats, batch, &resp);
    EXPECT_EQ(InvalidFieldOf(s), "requests[1].stats.counts.dossiers_digitised");
  }
  *batch.mutable_requests(1) = Report(kVietTri, "2025-10", "1.1", 100, 90);
  batch.set_request_id("b-2");
  {
    v1::BatchReportDossierStatsResponse resp;
    ASSERT_TRUE(Call(&Stub::BatchReportDossierStats, batch, &resp).ok());
    EXPECT_EQ(resp.stats_size(), 2);
    EXPECT_EQ(resp.replaced_count(), 1);
  }
  v1::GetIndicatorsRequest get;
  get.set_unit(kPhuTho);
  get.mutable_months()->set_first_month("2025-10");
  get.mutable_months()->set_last_month("2025-10");
  get.add_indicator_codes("DIGITISATION_RATE");
  v1::UnitIndicators out;
  ASSERT_TRUE(Call(&Stub::GetIndicators, get, &out).ok());
  ASSERT_EQ(out.indicators_size(), 1);
  // (90 + 40) / (100 + 50): the replaced 80 is gone.
  EXPECT_EQ(out.indicators(0).value().ratio().numerator(), 130);
  EXPECT_EQ(out.indicators(0).value().ratio().denominator(), 150);
  EXPECT_EQ(out.indicators(0).value().percent(), "86.67");
  EXPECT_EQ(out.indicators(0).coverage().reported(), 2);
  EXPECT_EQ(out.unit().display_name(), "Phú Thọ");
}

TEST_F(PublicServiceServerTest, ReferenceRatesAndRankingOverRpc) {
  // 83.20% digitisation and 80.47% reuse, from two communes.
  v1::BatchReportDossierStatsRequest batch;
  auto add = [&](const char* unit, int64_t received, int64_t issued,
                 int64_t digitised, int64_t results_digitised, int64_t reused) {
    v1::ReportDossierStatsRequest r;
    r.mutable_stats()->set_unit(unit);
    r.mutable_stats()->mutable_period()->set_month("2025-10");
    r.mutable_stats()->set_field("land");
    auto* c = r.mutable_stats()->mutable_counts();
    c->set_dossiers_received_in_person(received);
    c->set_results_issued(issued);
    c->set_dossiers_digitised(digitised);
    c->set_results_digitised(results_digitised);
    c->set_results_reused(reused);
    *batch.add_requests() = r;
  };
  add(kVietTri, 6000, 5000, 5000, 4500, 3600);
  add(kNongTrang, 4000, 4000, 3308, 3000, 2435);
  {
    v1::BatchReportDossierStatsResponse resp;
    ASSERT_TRUE(Call(&Stub::BatchReportDossierStats, batch, &resp).ok());
    EXPECT_EQ(resp.stats(0).name(),
              "provinces/25/communes/07900/dossierStats/2025-10/fields/land");
  }
  v1::GetIndicatorsRequest get;
  get.set_unit(kPhuTho);
  get.mutable_months()->set_first_month("2025-10");
  get.mutable_months()->set_last_month("2025-10");
  get.mutable_as_of_date()->set_year(2025);
  get.mutable_as_of_date()->set_month(10);
  get.mutable_as_of_date()->set_day(23);
  v1::UnitIndicators out;
  ASSERT_TRUE(Call(&Stub::GetIndicators, get, &out).ok());
  std::map<std::string, common::v1::IndicatorValue> by_code;
  for (const auto& v : out.indicators()) by_code[v.code()] = v;
  EXPECT_EQ(by_code["DIGITISATION_RATE"].value().percent(), "83.20");
  EXPECT_EQ(by_code["REUSE_RATE"].value().percent(), "80.47");
  EXPECT_EQ(by_code["REUSE_RATE"].colour(), common::v1::GREEN);
  EXPECT_EQ(by_code["REUSE_RATE"].threshold_version(),
            "psc-thresholds-local-2025-07");
  EXPECT_EQ(out.catalog_version(), "publicservice-2025.12");

  v1::ListIndicatorsRequest list;
  list.set_parent(kPhuTho);
  list.mutable_months()->set_first_month("2025-10");
  list.mutable_months()->set_last_month("2025-10");
  list.set_order_by("REUSE_RATE");
  list.add_indicator_codes("REUSE_RATE");
  list.set_page_size(3);
  v1::ListIndicatorsResponse ranked;
  ASSERT_TRUE(Call(&Stub::ListIndicators, list, &ranked).ok());
  ASSERT_EQ(ranked.units_size(), 3);
  EXPECT_EQ(ranked.total_size(), 148);
  // Nông Trang 2435/3000 = 81.17% ahead of Việt Trì 3600/4500 = 80%.
  EXPECT_EQ(ranked.units(0).indicators().unit().name(), kNongTrang);
  EXPECT_EQ(ranked.units(0).rank(), 1);
  EXPECT_EQ(ranked.units(1).indicators().unit().name(), kVietTri);
  EXPECT_EQ(ranked.units(1).rank(), 2);
  EXPECT_EQ(ranked.units(2).rank(), 0);
}

TEST_F(PublicServiceServerTest, StatisticsOfAProcedureOutsideTheCatalogue) {
  grpc::Status s = Send(Report(kVietTri, "2025-10", "NOPE.999", 10, 1));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(),
            "stats.procedure: no procedure \"NOPE.999\" in the catalogue of "
            "provinces/25 (CreateProcedure first)");
  EXPECT_EQ(server_->store().change_log().head(), 0u);
  ASSERT_NO_FATAL_FAILURE(AddProcedure("NOPE.999"));
  EXPECT_TRUE(Send(Report(kVietTri, "2025-10", "NOPE.999", 10, 1)).ok());
  // A procedure of the province's catalogue counts for all its units,
  // whoever owns it.
  EXPECT_TRUE(Send(Report(kNongTrang, "2025-10", "NOPE.999", 10, 1)).ok());
}

TEST_F(PublicServiceServerTest, ChangeFeedCarriesNewAndPreviousValues) {
  ASSERT_NO_FATAL_FAILURE(AddProcedure("1.1"));
  ASSERT_TRUE(Send(Report(kVietTri, "2025-10", "1.1", 100, 80)).ok());
  ASSERT_TRUE(Send(Report(kVietTri, "2025-10", "1.1", 100, 90)).ok());
  // After the procedure's own record.
  std::vector<changes::v1::ChangeRecord> records =
      nq57::testing::ReadChanges(channel_, 2, 2);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].kind(), changes::v1::CREATED);
  EXPECT_EQ(records[1].kind(), changes::v1::UPDATED);
  EXPECT_EQ(records[1].resource(),
            "provinces/25/communes/07900/dossierStats/2025-10/procedures/1.1");
  v1::DossierStats now, before;
  ASSERT_TRUE(records[1].new_value().UnpackTo(&now));
  ASSERT_TRUE(records[1].previous_value().UnpackTo(&before));
  // The consumer's delta for (unit, month): +10 dossiers digitised.
  EXPECT_EQ(
      now.counts().dossiers_digitised() - before.counts().dossiers_digitised(),
      10);
  EXPECT_EQ(now.unit(), kVietTri);
  EXPECT_EQ(now.period().month(), "2025-10");
}

}  // namespace
}  // namespace nq57::publicservice
