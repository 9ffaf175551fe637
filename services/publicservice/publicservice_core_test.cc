// PublicServiceCore over a real RocksDB store in a temporary directory: the
// reference figures of the seed (DESIGN section 7), replacement without
// double counting, idempotency, every validation path of a report,
// all-or-nothing batches, and the property that the incremental aggregates
// equal a recount after random reports, replacements and level changes.
// Procedures: publicservice_procedures_test.cc; indicator listings and
// query errors: publicservice_indicators_test.cc.
#include <atomic>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "absl/strings/str_format.h"
#include "services/publicservice/publicservice_core_test_fixture.h"

namespace nq57::publicservice {
namespace {

TEST_F(PublicServiceCoreTest, ReferenceProcedureSharesOfPhuTho) {
  // 2,132 procedures: 885 full-process, 1,183 partial, 64 offline, owned by
  // the province, two agencies and three communes.
  const std::vector<std::string> owners = {kPhuTho,
                                           "provinces/25/agencies/so-khcn",
                                           "provinces/25/agencies/so-tc",
                                           kVietTri,
                                           kNongTrang,
                                           kThanhMieu};
  std::vector<CommitRequest> commits;
  for (int i = 0; i < 2132; ++i) {
    const v1::OnlineLevel level =
        i < 885 ? v1::FULL_PROCESS
                : (i < 885 + 1183 ? v1::PARTIAL : v1::OFFLINE);
    v1::CreateProcedureRequest req;
    req.set_parent(owners[i % owners.size()]);
    req.set_procedure_id(absl::StrFormat("1.%06d", i));
    req.mutable_procedure()->set_display_name("p");
    req.mutable_procedure()->set_field(i % 3 == 0 ? "land" : "justice");
    req.mutable_procedure()->set_online_level(level);
    *req.mutable_procedure()->mutable_level_effective_from() =
        Date(2025, 1 + i % 9, 1 + i % 28);
    auto commit = core_->PrepareCreateProcedure(req, "test");
    ASSERT_TRUE(commit.ok()) << commit.status();
    commits.push_back(std::move(*commit));
  }
  // Queue them all at once: the store's writer groups them.
  std::atomic<int> pending{static_cast<int>(commits.size())};
  std::atomic<int> failed{0};
  for (CommitRequest& c : commits) {
    store_->Commit(std::move(c), [&](absl::StatusOr<CommitResult> r) {
      if (!r.ok()) ++failed;
      --pending;
    });
  }
  while (pending.load() > 0) absl::SleepFor(absl::Milliseconds(5));
  ASSERT_EQ(failed.load(), 0);

  auto phu_tho = Indicators(kPhuTho, "2025-10", "2025-10");
  ASSERT_TRUE(phu_tho.ok()) << phu_tho.status();
  const auto* full = Find(*phu_tho, "FULL_PROCESS_SHARE");
  const auto* partial = Find(*phu_tho, "PARTIAL_SHARE");
  ASSERT_NE(full, nullptr);
  ASSERT_NE(partial, nullptr);
  EXPECT_EQ(full->value().ratio().numerator(), 885);
  EXPECT_EQ(full->value().ratio().denominator(), 2132);
  EXPECT_EQ(full->value().percent(), "42");  // 41.51%
  EXPECT_EQ(full->value().rounding(), common::v1::HALF_UP);
  EXPECT_EQ(full->value().decimals(), 0);
  EXPECT_EQ(partial->value().ratio().numerator(), 1183);
  EXPECT_EQ(partial->value().percent(), "55");  // 55.49%
  EXPECT_EQ(full->catalog_version(), "publicservice-2025.12");
  EXPECT_EQ(full->threshold_version(), "psc-thresholds-local-2025-07");
  EXPECT_EQ(full->colour(), common::v1::YELLOW);  // 42% < 50%, >= 40%
  EXPECT_EQ(Find(*phu_tho, "OFFLINE_SHARE")->value().ratio().numerator(), 64);

  // As of an earlier date only the procedures already in effect count.
  auto march = Indicators(kPhuTho, "2025-03", "2025-03", Date(2025, 3, 1));
  ASSERT_TRUE(march.ok());
  EXPECT_LT(Find(*march, "FULL_PROCESS_SHARE")->value().ratio().denominator(),
            2132);
  EXPECT_EQ(Find(*march, "FULL_PROCESS_SHARE")->threshold_version(),
            "psc-thresholds-local-2025-01");
  // One commune on its own counts only its own catalogue.
  auto viet_tri = Indicators(kVietTri, "2025-10", "2025-10");
  ASSERT_TRUE(viet_tri.ok());
  EXPECT_EQ(
      Find(*viet_tri, "FULL_PROCESS_SHARE")->value().ratio().denominator(),
      2132 / 6 + (2132 % 6 > 3 ? 1 : 0));
  EXPECT_TRUE(core_->VerifyAggregates().ok()) << core_->VerifyAggregates();
}

TEST_F(PublicServiceCoreTest, ReferenceDigitisationAndReuseRates) {
  // Province totals: 10,000 dossiers received, 9,000 results issued;
  // 8,308 dossiers and 7,500 results digitised -> 15,808 / 19,000 = 83.20%;
  // 6,035 of the 7,500 digitised results reused -> 80.4667% -> 80.47%.
  struct Part {
    const char* unit;
    const char* month;
    int64_t online, in_person, post, issued, digitised, results_digitised,
        reused;
  };
  const Part parts[] = {
      {kVietTri, "2025-09", 2000, 1200, 300, 3000, 2900, 2500, 2000},
      {kVietTri, "2025-10", 1500, 500, 100, 2000, 1800, 1700, 1400},
      {kNongTrang, "2025-10", 1000, 600, 50, 2000, 1508, 1500, 1235},
      {kThanhMieu, "2025-10", 2000, 700, 50, 2000, 2100, 1800, 1400},
  };
  for (const Part& p : parts) {
    v1::DossierCounts c;
    c.set_dossiers_received_online(p.online);
    c.set_dossiers_received_in_person(p.in_person);
    c.set_dossiers_received_by_post(p.post);
    c.set_results_issued(p.issued);
    c.set_dossiers_digitised(p.digitised);
    c.set_results_digitised(p.results_digitised);
    c.set_results_reused(p.reused);
    ASSERT_TRUE(Send(Report(p.unit, p.month, "1.000001", c)).ok());
  }
  auto out = Indicators(kPhuTho, "2025-09", "2025-10");
  ASSERT_TRUE(out.ok()) << out.status();
  const auto* digitisation = Find(*out, "DIGITISATION_RATE");
  const auto* reuse = Find(*out, "REUSE_RATE");
  EXPECT_EQ(digitisation->value().ratio().numerator(), 15808);
  EXPECT_EQ(digitisation->value().ratio().denominator(), 19000);
  EXPECT_EQ(digitisation->value().percent(), "83.20");
  EXPECT_EQ(digitisation->value().decimals(), 2);
  EXPECT_EQ(digitisation->colour(), common::v1::GREEN);
  EXPECT_EQ(digitisation->inputs().at("results_issued"), 9000);
  EXPECT_EQ(reuse->value().ratio().numerator(), 6035);
  EXPECT_EQ(reuse->value().ratio().denominator(), 7500);
  EXPECT_EQ(reuse->value().percent(), "80.47");
  EXPECT_EQ(reuse->value().rounding(), common::v1::HALF_UP);
  // Coverage: 3 of Phú Thọ's 148 communes reported.
  EXPECT_EQ(reuse->coverage().reported(), 3);
  EXPECT_EQ(reuse->coverage().expected(), 148);
  EXPECT_EQ(reuse->coverage().missing_count(), 145);
  EXPECT_NE(reuse->formula().find("results_reused / results_digitised"),
            std::string::npos)
      << reuse->formula();
  // October alone leaves Việt Trì's September out.
  auto october = Indicators(kPhuTho, "2025-10", "2025-10");
  EXPECT_EQ(Find(*october, "REUSE_RATE")->value().ratio().denominator(), 5000);
  // No data: NO_DATA colour, empty percent.
  auto empty = Indicators(kPhuTho, "2025-01", "2025-01");
  EXPECT_EQ(Find(*empty, "REUSE_RATE")->colour(), common::v1::NO_DATA);
  EXPECT_EQ(Find(*empty, "REUSE_RATE")->value().percent(), "");
  EXPECT_EQ(Find(*empty, "REUSE_RATE")->coverage().reported(), 0);
}

TEST_F(PublicServiceCoreTest, SecondReportReplacesTheFirstAndIsAudited) {
  ASSERT_TRUE(Send(Report(kVietTri, "2025-10", "1.000001", Counts(10))).ok());
  auto replaced = Send(Report(kVietTri, "2025-10", "1.000001", Counts(3)));
  ASSERT_TRUE(replaced.ok());
  auto out = Indicators(kVietTri, "2025-10", "2025-10");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Find(*out, "REUSE_RATE")->value().ratio().numerator(), 15);
  EXPECT_EQ(Find(*out, "REUSE_RATE")->value().ratio().denominator(), 21);
  auto province = Indicators(kPhuTho, "2025-10", "2025-10");
  EXPECT_EQ(Find(*province, "REUSE_RATE")->value().ratio().numerator(), 15);
  EXPECT_EQ(Find(*province, "REUSE_RATE")->coverage().reported(), 1);

