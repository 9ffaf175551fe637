// EidentityCore over a real RocksDB store in a temporary directory, with the
// shipped unit registry and metric catalogue: the reference figures of Phú
// Thọ (DESIGN section 7), every validation rule, all-or-nothing batches,
// idempotent retries, replacements, corrections, history, and the property
// that the incrementally maintained rollup equals a recount from history.
#include "services/eidentity/eidentity_core.h"

#include <map>
#include <random>
#include <set>

#include "absl/time/civil_time.h"
#include "common/base/field_error.h"
#include "common/base/vietnam_time.h"
#include "common/indicators/indicator_catalog.h"
#include "common/ratio/ratio.h"
#include "common/store/store.h"
#include "common/time/clock.h"
#include "common/units/unit_registry.h"
#include "gtest/gtest.h"
#include "tests/support/proto_date.h"
#include "tests/support/temp_dir.h"

namespace nq57::eidentity {
namespace {

const std::string kConfigDir = std::string(NQ57_SOURCE_DIR) + "/deploy/config";
constexpr char kPhuTho[] = "provinces/25";

constexpr auto& Date = nq57::testing::ProtoDate;

v1::MetricValue Count(int64_t n) {
  v1::MetricValue v;
  v.set_count(n);
  return v;
}

v1::MetricValue RatioValue(int64_t num, int64_t den) {
  v1::MetricValue v;
  v.mutable_ratio()->set_numerator(num);
  v.mutable_ratio()->set_denominator(den);
  return v;
}

v1::Snapshot MakeSnapshot(const std::string& unit, common::v1::Date date,
                          std::map<std::string, v1::MetricValue> values) {
  v1::Snapshot s;
  s.set_unit(unit);
  *s.mutable_as_of_date() = date;
  s.set_source("vneid");
  for (auto& [k, v] : values) (*s.mutable_values())[k] = v;
  return s;
}

// part i of `total` split evenly over n parts.
int64_t Share(int64_t total, int i, int n) {
  return total / n + (i < total % n ? 1 : 0);
}

class EidentityCoreTest : public nq57::testing::TempDirTest {
 protected:
  static void SetUpTestSuite() {
    auto units = UnitRegistry::Load(kConfigDir);
    ASSERT_TRUE(units.ok()) << units.status();
    units_ = units->release();
    auto catalog = IndicatorCatalog::LoadFile(
        kConfigDir + "/indicators/eidentity.textproto");
    ASSERT_TRUE(catalog.ok()) << catalog.status();
    catalog_ = catalog->release();
  }

