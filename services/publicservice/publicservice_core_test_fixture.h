// The fixture of PublicServiceCore's unit tests: a core over a real RocksDB
// store (no fsync) in a fresh temp dir, the deploy/config unit registry and
// indicator catalogue, a clock fixed at the seed's reporting day, and the
// helpers the tests share (a request of each kind, a constraint-satisfying
// DossierCounts, the field an error names).
//
// Test-only; each test owns its fixture (not shared across threads).
#ifndef NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_CORE_TEST_FIXTURE_H_
#define NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_CORE_TEST_FIXTURE_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/time/clock.h"
#include "gtest/gtest.h"
#include "services/publicservice/publicservice_aggregates.h"
#include "services/publicservice/publicservice_core.h"
#include "tests/support/proto_date.h"
#include "tests/support/temp_dir.h"

namespace nq57::publicservice {

inline const std::string kConfigDir =
    std::string(NQ57_SOURCE_DIR) + "/deploy/config";
inline constexpr char kPhuTho[] = "provinces/25";
inline constexpr char kVietTri[] = "provinces/25/communes/07900";
inline constexpr char kNongTrang[] = "provinces/25/communes/07894";
inline constexpr char kThanhMieu[] = "provinces/25/communes/07909";

// 2025-10-23 12:00 in Viet Nam: the seed's reporting day.
inline absl::Time FixedNow() {
  return absl::FromCivil(absl::CivilSecond(2025, 10, 23, 12, 0, 0),
                         absl::FixedTimeZone(7 * 3600));
}

inline constexpr auto& Date = nq57::testing::ProtoDate;

class PublicServiceCoreTest : public nq57::testing::TempDirTest {
 protected:
  void SetUp() override {
    auto units = UnitRegistry::Load(kConfigDir);
    ASSERT_TRUE(units.ok()) << units.status();
    units_ = std::move(*units);
    auto catalog = IndicatorCatalog::LoadFile(
        kConfigDir + "/indicators/publicservice.textproto");
    ASSERT_TRUE(catalog.ok()) << catalog.status();
    catalog_ = std::move(*catalog);
    ASSERT_TRUE(PublicServiceCore::CheckCatalog(*catalog_).ok());
    // Durability is not under test here: no fsync keeps the suite fast.
    auto store = Store::Open(
        Path("db"), {.column_families = PublicServiceCore::ColumnFamilies(),
                     .sync = false});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    core_ = std::make_unique<PublicServiceCore>(store_.get(), units_.get(),
                                                catalog_.get(), clock_);
    ASSERT_TRUE(IndexCodes(StatisticsCodes()).ok());
  }

  // The procedure codes the statistics tests name ("1.0".."1.9" and
  // "1.000000".."1.000009"): SetUp puts them in the procedure-code index of
  // Phú Thọ and of Hà Nội (provinces/01, "another province" in some tests),
  // as CreateProcedure would, without creating procedures (which would
  // change the catalogue's counts those tests do not look at). The check
  // itself: StatisticsOfAProcedureOutsideTheCatalogue.
  static std::vector<std::string> StatisticsCodes() {
    std::vector<std::string> codes;
    for (int i = 0; i < 10; ++i) {
      codes.push_back(absl::StrCat("1.", i));
      codes.push_back(absl::StrCat("1.00000", i));
    }
    return codes;
  }
  absl::Status IndexCodes(const std::vector<std::string>& codes) {
    CommitRequest commit;
    commit.actor = "test";
    commit.apply = [codes](Transaction& txn) -> absl::Status {
      for (const char* province : {kPhuTho, "provinces/01"}) {
        for (const std::string& code : codes) {
          RETURN_IF_ERROR(
              txn.Put(kProcedureCodes, ProcedureCodeKey(province, code), ""));
        }
      }
      return absl::OkStatus();
    };
    return store_->CommitAndWait(std::move(commit)).status();
  }

  absl::StatusOr<CommitResult> Commit(absl::StatusOr<CommitRequest> request) {
    if (!request.ok()) return request.status();
    return store_->CommitAndWait(std::move(*request));
  }