  const std::string name =
      "provinces/25/communes/07900/dossierStats/2025-10/procedures/1.000001";
  auto history = store_->History(name);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].kind(), changes::v1::CREATED);
  EXPECT_EQ((*history)[1].kind(), changes::v1::UPDATED);
  v1::DossierStats now, before;
  ASSERT_TRUE((*history)[1].new_value().UnpackTo(&now));
  ASSERT_TRUE((*history)[1].previous_value().UnpackTo(&before));
  EXPECT_EQ(now.counts().results_reused(), 15);
  EXPECT_EQ(before.counts().results_reused(), 50);
  EXPECT_EQ(now.unit(), kVietTri);
  EXPECT_EQ(now.period().month(), "2025-10");
  EXPECT_EQ((*history)[1].actor(), "test");
  EXPECT_TRUE(core_->VerifyAggregates().ok()) << core_->VerifyAggregates();
}

TEST_F(PublicServiceCoreTest, RetriedRequestIdIsStoredOnce) {
  auto req = Report(kVietTri, "2025-10", "1.000001", Counts(1));
  req.set_request_id("r-1");
  auto first = Send(req);
  ASSERT_TRUE(first.ok());
  auto retry = Send(req);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->response, first->response);
  EXPECT_EQ(store_->change_log().head(), 1u);
  req.mutable_stats()->mutable_counts()->set_fee_payments(99);
  EXPECT_EQ(Send(req).status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(PublicServiceCoreTest,
       EveryValidationErrorNamesItsFieldAndWritesNothing) {
  struct Case {
    std::string what;
    std::function<void(v1::ReportDossierStatsRequest&)> mutate;
    absl::StatusCode code;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"negative",
       [](auto& r) {
         r.mutable_stats()->mutable_counts()->set_dossiers_received_online(-1);
       },
       absl::StatusCode::kInvalidArgument,
       "stats.counts.dossiers_received_online"},
      {"digitised > received",
       [](auto& r) {
         r.mutable_stats()->mutable_counts()->set_dossiers_digitised(11);
       },
       absl::StatusCode::kInvalidArgument, "stats.counts.dossiers_digitised"},
      {"reused > digitised results",
       [](auto& r) {
         r.mutable_stats()->mutable_counts()->set_results_reused(8);
       },
       absl::StatusCode::kInvalidArgument, "stats.counts.results_reused"},
      {"on time + late > processed",
       [](auto& r) {
         r.mutable_stats()->mutable_counts()->set_dossiers_processed_late(2);
       },
       absl::StatusCode::kInvalidArgument,
       "stats.counts.dossiers_processed_on_time"},
      {"results digitised > issued",
       [](auto& r) {
         r.mutable_stats()->mutable_counts()->set_results_issued(6);
       },
       absl::StatusCode::kInvalidArgument, "stats.counts.results_digitised"},
      {"future month",
       [](auto& r) {
         r.mutable_stats()->mutable_period()->set_month("2025-11");
       },
       absl::StatusCode::kInvalidArgument, "stats.period.month"},
      {"bad month",
       [](auto& r) {
         r.mutable_stats()->mutable_period()->set_month("2025-13");
       },
       absl::StatusCode::kInvalidArgument, "stats.period.month"},
      {"quarter",
       [](auto& r) {
         r.mutable_stats()->mutable_period()->set_quarter("2025-Q3");
       },
       absl::StatusCode::kInvalidArgument, "stats.period.month"},
      {"no subject", [](auto& r) { r.mutable_stats()->clear_subject(); },
       absl::StatusCode::kInvalidArgument, "stats.procedure"},
      {"bad field", [](auto& r) { r.mutable_stats()->set_field("Land Use"); },
       absl::StatusCode::kInvalidArgument, "stats.field"},
      {"no unit", [](auto& r) { r.mutable_stats()->clear_unit(); },
       absl::StatusCode::kInvalidArgument, "stats.unit"},
      {"unknown unit",
       [](auto& r) {
         r.mutable_stats()->set_unit("provinces/25/communes/99999");
       },
       absl::StatusCode::kNotFound, ""},
  };
  for (const Case& c : cases) {
    auto req = Report(kVietTri, "2025-10", "1.000001", Counts(1));
    c.mutate(req);
    absl::Status s = Send(req).status();
    EXPECT_EQ(s.code(), c.code) << c.what << ": " << s;
    EXPECT_EQ(FieldOf(s), c.field) << c.what << ": " << s;
  }
  EXPECT_EQ(store_->change_log().head(), 0u);
  auto out = Indicators(kPhuTho, "2025-01", "2025-10");
  EXPECT_EQ(Find(*out, "ON_TIME_RATE")->value().ratio().denominator(), 0);
}