  void SetUp() override {
    auto store = Store::Open(
        Path("db"), {.column_families = EidentityCore::ColumnFamilies()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    core_ = std::make_unique<EidentityCore>(store_.get(), units_, catalog_,
                                            clock_, EidentityCoreOptions{});
    communes_ = units_->Children(kPhuTho, UnitLevel::kCommune);
    ASSERT_EQ(communes_.size(), 148u);
  }

  void TearDown() override {
    core_.reset();
    store_.reset();
  }

  absl::StatusOr<v1::ReportSnapshotResponse> Report(
      const v1::Snapshot& snapshot, const std::string& request_id = "") {
    v1::ReportSnapshotRequest req;
    *req.mutable_snapshot() = snapshot;
    req.set_request_id(request_id);
    auto commit = core_->PrepareReportSnapshot(req, "test");
    if (!commit.ok()) return commit.status();
    auto result = store_->CommitAndWait(std::move(*commit));
    if (!result.ok()) return result.status();
    v1::ReportSnapshotResponse out;
    out.ParseFromString(result->response);
    return out;
  }

  absl::Status Batch(const std::vector<v1::Snapshot>& snapshots,
                     const std::string& request_id = "") {
    v1::BatchReportSnapshotsRequest req;
    for (const auto& s : snapshots) *req.add_snapshots() = s;
    req.set_request_id(request_id);
    auto commit = core_->PrepareBatchReportSnapshots(req, "test");
    if (!commit.ok()) return commit.status();
    return store_->CommitAndWait(std::move(*commit)).status();
  }

  v1::Rollup Rollup(common::v1::Date date, int stale_after_days = 0) {
    v1::RollupMetricsRequest req;
    req.set_parent(kPhuTho);
    *req.mutable_as_of_date() = date;
    req.set_stale_after_days(stale_after_days);
    auto r = core_->RollupMetrics(req);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : v1::Rollup();
  }

  // The figure of metric `code` in a v1::Rollup or v1::UnitMetrics.
  template <typename WithFigures>
  static const v1::MetricFigure& Figure(const WithFigures& r,
                                        const std::string& code) {
    for (const auto& f : r.figures()) {
      if (f.metric() == code) return f;
    }
    ADD_FAILURE() << "no figure " << code;
    return v1::MetricFigure::default_instance();
  }

  static std::string FieldOf(const absl::Status& status) {
    auto v = FieldViolationsOf(status);
    return v.empty() ? "<none: " + status.ToString() + ">" : v[0].field;
  }

  // "Now" for the core: 2025-11-01 10:00 in Vietnam, after every report
  // date of the tests.
  ManualClock clock_{
      absl::FromCivil(absl::CivilSecond(2025, 11, 1, 10, 0, 0), VietnamTime())};
  static inline UnitRegistry* units_ = nullptr;
  static inline IndicatorCatalog* catalog_ = nullptr;
  std::unique_ptr<Store> store_;
  std::unique_ptr<EidentityCore> core_;
  std::vector<const Unit*> communes_;
};

TEST_F(EidentityCoreTest, ReferenceFiguresOfPhuThoRollUpExactly) {
  constexpr int n = 148;
  std::vector<v1::Snapshot> snapshots;
  for (int i = 0; i < n; ++i) {
    snapshots.push_back(MakeSnapshot(
        communes_[i]->name, Date(2025, 10, 23),
        {{"eid_accounts_issued", Count(Share(2565124, i, n))},
         {"eid_accounts_activated", Count(Share(2438487, i, n))},
         {"land_parcels_in_database", Count(Share(781339, i, n))},
         {"land_database_connected_communes", Count(1)},
         {"population_records_collected", Count(Share(3950000, i, n))},
         {"population_records_cleaned", Count(Share(3912345, i, n))},
         {"E_INVOICE_RATE", RatioValue(Share(2671, i, n), Share(4070, i, n))},
         {"pension_paid_to_accounts", Count(Share(41213, i, n))},
         {"pension_monthly_recipients", Count(Share(62171, i, n))},
         {"SOCIAL_INSURANCE_ACCOUNT_RATE",
          RatioValue(Share(18913, i, n), Share(19000, i, n))},
         {"electricity_customers_cashless", Count(Share(612345, i, n))},
         {"electricity_customers", Count(Share(613449, i, n))}}));
  }
  ASSERT_TRUE(Batch(snapshots).ok());

  const v1::Rollup r = Rollup(Date(2025, 10, 23));
  EXPECT_EQ(r.coverage().reported(), 148);
  EXPECT_EQ(r.coverage().expected(), 148);
  EXPECT_EQ(r.stale_size(), 0);
  EXPECT_EQ(r.catalog_version(), "eidentity-2025.12");
  EXPECT_EQ(Figure(r, "eid_accounts_issued").value(), 2565124);
  EXPECT_EQ(Figure(r, "eid_accounts_activated").value(), 2438487);
  EXPECT_EQ(Figure(r, "land_parcels_in_database").value(), 781339);
  EXPECT_EQ(Figure(r, "land_parcels_in_database").coverage().reported(), 148);
  EXPECT_EQ(Figure(r, "land_parcels_in_database").coverage().expected(), 148);
  EXPECT_EQ(Figure(r, "land_database_connected_communes").value(), 148);

  const auto& eid = Figure(r, "EID_ACTIVATION_RATE").indicator();
  EXPECT_EQ(eid.value().ratio().numerator(), 2438487);
  EXPECT_EQ(eid.value().ratio().denominator(), 2565124);
  EXPECT_EQ(eid.value().percent(), "95.06");
  EXPECT_EQ(eid.value().rounding(), common::v1::HALF_UP);
  EXPECT_EQ(eid.value().decimals(), 2);
  EXPECT_EQ(eid.colour(), common::v1::GREEN);
  EXPECT_EQ(eid.threshold_version(), "eidentity-thresholds-2025-07");
  EXPECT_EQ(eid.coverage().reported(), 148);

  const auto& einvoice = Figure(r, "E_INVOICE_RATE").indicator();
  EXPECT_EQ(einvoice.value().ratio().numerator(), 2671);
  EXPECT_EQ(einvoice.value().ratio().denominator(), 4070);
  EXPECT_EQ(einvoice.value().percent(), "65.62");
  EXPECT_EQ(einvoice.value().rounding(), common::v1::TRUNCATE);
  EXPECT_EQ(*RenderPercent({2671, 4070}, RoundingMode::kHalfUp, 2), "65.63");
  EXPECT_EQ(*RenderPercent({2671, 4070}, RoundingMode::kTruncate, 2), "65.62");

  EXPECT_EQ(Figure(r, "PENSION_ACCOUNT_RATE").indicator().value().percent(),
            "66.29");
  EXPECT_EQ(
      Figure(r, "SOCIAL_INSURANCE_ACCOUNT_RATE").indicator().value().percent(),
      "99.54");
  EXPECT_EQ(
      Figure(r, "ELECTRICITY_CASHLESS_RATE").indicator().value().percent(),
      "99.82");
  // Flows are month-to-date: nothing reported yet in November.
  const v1::Rollup november = Rollup(Date(2025, 11, 2));
  EXPECT_EQ(Figure(november, "pension_paid_to_accounts").value(), 0);
  EXPECT_EQ(Figure(november, "eid_accounts_issued").value(), 2565124);
  // Stale: every commune's last report is older than 5 days by then.
  EXPECT_EQ(Rollup(Date(2025, 11, 2), 5).stale_size(), 148);
  // Before the reports: nothing, nobody.
  const v1::Rollup before = Rollup(Date(2025, 10, 22));
  EXPECT_EQ(before.coverage().reported(), 0);
  EXPECT_EQ(before.coverage().missing_count(), 148);
  EXPECT_EQ(Figure(before, "eid_accounts_issued").value(), 0);
  EXPECT_EQ(Figure(before, "EID_ACTIVATION_RATE").indicator().value().percent(),
            "");
  for (const char* metric : {"eid_accounts_issued", "land_parcels_in_database",
                             "pension_paid_to_accounts"}) {
    EXPECT_EQ(*core_->TEST_RecountFromPoints(kPhuTho, metric,
                                             absl::CivilDay(2025, 10, 23)),
              Figure(r, metric).value())
        << metric;
  }
}

TEST_F(EidentityCoreTest, InvalidReportsNameTheFieldAndWriteNothing) {
  const std::string unit = communes_[0]->name;
  ASSERT_TRUE(Report(MakeSnapshot(unit, Date(2025, 10, 1),
                                  {{"eid_accounts_issued", Count(100)},
                                   {"eid_accounts_activated", Count(90)}}))
                  .ok());
  const uint64_t head = store_->change_log().head();
  struct Case {
    v1::Snapshot snapshot;
    std::string field;
  };
  std::vector<Case> cases = {
      {MakeSnapshot(unit, Date(2025, 10, 2),
                    {{"eid_accounts_issued", Count(-1)}}),
       "snapshot.values.eid_accounts_issued.count"},
      {MakeSnapshot(unit, Date(2025, 10, 2),
                    {{"E_INVOICE_RATE", RatioValue(5, 4)}}),
       "snapshot.values.E_INVOICE_RATE.ratio.numerator"},
      {MakeSnapshot(unit, Date(2025, 10, 2),
                    {{"eid_accounts_issued", Count(200)},
                     {"eid_accounts_activated", Count(201)}}),
       "snapshot.values.eid_accounts_activated.count"},
      // Against the stored issued (100).
      {MakeSnapshot(unit, Date(2025, 10, 2),
                    {{"eid_accounts_activated", Count(101)}}),
       "snapshot.values.eid_accounts_activated.count"},
      {MakeSnapshot(unit, Date(2025, 10, 2), {{"no_such_metric", Count(1)}}),
       "snapshot.values.no_such_metric"},
      {MakeSnapshot(unit, Date(2025, 10, 2), {{"E_INVOICE_RATE", Count(1)}}),
       "snapshot.values.E_INVOICE_RATE.count"},
      {MakeSnapshot(unit, Date(2025, 10, 2),
                    {{"eid_accounts_issued", RatioValue(1, 2)}}),
       "snapshot.values.eid_accounts_issued.ratio"},
      // A STOCK that decreases without correction.
      {MakeSnapshot(unit, Date(2025, 10, 2),
                    {{"eid_accounts_issued", Count(99)}}),
       "snapshot.values.eid_accounts_issued.count"},
      // ... also when its own date is re-reported lower.
      {MakeSnapshot(unit, Date(2025, 10, 1),
                    {{"eid_accounts_issued", Count(99)}}),
       "snapshot.values.eid_accounts_issued.count"},
      // Beyond the catalogue's bound (10^9): no sum can overflow.
      {MakeSnapshot(unit, Date(2025, 10, 2),
                    {{"eid_accounts_issued", Count(9223372036854775807)}}),
       "snapshot.values.eid_accounts_issued.count"},
      {MakeSnapshot(unit, Date(2025, 10, 2),
                    {{"eid_accounts_issued", Count(1'000'000'001)}}),
       "snapshot.values.eid_accounts_issued.count"},
      {MakeSnapshot(unit, Date(2025, 10, 2),
                    {{"E_INVOICE_RATE",
                      RatioValue(9223372036854775806, 9223372036854775807)}}),
       "snapshot.values.E_INVOICE_RATE.ratio.numerator"},
      {MakeSnapshot(unit, Date(2025, 10, 2), {}), "snapshot.values"},
      {MakeSnapshot(unit, Date(2025, 2, 30),
                    {{"eid_accounts_issued", Count(1)}}),
       "snapshot.as_of_date"},
      {MakeSnapshot(unit, Date(2999, 1, 1),
                    {{"eid_accounts_issued", Count(1)}}),
       "snapshot.as_of_date"},
      {MakeSnapshot("provinces/25/agencies/so-khcn", Date(2025, 10, 2),
                    {{"eid_accounts_issued", Count(1)}}),
       "snapshot.unit"},
  };
  {
    v1::Snapshot no_source = MakeSnapshot(unit, Date(2025, 10, 2),
                                          {{"eid_accounts_issued", Count(1)}});
    no_source.clear_source();
    cases.push_back({no_source, "snapshot.source"});
    v1::Snapshot no_reason = MakeSnapshot(unit, Date(2025, 10, 2),
                                          {{"eid_accounts_issued", Count(99)}});
    no_reason.set_correction(true);
    cases.push_back({no_reason, "snapshot.correction_reason"});
  }
  for (const Case& c : cases) {
    auto r = Report(c.snapshot);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument)
        << c.field << " " << r.status();
    EXPECT_EQ(FieldOf(r.status()), c.field);
  }
  {
    // A rule broken by two reported values blames both; one broken by a
    // reported value against a stored one blames only the reported field
    // and names the stored value.
    auto both = Report(MakeSnapshot(unit, Date(2025, 10, 2),
                                    {{"eid_accounts_issued", Count(200)},
                                     {"eid_accounts_activated", Count(201)}}));
    auto violations = FieldViolationsOf(both.status());
    ASSERT_EQ(violations.size(), 2u) << both.status();
    EXPECT_EQ(violations[1].field, "snapshot.values.eid_accounts_issued.count");
    v1::Snapshot lower = MakeSnapshot(unit, Date(2025, 10, 2),
                                      {{"eid_accounts_issued", Count(80)}});
    lower.set_correction(true);
    lower.set_correction_reason("recount");
    auto against_stored = Report(lower);
    violations = FieldViolationsOf(against_stored.status());
    ASSERT_EQ(violations.size(), 1u) << against_stored.status();
    EXPECT_EQ(violations[0].field, "snapshot.values.eid_accounts_issued.count");
    EXPECT_EQ(violations[0].description,
              "eid_accounts_activated must not exceed eid_accounts_issued "
              "(90 > 80); stored: eid_accounts_activated = 90");
  }
  auto unknown =
      Report(MakeSnapshot("provinces/25/communes/99999", Date(2025, 10, 2),
                          {{"eid_accounts_issued", Count(1)}}));
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->change_log().head(), head);

  // With correction and a reason the decrease is accepted and audited.
  v1::Snapshot corrected = MakeSnapshot(unit, Date(2025, 10, 2),
                                        {{"eid_accounts_issued", Count(95)}});
  corrected.set_correction(true);
  corrected.set_correction_reason("duplicates removed by the police");
  ASSERT_TRUE(Report(corrected).ok());
  v1::GetHistoryRequest history;
  history.set_unit(unit);
  history.set_metric("eid_accounts_issued");
  auto h = core_->GetHistory(history);
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_EQ(h->points_size(), 2);
  EXPECT_EQ(h->points(1).value(), 95);
  EXPECT_TRUE(h->points(1).correction());
  EXPECT_EQ(h->points(1).correction_reason(),
            "duplicates removed by the police");
}

// A deployment bound to Phú Thọ (--province) takes no snapshot of a Hà Nội
// commune: INVALID_ARGUMENT naming the field and the province.
TEST_F(EidentityCoreTest, SnapshotsOutsideTheDeploymentProvinceAreRefused) {
  auto bound = UnitRegistry::Load(kConfigDir, {.province = kPhuTho});
  ASSERT_TRUE(bound.ok()) << bound.status();
  const EidentityCore core(store_.get(), bound->get(), catalog_, clock_,
                           EidentityCoreOptions{});
  v1::ReportSnapshotRequest req;
  *req.mutable_snapshot() = MakeSnapshot(
      (*bound)->Children("provinces/01", UnitLevel::kCommune)[0]->name,
      Date(2025, 10, 2), {{"eid_accounts_issued", Count(1)}});
  auto refused = core.PrepareReportSnapshot(req, "test");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(refused.status()), "snapshot.unit");
  EXPECT_NE(refused.status().message().find(kPhuTho), std::string::npos)
      << refused.status();
  *req.mutable_snapshot() = MakeSnapshot(communes_[0]->name, Date(2025, 10, 2),
                                         {{"eid_accounts_issued", Count(1)}});
  EXPECT_TRUE(core.PrepareReportSnapshot(req, "test").ok());
}

TEST_F(EidentityCoreTest, BatchIsAllOrNothing) {
  const uint64_t head = store_->change_log().head();
  std::vector<v1::Snapshot> snapshots = {
      MakeSnapshot(communes_[0]->name, Date(2025, 10, 1),
                   {{"eid_accounts_issued", Count(100)}}),
      MakeSnapshot(communes_[1]->name, Date(2025, 10, 1),
                   {{"eid_accounts_issued", Count(50)}}),
      // Decreases what the first snapshot of the same batch wrote.
      MakeSnapshot(communes_[0]->name, Date(2025, 10, 2),
                   {{"eid_accounts_issued", Count(10)}})};
  absl::Status status = Batch(snapshots);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(FieldOf(status), "snapshots[2].values.eid_accounts_issued.count");
  EXPECT_EQ(store_->change_log().head(), head);
  EXPECT_EQ(Figure(Rollup(Date(2025, 10, 5)), "eid_accounts_issued").value(),
            0);
  snapshots[2] = MakeSnapshot("provinces/25/communes/00000", Date(2025, 10, 2),
                              {{"eid_accounts_issued", Count(10)}});
  status = Batch(snapshots);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(status.message().find("snapshots[2].unit"), std::string::npos)
      << status;
  snapshots.pop_back();
  ASSERT_TRUE(Batch(snapshots).ok());
  EXPECT_EQ(Figure(Rollup(Date(2025, 10, 5)), "eid_accounts_issued").value(),
            150);
}

TEST_F(EidentityCoreTest, RetriesWithTheSameRequestIdAreStoredOnce) {
  v1::Snapshot s = MakeSnapshot(communes_[0]->name, Date(2025, 10, 1),
                                {{"eid_accounts_issued", Count(100)}});
  auto first = Report(s, "req-1");
  ASSERT_TRUE(first.ok()) << first.status();
  const uint64_t head = store_->change_log().head();
  auto retry = Report(s, "req-1");
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->last_sequence(), first->last_sequence());
  EXPECT_EQ(store_->change_log().head(), head);
  (*s.mutable_values())["eid_accounts_issued"] = Count(101);
  EXPECT_EQ(Report(s, "req-1").status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Figure(Rollup(Date(2025, 10, 1)), "eid_accounts_issued").value(),
            100);
}

TEST_F(EidentityCoreTest, ReplacementsBackfillsAndAsOfQueries) {
  const std::string unit = communes_[3]->name;
  ASSERT_TRUE(Report(MakeSnapshot(unit, Date(2025, 9, 30),
                                  {{"eid_accounts_issued", Count(100)}}))
                  .ok());
  ASSERT_TRUE(Report(MakeSnapshot(unit, Date(2025, 10, 31),
                                  {{"eid_accounts_issued", Count(300)}}))
                  .ok());
  // Same date again: replaces, audited with the previous value.
  auto replaced = Report(MakeSnapshot(unit, Date(2025, 10, 31),
                                      {{"eid_accounts_issued", Count(320)}}));
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->values_replaced(), 1);
  auto audit =
      store_->History(unit + "/metrics/eid_accounts_issued/points/2025-10-31");
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 2u);
  v1::MetricPoint previous;
  ASSERT_TRUE((*audit)[1].previous_value().UnpackTo(&previous));
  EXPECT_EQ(previous.value(), 300);
  // The unit's latest value moved 300 -> 320: the aggregator's delta.
  auto latest = store_->History(unit + "/metrics/eid_accounts_issued");
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 3u);
  v1::MetricPoint now;
  ASSERT_TRUE((*latest)[2].new_value().UnpackTo(&now));
  ASSERT_TRUE((*latest)[2].previous_value().UnpackTo(&previous));
  EXPECT_EQ(now.value() - previous.value(), 20);
  EXPECT_EQ(now.province(), kPhuTho);