  absl::StatusOr<v1::Procedure> Create(const std::string& unit,
                                       const std::string& code,
                                       v1::OnlineLevel level,
                                       common::v1::Date from = Date(2025, 1, 1),
                                       const std::string& field = "land") {
    v1::CreateProcedureRequest req;
    req.set_parent(unit);
    req.set_procedure_id(code);
    req.mutable_procedure()->set_display_name(absl::StrCat("Thủ tục ", code));
    req.mutable_procedure()->set_field(field);
    req.mutable_procedure()->set_online_level(level);
    *req.mutable_procedure()->mutable_level_effective_from() = from;
    auto result = Commit(core_->PrepareCreateProcedure(req, "test"));
    if (!result.ok()) return result.status();
    v1::Procedure p;
    p.ParseFromString(result->response);
    return p;
  }

  absl::Status ChangeLevel(const std::string& name, v1::OnlineLevel level,
                           common::v1::Date from) {
    v1::UpdateProcedureRequest req;
    req.mutable_procedure()->set_name(name);
    req.mutable_procedure()->set_online_level(level);
    *req.mutable_procedure()->mutable_level_effective_from() = from;
    req.mutable_update_mask()->add_paths("online_level");
    return Commit(core_->PrepareUpdateProcedure(req, "test")).status();
  }

  static v1::ReportDossierStatsRequest Report(const std::string& unit,
                                              const std::string& month,
                                              const std::string& procedure,
                                              const v1::DossierCounts& c) {
    v1::ReportDossierStatsRequest req;
    req.mutable_stats()->set_unit(unit);
    req.mutable_stats()->mutable_period()->set_month(month);
    req.mutable_stats()->set_procedure(procedure);
    *req.mutable_stats()->mutable_counts() = c;
    return req;
  }

  absl::StatusOr<CommitResult> Send(const v1::ReportDossierStatsRequest& req) {
    return Commit(core_->PrepareReportDossierStats(req, "test"));
  }

  absl::StatusOr<v1::UnitIndicators> Indicators(
      const std::string& unit, const std::string& first,
      const std::string& last, common::v1::Date as_of = Date(2025, 10, 23)) {
    v1::GetIndicatorsRequest req;
    req.set_unit(unit);
    req.mutable_months()->set_first_month(first);
    req.mutable_months()->set_last_month(last);
    *req.mutable_as_of_date() = as_of;
    return core_->GetIndicators(req);
  }

  static const common::v1::IndicatorValue* Find(const v1::UnitIndicators& u,
                                                const std::string& code) {
    for (const auto& v : u.indicators()) {
      if (v.code() == code) return &v;
    }
    return nullptr;
  }

  // Destroyed in reverse order: the core, then the store (completing queued
  // commits) before the registry, catalogue and clock they refer to.
  ManualClock clock_{FixedNow()};
  std::unique_ptr<UnitRegistry> units_;
  std::unique_ptr<IndicatorCatalog> catalog_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<PublicServiceCore> core_;
};

// Counts that satisfy every constraint, scaled by `k`.
inline v1::DossierCounts Counts(int64_t k) {
  v1::DossierCounts c;
  c.set_dossiers_received_online(6 * k);
  c.set_dossiers_received_in_person(3 * k);
  c.set_dossiers_received_by_post(k);
  c.set_dossiers_processed(9 * k);
  c.set_dossiers_processed_on_time(8 * k);
  c.set_dossiers_processed_late(k);
  c.set_dossiers_digitised(8 * k);
  c.set_results_issued(9 * k);
  c.set_results_digitised(7 * k);
  c.set_results_reused(5 * k);
  c.set_fee_payments(4 * k);
  c.set_fees_paid_online(2 * k);
  return c;
}

inline std::string FieldOf(const absl::Status& s) {
  auto v = FieldViolationsOf(s);
  return v.empty() ? "" : v[0].field;
}

}  // namespace nq57::publicservice

#endif  // NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_CORE_TEST_FIXTURE_H_
