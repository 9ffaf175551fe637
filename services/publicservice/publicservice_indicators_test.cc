// PublicServiceCore's indicator reads over a real store: ListIndicators'
// competition ranking with ties, its pages, and the field errors of
// indicator queries, and the page token bound to its query.
#include <string>
#include <vector>

#include "services/publicservice/publicservice_core_test_fixture.h"

namespace nq57::publicservice {
namespace {

TEST_F(PublicServiceCoreTest, ListIndicatorsRanksCommunesWithTies) {
  const std::vector<const Unit*> communes =
      units_->Children(kPhuTho, UnitLevel::kCommune);
  ASSERT_EQ(communes.size(), 148u);
  // Digitisation: commune 0 -> 90/100, 1 and 2 -> 45/50 = 90% too? No:
  // 1 -> 80/100, 2 -> 40/50 (tie with 1), 3 -> 95/100; the rest no data.
  auto report = [&](int i, int64_t received, int64_t digitised) {
    v1::DossierCounts c;
    c.set_dossiers_received_online(received);
    c.set_dossiers_digitised(digitised);
    return Send(Report(communes[i]->name, "2025-10", "1.1", c)).ok();
  };
  ASSERT_TRUE(report(0, 100, 90));
  ASSERT_TRUE(report(1, 100, 80));
  ASSERT_TRUE(report(2, 50, 40));
  ASSERT_TRUE(report(3, 100, 95));
  v1::ListIndicatorsRequest req;
  req.set_parent(kPhuTho);
  req.mutable_months()->set_first_month("2025-10");
  req.mutable_months()->set_last_month("2025-10");
  *req.mutable_as_of_date() = Date(2025, 10, 23);
  req.set_order_by("DIGITISATION_RATE");
  req.add_indicator_codes("DIGITISATION_RATE");
  req.set_page_size(100);
  auto page = core_->ListIndicators(req);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->total_size(), 148);
  ASSERT_EQ(page->units_size(), 100);
  EXPECT_FALSE(page->next_page_token().empty());
  EXPECT_FALSE(page->tie_rule().empty());
  auto name = [&](int i) { return page->units(i).indicators().unit().name(); };
  EXPECT_EQ(name(0), communes[3]->name);
  EXPECT_EQ(page->units(0).rank(), 1);
  EXPECT_EQ(name(1), communes[0]->name);
  EXPECT_EQ(page->units(1).rank(), 2);
  EXPECT_EQ(page->units(2).rank(), 3);
  EXPECT_EQ(page->units(3).rank(), 3);  // 80/100 == 40/50
  EXPECT_EQ(page->units(4).rank(), 0);  // no data
  EXPECT_EQ(page->units(0).indicators().indicators(0).value().percent(),
            "95.00");
  EXPECT_EQ(page->units(0).indicators().indicators(0).coverage().reported(), 1);
  EXPECT_EQ(page->units(4).indicators().indicators(0).colour(),
            common::v1::NO_DATA);
  req.set_page_token(page->next_page_token());
  auto rest = core_->ListIndicators(req);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->units_size(), 48);
  EXPECT_TRUE(rest->next_page_token().empty());

  req.set_order_by("NOPE");
  EXPECT_EQ(FieldOf(core_->ListIndicators(req).status()), "order_by");
  req.set_order_by("");
  req.set_parent(kVietTri);
  EXPECT_EQ(FieldOf(core_->ListIndicators(req).status()), "parent");
}

TEST_F(PublicServiceCoreTest, IndicatorQueryErrors) {
  EXPECT_EQ(FieldOf(Indicators(kPhuTho, "2025-10", "2025-09").status()),
            "months.last_month");
  EXPECT_EQ(FieldOf(Indicators(kPhuTho, "2025/10", "2025-10").status()),
            "months.first_month");
  EXPECT_EQ(FieldOf(Indicators(kPhuTho, "2000-01", "2025-10").status()),
            "months.last_month");
  EXPECT_EQ(Indicators("provinces/99", "2025-10", "2025-10").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(FieldOf(Indicators(kPhuTho, "2025-10", "2025-10", Date(2025, 2, 29))
                        .status()),
            "as_of_date");
  v1::GetIndicatorsRequest req;
  req.set_unit(kPhuTho);
  req.mutable_months()->set_first_month("2025-10");
  req.mutable_months()->set_last_month("2025-10");
  req.add_indicator_codes("REUSE_RATE");
  req.add_indicator_codes("NOPE");
  EXPECT_EQ(FieldOf(core_->GetIndicators(req).status()), "indicator_codes[1]");
}

// A ListIndicators page token belongs to the query that issued it: reused
// with another filter, or handed in from another listing, it is refused.
TEST_F(PublicServiceCoreTest, ListIndicatorsPageTokenIsBoundToItsQuery) {
  v1::ListIndicatorsRequest req;
  req.set_parent(kPhuTho);
  req.mutable_months()->set_first_month("2025-10");
  req.mutable_months()->set_last_month("2025-10");
  req.add_indicator_codes("DIGITISATION_RATE");
  req.set_page_size(100);
  auto page = core_->ListIndicators(req);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_FALSE(page->next_page_token().empty());
  req.set_page_token(page->next_page_token());
  req.set_page_size(10);  // the page size may change between pages
  auto next = core_->ListIndicators(req);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->units_size(), 10);

  v1::ListIndicatorsRequest other = req;
  other.mutable_months()->set_first_month("2025-09");
  EXPECT_EQ(FieldOf(core_->ListIndicators(other).status()), "page_token");
  other = req;
  other.set_order_by("DIGITISATION_RATE");
  EXPECT_EQ(FieldOf(core_->ListIndicators(other).status()), "page_token");
  other = req;
  other.set_page_token("garbage");
  EXPECT_EQ(FieldOf(core_->ListIndicators(other).status()), "page_token");

  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Create(kVietTri, absl::StrCat("1.", i), v1::PARTIAL).ok());
  }
  v1::ListProceduresRequest procedures;
  procedures.set_parent(kVietTri);
  procedures.set_page_size(1);
  auto procedure_page = core_->ListProcedures(procedures);
  ASSERT_TRUE(procedure_page.ok()) << procedure_page.status();
  ASSERT_FALSE(procedure_page->next_page_token().empty());
  other = req;
  other.set_page_token(procedure_page->next_page_token());
  EXPECT_EQ(FieldOf(core_->ListIndicators(other).status()), "page_token");
}

}  // namespace
}  // namespace nq57::publicservice