TEST_F(PublicServiceCoreTest, BatchIsAllOrNothingAndNamesTheItem) {
  v1::BatchReportDossierStatsRequest batch;
  for (int i = 0; i < 4; ++i) {
    *batch.add_requests() =
        Report(kVietTri, "2025-10", absl::StrCat("1.00000", i), Counts(i + 1));
  }
  batch.mutable_requests(2)
      ->mutable_stats()
      ->mutable_counts()
      ->set_results_reused(1000);
  absl::Status s =
      Commit(core_->PrepareBatchReportDossierStats(batch, "test")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "requests[2].stats.counts.results_reused");
  batch.mutable_requests(2)->mutable_stats()->set_unit("provinces/99");
  s = Commit(core_->PrepareBatchReportDossierStats(batch, "test")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(s.message().find("requests[2].stats.unit"), std::string::npos) << s;
  EXPECT_EQ(store_->change_log().head(), 0u);

  // A storage failure of the whole group also writes nothing.
  batch.mutable_requests(2)->mutable_stats()->set_unit(kNongTrang);
  *batch.mutable_requests(2)->mutable_stats()->mutable_counts() = Counts(2);
  store_->TEST_FailNextWrite();
  EXPECT_FALSE(Commit(core_->PrepareBatchReportDossierStats(batch, "t")).ok());
  EXPECT_EQ(store_->change_log().head(), 0u);
  EXPECT_TRUE(core_->VerifyAggregates().ok());

  // Fixed, it lands in one commit; a repeated key inside a batch replaces.
  *batch.add_requests() = Report(kVietTri, "2025-10", "1.000000", Counts(7));
  batch.set_request_id("b-1");
  auto ok = Commit(core_->PrepareBatchReportDossierStats(batch, "test"));
  ASSERT_TRUE(ok.ok()) << ok.status();
  v1::BatchReportDossierStatsResponse resp;
  ASSERT_TRUE(resp.ParseFromString(ok->response));
  EXPECT_EQ(resp.stats_size(), 5);
  EXPECT_EQ(resp.replaced_count(), 1);
  auto viet_tri = Indicators(kVietTri, "2025-10", "2025-10");
  // Counts(7) + Counts(2) + Counts(4): reused 5 * 13.
  EXPECT_EQ(Find(*viet_tri, "REUSE_RATE")->value().ratio().numerator(), 65);
  EXPECT_TRUE(core_->VerifyAggregates().ok()) << core_->VerifyAggregates();

  v1::BatchReportDossierStatsRequest bad_item_id;
  *bad_item_id.add_requests() = Report(kVietTri, "2025-10", "x", Counts(1));
  bad_item_id.mutable_requests(0)->set_request_id("inner");
  EXPECT_EQ(
      FieldOf(core_->PrepareBatchReportDossierStats(bad_item_id, "t").status()),
      "requests[0].request_id");
  EXPECT_EQ(FieldOf(core_->PrepareBatchReportDossierStats({}, "t").status()),
            "requests");
}

// Random reports, replacements, batches, procedures and level changes; after
// each round the stored aggregates equal a recount from the raw records, and
// the province's indicator inputs equal a model kept by the test.
TEST_F(PublicServiceCoreTest, PropertyIncrementalAggregatesEqualRecount) {
  std::mt19937 rng(57);
  const std::vector<const Unit*> communes =
      units_->Children(kPhuTho, UnitLevel::kCommune);
  std::vector<std::string> units = {kPhuTho, "provinces/25/agencies/so-khcn"};
  for (int i = 0; i < 6; ++i) units.push_back(communes[i]->name);
  units.push_back("provinces/01");  // another province's tree
  const std::vector<std::string> months = {"2025-07", "2025-08", "2025-09",
                                           "2025-10"};
  auto pick = [&](size_t n) {
    return static_cast<size_t>(
        std::uniform_int_distribution<size_t>(0, n - 1)(rng));
  };
  auto random_counts = [&] {
    std::uniform_int_distribution<int64_t> d(0, 200);
    v1::DossierCounts c;
    c.set_dossiers_received_online(d(rng));
    c.set_dossiers_received_in_person(d(rng));
    c.set_dossiers_received_by_post(d(rng) / 10);
    const int64_t received = c.dossiers_received_online() +
                             c.dossiers_received_in_person() +
                             c.dossiers_received_by_post();
    c.set_dossiers_digitised(received ? d(rng) % (received + 1) : 0);
    c.set_dossiers_processed(d(rng));
    c.set_dossiers_processed_on_time(c.dossiers_processed() / 2);
    c.set_dossiers_processed_late(c.dossiers_processed() / 3);
    c.set_results_issued(d(rng));
    c.set_results_digitised(c.results_issued() / 2);
    c.set_results_reused(c.results_digitised() / 2);
    c.set_fee_payments(d(rng));
    c.set_fees_paid_online(c.fee_payments() / 4);
    return c;
  };
  // The model: the latest counts per (unit, month, procedure).
  std::map<std::tuple<std::string, std::string, std::string>, v1::DossierCounts>
      model;
  std::vector<std::string> procedures;
  std::map<std::string, int> next_month_of;  // procedure -> month of level
  for (int round = 0; round < 6; ++round) {
    for (int op = 0; op < 40; ++op) {
      const int kind = static_cast<int>(pick(10));
      if (kind < 5) {
        const std::string unit = units[pick(units.size())];
        const std::string month = months[pick(months.size())];
        const std::string proc = absl::StrCat("1.", pick(5));
        const v1::DossierCounts c = random_counts();
        ASSERT_TRUE(Send(Report(unit, month, proc, c)).ok());
        model[{unit, month, proc}] = c;
      } else if (kind < 7) {
        v1::BatchReportDossierStatsRequest batch;
        const size_t n = 1 + pick(8);
        std::vector<std::tuple<std::string, std::string, std::string>> keys;
        std::vector<v1::DossierCounts> values;
        for (size_t i = 0; i < n; ++i) {
          const std::string unit = units[pick(units.size())];
          const std::string month = months[pick(months.size())];
          const std::string proc = absl::StrCat("1.", pick(5));
          const v1::DossierCounts c = random_counts();
          *batch.add_requests() = Report(unit, month, proc, c);
          keys.push_back({unit, month, proc});
          values.push_back(c);
        }
        const bool poison = pick(4) == 0;
        if (poison) {
          batch.mutable_requests(static_cast<int>(n - 1))
              ->mutable_stats()
              ->mutable_counts()
              ->set_results_reused(1'000'000);
        }
        auto r = Commit(core_->PrepareBatchReportDossierStats(batch, "p"));
        ASSERT_EQ(r.ok(), !poison) << r.status();
        if (!poison) {
          for (size_t i = 0; i < n; ++i) model[keys[i]] = values[i];
        }
      } else if (kind < 9 || procedures.empty()) {
        const std::string unit = units[pick(units.size())];
        const std::string code = absl::StrCat("2.", round, ".", op);
        const auto level = static_cast<v1::OnlineLevel>(1 + pick(3));
        const int month = 1 + static_cast<int>(pick(3));
        auto p = Create(unit, code, level, Date(2025, month, 1));
        ASSERT_TRUE(p.ok()) << p.status();
        procedures.push_back(p->name());
        next_month_of[p->name()] = 4;
      } else {
        const std::string name = procedures[pick(procedures.size())];
        int& month = next_month_of[name];
        if (month > 10) continue;
        // One draw per statement: argument order is the compiler's, and the
        // sequence must not depend on it. Not after the clock's today
        // (2025-10-23).
        const auto level = static_cast<v1::OnlineLevel>(1 + pick(3));
        const int day = 1 + static_cast<int>(pick(month == 10 ? 23 : 28));
        auto changed = ChangeLevel(name, level, Date(2025, month, day));
        ASSERT_TRUE(changed.ok()) << changed;
        month += 1 + static_cast<int>(pick(2));
      }
    }
    ASSERT_TRUE(core_->VerifyAggregates().ok()) << core_->VerifyAggregates();

    // The province's inputs over all months equal the model's sums.
    int64_t online = 0, reused = 0;
    std::set<std::string> reporters;
    for (const auto& [key, c] : model) {
      const Unit* u = units_->Find(std::get<0>(key));
      const std::string province =
          u->level == UnitLevel::kProvince ? u->name : u->parent;
      if (province != kPhuTho) continue;
      online += c.dossiers_received_online();
      reused += c.results_reused();
      if (u->level == UnitLevel::kCommune) reporters.insert(u->name);
    }
    auto out = Indicators(kPhuTho, "2025-07", "2025-10");
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(Find(*out, "ONLINE_DOSSIER_RATE")
                  ->inputs()
                  .at("dossiers_received_online"),
              online);
    EXPECT_EQ(Find(*out, "REUSE_RATE")->value().ratio().numerator(), reused);
    EXPECT_EQ(Find(*out, "REUSE_RATE")->coverage().reported(),
              static_cast<int64_t>(reporters.size()));
  }
}

TEST_F(PublicServiceCoreTest, VerifyAggregatesDetectsADrift) {
  ASSERT_TRUE(Send(Report(kVietTri, "2025-10", "1.1", Counts(2))).ok());
  ASSERT_TRUE(core_->VerifyAggregates().ok());
  // Corrupt one aggregate behind the core's back.
  auto drift =
      store_->CommitAndWait({.apply = [](Transaction& txn) -> absl::Status {
        bool done = false;
        absl::Status s = txn.Scan(
            "month_totals", "", "",
            [&](std::string_view key, std::string_view) {
              v1::DossierCounts c;
              c.set_results_reused(1);
              done = txn.Put("month_totals", key, c.SerializeAsString()).ok();
              return false;
            });
        return done ? s : absl::InternalError("nothing to corrupt");
      }});
  ASSERT_TRUE(drift.ok()) << drift.status();
  absl::Status verdict = core_->VerifyAggregates();
  EXPECT_EQ(verdict.code(), absl::StatusCode::kInternal) << verdict;
}

// Province scale, shrunk to keep the suite fast: 148 communes x 10
// procedures x 12 months in batches of 5,000, then the province over 12
// months reads only aggregates (and agrees with a recount).
TEST_F(PublicServiceCoreTest, ProvinceScaleBatchesAndTwelveMonthQuery) {
  const std::vector<const Unit*> communes =
      units_->Children(kPhuTho, UnitLevel::kCommune);
  v1::BatchReportDossierStatsRequest batch;
  int64_t items = 0, commits = 0;
  const absl::Time start = absl::Now();
  auto flush = [&] {
    auto r = Commit(core_->PrepareBatchReportDossierStats(batch, "scale"));
    ASSERT_TRUE(r.ok()) << r.status();
    ++commits;
    batch.clear_requests();
  };
  for (int m = 1; m <= 12; ++m) {
    const std::string month = absl::StrFormat("2024-%02d", m);
    for (const Unit* c : communes) {
      for (int p = 0; p < 10; ++p) {
        *batch.add_requests() =
            Report(c->name, month, absl::StrCat("1.", p), Counts(1 + p));
        ++items;
        if (batch.requests_size() == PublicServiceCore::kMaxBatchItems) {
          flush();
        }
      }
    }
  }
  if (batch.requests_size() > 0) flush();
  const absl::Duration write = absl::Now() - start;

  const absl::Time query_start = absl::Now();
  auto out = Indicators(kPhuTho, "2024-01", "2024-12");
  const absl::Duration query = absl::Now() - query_start;
  ASSERT_TRUE(out.ok()) << out.status();
  const auto* reuse = Find(*out, "REUSE_RATE");
  // Counts(k) reuses 5k of 7k: sum k over p = 55 per commune-month.
  EXPECT_EQ(reuse->value().ratio().numerator(), 5 * 55 * 148 * 12);
  EXPECT_EQ(reuse->value().ratio().denominator(), 7 * 55 * 148 * 12);
  EXPECT_EQ(reuse->coverage().reported(), 148);
  EXPECT_EQ(reuse->coverage().missing_count(), 0);
  std::cout << items << " reports in " << commits << " batch commits (no "
            << "fsync): " << write
            << "; province x 12 months GetIndicators: " << query << "\n";
  EXPECT_TRUE(core_->VerifyAggregates().ok()) << core_->VerifyAggregates();
}

// Statistics must name a procedure of the province's catalogue (owned by
// any of its units); a refusal writes nothing. A store made before the
// code index existed is indexed once at start (IndexProcedureCodes).
TEST_F(PublicServiceCoreTest, StatisticsOfAProcedureOutsideTheCatalogue) {
  const uint64_t head = store_->change_log().head();
  auto refused = Send(Report(kVietTri, "2025-10", "NOPE.999", Counts(1)));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(refused.status().message().find(
                "stats.procedure: no procedure \"NOPE.999\" in the "
                "catalogue of provinces/25"),
            std::string::npos)
      << refused.status();
  EXPECT_EQ(store_->change_log().head(), head);
  ASSERT_TRUE(
      Create("provinces/25/agencies/so-tc", "NOPE.999", v1::OFFLINE).ok());
  EXPECT_TRUE(Send(Report(kVietTri, "2025-10", "NOPE.999", Counts(1))).ok());
  // Another province's catalogue is another catalogue.
  auto elsewhere = Send(
      Report("provinces/01/communes/00004", "2025-10", "NOPE.999", Counts(1)));
  EXPECT_EQ(elsewhere.status().code(), absl::StatusCode::kNotFound)
      << elsewhere.status();

  // An older store: procedures without their index entries (and no
  // "indexed" mark). IndexProcedureCodes restores them, and only once.
  ASSERT_TRUE(Create(kPhuTho, "OLD.1", v1::OFFLINE).ok());
  CommitRequest forget;
  forget.apply = [](Transaction& txn) -> absl::Status {
    RETURN_IF_ERROR(
        txn.Delete(kProcedureCodes, ProcedureCodeKey(kPhuTho, "OLD.1")));
    return txn.Delete(kProcedureCodes, ProcedureCodesIndexedKey());
  };
  ASSERT_TRUE(store_->CommitAndWait(std::move(forget)).ok());
  EXPECT_EQ(
      Send(Report(kVietTri, "2025-10", "OLD.1", Counts(1))).status().code(),
      absl::StatusCode::kNotFound);
  ASSERT_TRUE(core_->IndexProcedureCodes().ok());
  EXPECT_TRUE(Send(Report(kVietTri, "2025-10", "OLD.1", Counts(1))).ok());
  ASSERT_TRUE(core_->IndexProcedureCodes().ok());
}

}  // namespace
}  // namespace nq57::publicservice