  // Backfill between them: must lie between its neighbours.
  auto too_big = Report(MakeSnapshot(unit, Date(2025, 10, 15),
                                     {{"eid_accounts_issued", Count(400)}}));
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(Report(MakeSnapshot(unit, Date(2025, 10, 15),
                                  {{"eid_accounts_issued", Count(200)}}))
                  .ok());
  // Backfilling does not move the latest record.
  EXPECT_EQ(store_->History(unit + "/metrics/eid_accounts_issued")->size(), 3u);

  auto at = [&](int y, int m, int d) {
    v1::GetUnitMetricsRequest req;
    req.set_unit(unit);
    *req.mutable_as_of_date() = Date(y, m, d);
    auto r = core_->GetUnitMetrics(req);
    EXPECT_TRUE(r.ok()) << r.status();
    return Figure(*r, "eid_accounts_issued").value();
  };
  EXPECT_EQ(at(2025, 9, 29), 0);
  EXPECT_EQ(at(2025, 9, 30), 100);
  EXPECT_EQ(at(2025, 10, 20), 200);
  EXPECT_EQ(at(2025, 11, 20), 320);
  EXPECT_EQ(Figure(Rollup(Date(2025, 10, 20)), "eid_accounts_issued").value(),
            200);
  EXPECT_EQ(Figure(Rollup(Date(2025, 12, 1)), "eid_accounts_issued").value(),
            320);

