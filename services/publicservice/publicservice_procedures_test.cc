// PublicServiceCore's procedure catalogue over a real store: the level
// history and the level on a date, create errors, and ListProcedures'
// filters and pages.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "services/publicservice/publicservice_core_test_fixture.h"

namespace nq57::publicservice {
namespace {

TEST_F(PublicServiceCoreTest, LevelHistoryAnswersTheLevelOnADate) {
  auto p = Create(kVietTri, "1.004227", v1::PARTIAL, Date(2025, 1, 15));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name(), "provinces/25/communes/07900/procedures/1.004227");
  ASSERT_TRUE(ChangeLevel(p->name(), v1::FULL_PROCESS, Date(2025, 7, 1)).ok());

  auto at = [&](common::v1::Date d) {
    v1::GetProcedureRequest req;
    req.set_name(p->name());
    *req.mutable_as_of_date() = d;
    return core_->GetProcedure(req);
  };
  EXPECT_EQ(at(Date(2025, 3, 1))->online_level(), v1::PARTIAL);
  EXPECT_EQ(at(Date(2025, 6, 30))->online_level(), v1::PARTIAL);
  EXPECT_EQ(at(Date(2025, 7, 1))->online_level(), v1::FULL_PROCESS);
  EXPECT_EQ(at(Date(2025, 1, 14)).status().code(), absl::StatusCode::kNotFound);
  v1::GetProcedureRequest current;
  current.set_name(p->name());
  auto now = core_->GetProcedure(current);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->online_level(), v1::FULL_PROCESS);
  ASSERT_EQ(now->level_history_size(), 2);
  EXPECT_EQ(now->level_history(0).level(), v1::PARTIAL);

  auto share = [&](common::v1::Date d) {
    auto out = Indicators(kPhuTho, "2025-06", "2025-06", d);
    return Find(*out, "FULL_PROCESS_SHARE")->value().ratio();
  };
  EXPECT_EQ(share(Date(2025, 6, 1)).numerator(), 0);
  EXPECT_EQ(share(Date(2025, 6, 1)).denominator(), 1);
  EXPECT_EQ(share(Date(2025, 8, 1)).numerator(), 1);
  EXPECT_EQ(share(Date(2024, 12, 1)).denominator(), 0);

  // A level change must be dated, after the current date, not in the future.
  EXPECT_EQ(FieldOf(ChangeLevel(p->name(), v1::OFFLINE, Date(2025, 6, 1))),
            "procedure.level_effective_from");
  EXPECT_EQ(FieldOf(ChangeLevel(p->name(), v1::OFFLINE, Date(2025, 12, 1))),
            "procedure.level_effective_from");
  EXPECT_EQ(FieldOf(ChangeLevel(p->name(), v1::OFFLINE, Date(2025, 2, 30))),
            "procedure.level_effective_from");
  v1::UpdateProcedureRequest undated;
  undated.mutable_procedure()->set_name(p->name());
  undated.mutable_procedure()->set_online_level(v1::OFFLINE);
  undated.mutable_update_mask()->add_paths("online_level");
  EXPECT_EQ(FieldOf(core_->PrepareUpdateProcedure(undated, "t").status()),
            "procedure.level_effective_from");
  undated.mutable_update_mask()->set_paths(0, "code");
  EXPECT_EQ(FieldOf(core_->PrepareUpdateProcedure(undated, "t").status()),
            "update_mask.paths[0]");
  undated.mutable_update_mask()->clear_paths();
  EXPECT_EQ(FieldOf(core_->PrepareUpdateProcedure(undated, "t").status()),
            "update_mask");

  // Other fields update without touching the level.
  v1::UpdateProcedureRequest rename;
  rename.mutable_procedure()->set_name(p->name());
  rename.mutable_procedure()->set_display_name("Cấp giấy chứng nhận");
  rename.mutable_procedure()->set_essential(true);
  rename.mutable_update_mask()->add_paths("display_name");
  rename.mutable_update_mask()->add_paths("essential");
  ASSERT_TRUE(Commit(core_->PrepareUpdateProcedure(rename, "t")).ok());
  now = core_->GetProcedure(current);
  EXPECT_EQ(now->display_name(), "Cấp giấy chứng nhận");
  EXPECT_TRUE(now->essential());
  EXPECT_EQ(now->level_history_size(), 2);

  auto history = store_->History(p->name());
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 3u);
  EXPECT_TRUE(core_->VerifyAggregates().ok()) << core_->VerifyAggregates();
}

TEST_F(PublicServiceCoreTest, ProcedureCreateErrors) {
  ASSERT_TRUE(Create(kVietTri, "1.1", v1::FULL_PROCESS).ok());
  EXPECT_EQ(Create(kVietTri, "1.1", v1::PARTIAL).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(
      Create("provinces/25/communes/99999", "1.2", v1::PARTIAL).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(FieldOf(Create(kVietTri, "bad code", v1::PARTIAL).status()),
            "procedure_id");
  EXPECT_EQ(
      FieldOf(Create(kVietTri, "1.3", v1::ONLINE_LEVEL_UNSPECIFIED).status()),
      "procedure.online_level");
  EXPECT_EQ(
      FieldOf(Create(kVietTri, "1.3", v1::PARTIAL, Date(2026, 1, 1)).status()),
      "procedure.level_effective_from");
  EXPECT_EQ(
      FieldOf(
          Create(kVietTri, "1.3", v1::PARTIAL, Date(2025, 1, 1), "").status()),
      "procedure.field");
  v1::GetProcedureRequest get;
  get.set_name("provinces/25/communes/07900/procedures/9.9");
  EXPECT_EQ(core_->GetProcedure(get).status().code(),
            absl::StatusCode::kNotFound);
  get.set_name("nonsense");
  EXPECT_EQ(FieldOf(core_->GetProcedure(get).status()), "name");
}

TEST_F(PublicServiceCoreTest, ListProceduresFiltersAndPages) {
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(Create(kVietTri, absl::StrFormat("1.%03d", i),
                       i % 2 ? v1::FULL_PROCESS : v1::PARTIAL, Date(2025, 1, 1),
                       i % 5 == 0 ? "justice" : "land")
                    .ok());
  }
  ASSERT_TRUE(Create(kNongTrang, "1.000", v1::FULL_PROCESS).ok());
  v1::ListProceduresRequest req;
  req.set_parent(kVietTri);
  req.set_page_size(10);
  std::vector<std::string> names;
  do {
    auto page = core_->ListProcedures(req);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& p : page->procedures()) names.push_back(p.name());
    req.set_page_token(page->next_page_token());
  } while (!req.page_token().empty());
  EXPECT_EQ(names.size(), 25u);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));

  v1::ListProceduresRequest filtered;
  filtered.set_parent(kVietTri);
  filtered.set_online_level(v1::FULL_PROCESS);
  filtered.set_field("land");
  auto page = core_->ListProcedures(filtered);
  ASSERT_TRUE(page.ok());
  // Odd i in 0..24 not divisible by 5: 12 odd, minus 5, 15 -> 10.
  EXPECT_EQ(page->procedures_size(), 10);
  filtered.set_essential(true);
  EXPECT_EQ(core_->ListProcedures(filtered)->procedures_size(), 0);
  filtered.set_page_token("garbage");
  EXPECT_EQ(FieldOf(core_->ListProcedures(filtered).status()), "page_token");
  filtered.set_page_token("");
  filtered.set_page_size(5000);
  EXPECT_EQ(FieldOf(core_->ListProcedures(filtered).status()), "page_size");
}

}  // namespace
}  // namespace nq57::publicservice