  v1::GetUnitMetricsRequest province;
  province.set_unit("provinces/99");
  EXPECT_EQ(core_->GetUnitMetrics(province).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(EidentityCoreTest, HistoryPagesAndRatios) {
  const std::string unit = communes_[5]->name;
  for (int day = 1; day <= 5; ++day) {
    ASSERT_TRUE(
        Report(MakeSnapshot(unit, Date(2025, 10, day),
                            {{"eid_accounts_issued", Count(100 * day)},
                             {"eid_accounts_activated", Count(90 * day + 1)}}))
            .ok());
  }
  v1::GetHistoryRequest req;
  req.set_unit(unit);
  req.set_metric("eid_accounts_issued");
  req.set_page_size(2);
  *req.mutable_start_date() = Date(2025, 10, 2);
  std::vector<int64_t> values;
  for (int page = 0; page < 5; ++page) {
    auto r = core_->GetHistory(req);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->kind(), v1::STOCK);
    for (const auto& p : r->points()) values.push_back(p.value());
    if (r->next_page_token().empty()) break;
    req.set_page_token(r->next_page_token());
  }
  EXPECT_EQ(values, (std::vector<int64_t>{200, 300, 400, 500}));

  req.clear_page_token();
  req.clear_start_date();
  req.set_page_size(0);
  req.set_metric("EID_ACTIVATION_RATE");
  auto ratio = core_->GetHistory(req);
  ASSERT_TRUE(ratio.ok()) << ratio.status();
  ASSERT_EQ(ratio->points_size(), 5);
  EXPECT_EQ(ratio->points(0).ratio().ratio().numerator(), 91);
  EXPECT_EQ(ratio->points(0).ratio().ratio().denominator(), 100);
  EXPECT_EQ(ratio->points(0).ratio().percent(), "91.00");

  req.set_page_token("garbage");
  EXPECT_EQ(FieldOf(core_->GetHistory(req).status()), "page_token");
  req.clear_page_token();
  req.set_metric("nope");
  EXPECT_EQ(FieldOf(core_->GetHistory(req).status()), "metric");
  req.set_metric("eid_accounts_issued");
  req.set_page_size(5000);
  EXPECT_EQ(FieldOf(core_->GetHistory(req).status()), "page_size");
}

TEST_F(EidentityCoreTest, MetricDefinitionsComeFromTheCatalogue) {
  v1::ListMetricDefinitionsRequest req;
  req.set_page_size(10);
  std::vector<v1::MetricDefinition> all;
  for (;;) {
    auto page = core_->ListMetricDefinitions(req);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& d : page->metric_definitions()) all.push_back(d);
    if (page->next_page_token().empty()) break;
    req.set_page_token(page->next_page_token());
  }
  EXPECT_EQ(all.size(),
            static_cast<size_t>(catalog_->config().measures_size() +
                                catalog_->config().indicators_size()));
  std::set<v1::MetricKind> kinds;
  for (const auto& d : all) kinds.insert(d.kind());
  EXPECT_EQ(kinds, (std::set<v1::MetricKind>{v1::STOCK, v1::FLOW, v1::RATIO}));

  v1::GetMetricDefinitionRequest get;
  get.set_name("metricDefinitions/E_INVOICE_RATE");
  auto einvoice = core_->GetMetricDefinition(get);
  ASSERT_TRUE(einvoice.ok());
  EXPECT_EQ(einvoice->kind(), v1::RATIO);
  EXPECT_EQ(einvoice->rounding(), common::v1::TRUNCATE);
  EXPECT_EQ(einvoice->numerator(0), "business_households_einvoice");
  get.set_name("metricDefinitions/nope");
  EXPECT_EQ(core_->GetMetricDefinition(get).status().code(),
            absl::StatusCode::kNotFound);
  get.set_name("nope");
  EXPECT_EQ(FieldOf(core_->GetMetricDefinition(get).status()), "name");
}

// Random snapshots, same-day replacements, backfills and corrections over a
// few communes of Phú Thọ (and one of another province, which must not
// count): the rollup (both its current fast path and its as-of-a-past-date
// path) equals a recount from the stored points and from an in-test model.
TEST_F(EidentityCoreTest, PropertyRollupEqualsRecountFromHistory) {
  std::mt19937_64 rng(20251023);
  const std::vector<std::string> metrics = {"eid_accounts_issued",
                                            "land_parcels_in_database",
                                            "pension_monthly_recipients"};
  std::vector<std::string> units;
  for (int i = 0; i < 8; ++i) units.push_back(communes_[i * 7]->name);
  const std::string outsider =
      units_->Children("provinces/01", UnitLevel::kCommune)[0]->name;
  units.push_back(outsider);
  // model[unit][metric][day] = value
  std::map<std::string, std::map<std::string, std::map<int, int64_t>>> model;
  const absl::CivilDay base(2025, 1, 1);
  auto date_of = [&](int day) {
    absl::CivilDay d = base + day;
    return Date(static_cast<int>(d.year()), d.month(), d.day());
  };
  int accepted = 0;
  for (int op = 0; op < 500; ++op) {
    const std::string& unit = units[rng() % units.size()];
    const std::string& metric = metrics[rng() % metrics.size()];
    const int day = static_cast<int>(rng() % 45);
    const int64_t value = static_cast<int64_t>(rng() % 1000);
    v1::Snapshot s = MakeSnapshot(unit, date_of(day), {{metric, Count(value)}});
    if (rng() % 3 == 0) {
      s.set_correction(true);
      s.set_correction_reason("recount");
    }
    // The model's verdict: a STOCK must lie between its neighbours in time,
    // and not below what its own date already holds, unless it is a
    // correction.
    const auto& series = model[unit][metric];
    bool allowed = s.correction() || metric == "pension_monthly_recipients";
    if (!allowed) {
      auto after = series.upper_bound(day);
      auto at_or_after = series.lower_bound(day);
      const bool below_prev = at_or_after != series.begin() &&
                              value < std::prev(at_or_after)->second;
      const bool above_next = after != series.end() && value > after->second;
      const bool below_same = at_or_after != series.end() &&
                              at_or_after->first == day &&
                              value < at_or_after->second;
      allowed = !below_prev && !above_next && !below_same;
    }
    auto r = Report(s);
    ASSERT_EQ(r.ok(), allowed) << r.status() << " op " << op;
    if (r.ok()) {
      model[unit][metric][day] = value;
      ++accepted;
    } else {
      ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument)
          << r.status();
    }
  }
  EXPECT_GT(accepted, 200);
  for (int day : {0, 5, 20, 31, 38, 44, 120}) {
    const v1::Rollup r = Rollup(date_of(day));
    const absl::CivilDay civil = base + day;
    const int month_start =
        static_cast<int>(absl::CivilDay(absl::CivilMonth(civil)) - base);
    for (const std::string& metric : metrics) {
      const bool flow = metric == "pension_monthly_recipients";
      int64_t expected = 0;
      int reporters = 0;
      for (const auto& [unit, by_metric] : model) {
        if (unit == outsider) continue;
        auto it = by_metric.find(metric);
        if (it == by_metric.end()) continue;
        const auto& series = it->second;
        if (series.begin()->first <= day) ++reporters;
        for (const auto& [d, v] : series) {
          if (d > day) break;
          if (flow) {
            if (d >= month_start) expected += v;
          }
        }
        if (!flow) {
          auto last = series.upper_bound(day);
          if (last != series.begin()) expected += std::prev(last)->second;
        }
      }
      const auto& figure = Figure(r, metric);
      EXPECT_EQ(figure.value(), expected) << metric << " day " << day;
      EXPECT_EQ(figure.coverage().reported(), reporters)
          << metric << " day " << day;
      auto recount = core_->TEST_RecountFromPoints(kPhuTho, metric, civil);
      ASSERT_TRUE(recount.ok());
      EXPECT_EQ(*recount, figure.value()) << metric << " day " << day;
    }
  }
}

// "Today" comes from the injected clock: a report may be dated up to
// tomorrow in Vietnam, and a read that names no date is as of today.
TEST_F(EidentityCoreTest, TodayComesFromTheClock) {
  const std::string unit = communes_[2]->name;
  auto future = Report(MakeSnapshot(unit, Date(2025, 11, 3),
                                    {{"eid_accounts_issued", Count(5)}}));
  EXPECT_EQ(future.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(future.status()), "snapshot.as_of_date");
  ASSERT_TRUE(Report(MakeSnapshot(unit, Date(2025, 11, 2),
                                  {{"eid_accounts_issued", Count(5)}}))
                  .ok());
  v1::GetUnitMetricsRequest req;
  req.set_unit(unit);
  auto today = core_->GetUnitMetrics(req);
  ASSERT_TRUE(today.ok()) << today.status();
  EXPECT_EQ(today->as_of_date().day(), 1);
  EXPECT_EQ(Figure(*today, "eid_accounts_issued").value(), 0);
  clock_.Advance(absl::Hours(24));
  today = core_->GetUnitMetrics(req);
  ASSERT_TRUE(today.ok()) << today.status();
  EXPECT_EQ(today->as_of_date().day(), 2);
  EXPECT_EQ(Figure(*today, "eid_accounts_issued").value(), 5);
}

// A page token is bound to its listing: the unit, the metric and the range
// of a history; a token reused elsewhere is INVALID_ARGUMENT "page_token".
TEST_F(EidentityCoreTest, PageTokensBelongToTheirListing) {
  const std::string unit = communes_[6]->name;
  for (int day = 1; day <= 3; ++day) {
    ASSERT_TRUE(Report(MakeSnapshot(unit, Date(2025, 10, day),
                                    {{"eid_accounts_issued", Count(10 * day)}}))
                    .ok());
  }
  v1::GetHistoryRequest history;
  history.set_unit(unit);
  history.set_metric("eid_accounts_issued");
  history.set_page_size(1);
  auto first = core_->GetHistory(history);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_FALSE(first->next_page_token().empty());

  v1::GetHistoryRequest other = history;
  other.set_page_token(first->next_page_token());
  *other.mutable_start_date() = Date(2025, 10, 2);
  EXPECT_EQ(FieldOf(core_->GetHistory(other).status()), "page_token");
  other.clear_start_date();
  other.set_metric("eid_accounts_activated");
  EXPECT_EQ(FieldOf(core_->GetHistory(other).status()), "page_token");
  v1::ListMetricDefinitionsRequest list;
  list.set_page_token(first->next_page_token());
  EXPECT_EQ(FieldOf(core_->ListMetricDefinitions(list).status()), "page_token");

  history.set_page_token(first->next_page_token());
  auto second = core_->GetHistory(history);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->points_size(), 1);
  EXPECT_EQ(second->points(0).value(), 20);
}

}  // namespace
}  // namespace nq57::eidentity
