// criteria-server's service in-process over real gRPC on loopback: every
// RPC's success path, each error rule, paging through 2,500 criteria, an
// all-or-nothing batch of 1,000 reports, and the Phú Thọ block totals
// (DESIGN section 7) loaded through the API and read back from the province
// summary.
#include "services/criteria/criteria_server.h"

#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "tests/support/loopback_server.h"

namespace nq57::criteria {
namespace {

using ::google::protobuf::Timestamp;
using ::google::protobuf::util::TimeUtil;
using ::nq57::testing::FieldOf;
using ::nq57::testing::InvalidFieldOf;
using Stub = v1::CriteriaService::Stub;

Timestamp Ts(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

constexpr char kPhuTho[] = "provinces/25";
constexpr char kVietTri[] = "provinces/25/communes/07900";

class CriteriaServerTest
    : public nq57::testing::LoopbackServerTest<CriteriaServer,
                                               v1::CriteriaService> {
 protected:
  grpc::Status CreateCriterion(const std::string& code, v1::Block block,
                               v1::Group group, common::v1::UnitLevel level,
                               std::optional<absl::Time> deadline = {},
                               v1::Criterion* out = nullptr) {
    v1::CreateCriterionRequest req;
    req.set_request_id("create-" + code);
    v1::Criterion* c = req.mutable_criterion();
    c->set_code(code);
    c->set_title("Tiêu chí " + code);
    c->set_source(v1::PLAN_02_KH_BCDTW);
    c->set_block(block);
    c->set_group(group);
    c->set_level(level);
    if (deadline) *c->mutable_deadline() = Ts(*deadline);
    v1::Criterion resp;
    grpc::Status s = Call(&Stub::CreateCriterion, req, &resp);
    if (out != nullptr) *out = resp;
    return s;
  }

  // Assigns `code` to every unit of its level in Phú Thọ.
  v1::BatchCreateAssignmentsResponse AssignAll(const std::string& code,
                                               absl::Time assign_time) {
    v1::BatchCreateAssignmentsRequest req;
    req.set_criterion("criteria/" + code);
    req.set_province(kPhuTho);
    *req.mutable_assign_time() = Ts(assign_time);
    v1::BatchCreateAssignmentsResponse resp;
    grpc::Status s = Call(&Stub::BatchCreateAssignments, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  v1::Summary Summary(const std::string& unit, bool subunits,
                      absl::Time as_of = absl::Now()) {
    v1::GetSummaryRequest req;
    req.set_unit(unit);
    req.set_include_subunits(subunits);
    *req.mutable_as_of() = Ts(as_of);
    v1::Summary resp;
    grpc::Status s = Call(&Stub::GetSummary, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }
};

TEST_F(CriteriaServerTest, CatalogueCreateGetListUpdateRetire) {
  v1::Criterion created;
  ASSERT_TRUE(CreateCriterion("GOV-DATA-001", v1::GOVERNMENT, v1::DATA,
                              common::v1::COMMUNE, {}, &created)
                  .ok());
  EXPECT_EQ(created.name(), "criteria/GOV-DATA-001");
  EXPECT_EQ(created.state(), v1::Criterion::ACTIVE);
  ASSERT_TRUE(CreateCriterion("PARTY-DIR-001", v1::PARTY, v1::DIRECTION,
                              common::v1::PROVINCE)
                  .ok());
  // A retried create is answered with the first result.
  v1::Criterion again;
  ASSERT_TRUE(CreateCriterion("GOV-DATA-001", v1::GOVERNMENT, v1::DATA,
                              common::v1::COMMUNE, {}, &again)
                  .ok());
  EXPECT_EQ(again.create_time(), created.create_time());

  v1::CreateCriterionRequest bad;
  bad.mutable_criterion()->set_code("X");
  v1::Criterion ignored;
  grpc::Status s = Call(&Stub::CreateCriterion, bad, &ignored);
  EXPECT_EQ(InvalidFieldOf(s), "criterion.title");

  v1::GetCriterionRequest get;
  get.set_name("criteria/GOV-DATA-001");
  v1::Criterion got;
  ASSERT_TRUE(Call(&Stub::GetCriterion, get, &got).ok());
  EXPECT_EQ(got.block(), v1::GOVERNMENT);
  get.set_name("criteria/NOPE");
  EXPECT_EQ(Call(&Stub::GetCriterion, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::ListCriteriaRequest list;
  list.set_block(v1::PARTY);
  v1::ListCriteriaResponse listed;
  ASSERT_TRUE(Call(&Stub::ListCriteria, list, &listed).ok());
  ASSERT_EQ(listed.criteria_size(), 1);
  EXPECT_EQ(listed.criteria(0).code(), "PARTY-DIR-001");
  list.Clear();
  list.set_level(common::v1::COMMUNE);
  list.set_group(v1::DATA);
  ASSERT_TRUE(Call(&Stub::ListCriteria, list, &listed).ok());
  ASSERT_EQ(listed.criteria_size(), 1);

  v1::UpdateCriterionRequest update;
  update.mutable_criterion()->set_name("criteria/GOV-DATA-001");
  update.mutable_criterion()->set_title("Cơ sở dữ liệu đất đai");
  update.mutable_criterion()->set_weight(3);
  update.mutable_update_mask()->add_paths("title");
  update.mutable_update_mask()->add_paths("weight");
  v1::Criterion updated;
  ASSERT_TRUE(Call(&Stub::UpdateCriterion, update, &updated).ok());
  EXPECT_EQ(updated.title(), "Cơ sở dữ liệu đất đai");
  EXPECT_EQ(updated.weight(), 3);
  EXPECT_EQ(updated.block(), v1::GOVERNMENT);
  update.mutable_update_mask()->add_paths("level");
  s = Call(&Stub::UpdateCriterion, update, &updated);
  EXPECT_EQ(InvalidFieldOf(s), "update_mask");

  v1::RetireCriterionRequest retire;
  retire.set_name("criteria/PARTY-DIR-001");
  v1::Criterion retired;
  ASSERT_TRUE(Call(&Stub::RetireCriterion, retire, &retired).ok());
  EXPECT_EQ(retired.state(), v1::Criterion::RETIRED);
  list.Clear();
  ASSERT_TRUE(Call(&Stub::ListCriteria, list, &listed).ok());
  EXPECT_EQ(listed.criteria_size(), 1);
  list.set_show_retired(true);
  ASSERT_TRUE(Call(&Stub::ListCriteria, list, &listed).ok());
  EXPECT_EQ(listed.criteria_size(), 2);
}

TEST_F(CriteriaServerTest, AssignmentsCreateBatchListAndErrors) {
  const absl::Time now = absl::Now();
  ASSERT_TRUE(
      CreateCriterion("C-COMMUNE", v1::FRONT, v1::TRAINING, common::v1::COMMUNE)
          .ok());
  ASSERT_TRUE(CreateCriterion("C-PROVINCE", v1::COUNCIL, v1::INSTITUTIONS,
                              common::v1::PROVINCE)
                  .ok());
  ASSERT_TRUE(CreateCriterion("C-AGENCY", v1::GOVERNMENT, v1::PLATFORMS,
                              common::v1::AGENCY)
                  .ok());

  v1::CreateAssignmentRequest create;
  create.set_unit(kVietTri);
  create.set_criterion("criteria/C-COMMUNE");
  v1::Assignment a;
  ASSERT_TRUE(Call(&Stub::CreateAssignment, create, &a).ok());
  EXPECT_EQ(a.name(), std::string(kVietTri) + "/assignments/C-COMMUNE");
  EXPECT_EQ(a.block(), v1::FRONT);
  EXPECT_EQ(Call(&Stub::CreateAssignment, create, &a).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  create.set_unit("provinces/25/communes/00000");
  EXPECT_EQ(Call(&Stub::CreateAssignment, create, &a).error_code(),
            grpc::StatusCode::NOT_FOUND);
  create.set_unit(kVietTri);
  create.set_criterion("criteria/NOPE");
  EXPECT_EQ(Call(&Stub::CreateAssignment, create, &a).error_code(),
            grpc::StatusCode::NOT_FOUND);
  create.set_unit(kPhuTho);
  create.set_criterion("criteria/C-COMMUNE");
  grpc::Status s = Call(&Stub::CreateAssignment, create, &a);
  EXPECT_EQ(InvalidFieldOf(s), "unit");

  // Bulk: every commune of Phú Thọ (one already had it), the province, the
  // agencies.
  v1::BatchCreateAssignmentsResponse bulk = AssignAll("C-COMMUNE", now);
  EXPECT_EQ(bulk.assignments_size(), 147);
  EXPECT_EQ(bulk.already_assigned_size(), 1);
  EXPECT_EQ(AssignAll("C-PROVINCE", now).assignments_size(), 1);
  EXPECT_EQ(AssignAll("C-AGENCY", now).assignments_size(),
            14);  // Phú Thọ's agencies in deploy/config
  v1::BatchCreateAssignmentsRequest by_list;
  by_list.set_criterion("criteria/C-PROVINCE");
  by_list.mutable_units()->add_units("provinces/01");
  by_list.mutable_units()->add_units(kVietTri);
  s = Call(&Stub::BatchCreateAssignments, by_list, &bulk);
  EXPECT_EQ(InvalidFieldOf(s), "units.units[1]");
  by_list.mutable_units()->set_units(1, "provinces/04");
  ASSERT_TRUE(Call(&Stub::BatchCreateAssignments, by_list, &bulk).ok());
  EXPECT_EQ(bulk.assignments_size(), 2);

  // By criterion, paged; by unit.
  v1::ListAssignmentsRequest list;
  list.set_criterion("criteria/C-COMMUNE");
  list.set_page_size(50);
  std::set<std::string> seen;
  v1::ListAssignmentsResponse page;
  do {
    ASSERT_TRUE(Call(&Stub::ListAssignments, list, &page).ok());
    for (const auto& item : page.assignments()) seen.insert(item.name());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(seen.size(), 148u);
  list.Clear();
  list.set_unit(kPhuTho);
  ASSERT_TRUE(Call(&Stub::ListAssignments, list, &page).ok());
  ASSERT_EQ(page.assignments_size(), 1);
  EXPECT_EQ(page.assignments(0).criterion(), "criteria/C-PROVINCE");
  list.set_unit("provinces/99");
  EXPECT_EQ(Call(&Stub::ListAssignments, list, &page).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // A retired criterion takes no new assignments.
  v1::RetireCriterionRequest retire;
  retire.set_name("criteria/C-PROVINCE");
  v1::Criterion retired;
  ASSERT_TRUE(Call(&Stub::RetireCriterion, retire, &retired).ok());
  by_list.mutable_units()->set_units(1, "provinces/08");
  EXPECT_EQ(Call(&Stub::BatchCreateAssignments, by_list, &bulk).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(CriteriaServerTest, ProgressHistorySummaryAndOverdue) {
  const absl::Time now = absl::Now();
  const absl::Time assigned = now - absl::Hours(24 * 10);
  ASSERT_TRUE(CreateCriterion("T-PAST", v1::GOVERNMENT, v1::DIRECTION,
                              common::v1::COMMUNE, now - absl::Hours(48))
                  .ok());
  ASSERT_TRUE(CreateCriterion("T-OLDER", v1::PARTY, v1::DIRECTION,
                              common::v1::PROVINCE, now - absl::Hours(96))
                  .ok());
  ASSERT_TRUE(CreateCriterion("T-FUTURE", v1::GOVERNMENT, v1::DATA,
                              common::v1::COMMUNE, now + absl::Hours(48))
                  .ok());
  ASSERT_TRUE(
      CreateCriterion("NO-DEADLINE", v1::COUNCIL, v1::DATA, common::v1::COMMUNE)
          .ok());
  for (const char* code : {"T-PAST", "T-OLDER", "T-FUTURE", "NO-DEADLINE"}) {
    AssignAll(code, assigned);
  }
  const std::string past = std::string(kVietTri) + "/assignments/T-PAST";

  v1::ReportProgressRequest report;
  report.set_request_id("r-1");
  report.mutable_report()->set_assignment(past);
  report.mutable_report()->set_state(v1::IN_PROGRESS);
  v1::Assignment a;
  ASSERT_TRUE(Call(&Stub::ReportProgress, report, &a).ok());
  EXPECT_EQ(a.state(), v1::IN_PROGRESS);
  EXPECT_EQ(a.reporter(), "test-platform");
  EXPECT_EQ(a.deadline_status(), v1::OVERDUE);

  report.set_request_id("r-2");
  report.mutable_report()->set_state(v1::COMPLETED);
  report.mutable_report()->set_reporter("Nguyễn Văn A");
  report.mutable_report()->mutable_evidence()->set_document_number(
      "45/QĐ-UBND");
  report.mutable_report()->mutable_evidence()->set_link(
      "https://phutho.gov.vn/45");
  *report.mutable_report()->mutable_complete_time() = Ts(now - absl::Hours(72));
  ASSERT_TRUE(Call(&Stub::ReportProgress, report, &a).ok());
  EXPECT_EQ(a.deadline_status(), v1::ON_TIME);
  // The same request again is a replay; the same id with other content is
  // refused.
  v1::Assignment replay;
  ASSERT_TRUE(Call(&Stub::ReportProgress, report, &replay).ok());
  EXPECT_EQ(replay.update_time(), a.update_time());
  report.mutable_report()->set_note("changed");
  EXPECT_EQ(Call(&Stub::ReportProgress, report, &replay).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  // Errors.
  report.set_request_id("");
  *report.mutable_report()->mutable_complete_time() = Ts(now + absl::Hours(2));
  grpc::Status s = Call(&Stub::ReportProgress, report, &a);
  EXPECT_EQ(InvalidFieldOf(s), "report.complete_time");
  *report.mutable_report()->mutable_complete_time() =
      Ts(assigned - absl::Hours(1));
  s = Call(&Stub::ReportProgress, report, &a);
  EXPECT_EQ(InvalidFieldOf(s), "report.complete_time");
  report.mutable_report()->set_assignment(std::string(kVietTri) +
                                          "/assignments/NOPE");
  EXPECT_EQ(Call(&Stub::ReportProgress, report, &a).error_code(),
            grpc::StatusCode::NOT_FOUND);
  report.mutable_report()->set_assignment(
      "provinces/25/communes/00000/assignments/T-PAST");
  EXPECT_EQ(Call(&Stub::ReportProgress, report, &a).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::GetAssignmentRequest get;
  get.set_name(past);
  v1::GetAssignmentResponse got;
  ASSERT_TRUE(Call(&Stub::GetAssignment, get, &got).ok());
  EXPECT_EQ(got.assignment().state(), v1::COMPLETED);
  EXPECT_EQ(got.assignment().evidence().document_number(), "45/QĐ-UBND");
  ASSERT_EQ(got.history_size(), 3);
  EXPECT_EQ(got.history(0).assignment().state(), v1::NOT_STARTED);
  EXPECT_EQ(got.history(1).request_id(), "r-1");
  EXPECT_EQ(got.history(2).assignment().reporter(), "Nguyễn Văn A");
  EXPECT_EQ(got.history(2).actor(), "test-platform");
  get.set_name(std::string(kVietTri) + "/assignments/NOPE");
  EXPECT_EQ(Call(&Stub::GetAssignment, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Summary of the province: 148 x 3 commune tasks + 1 province task.
  v1::Summary summary = Summary(kPhuTho, true, now);
  EXPECT_EQ(summary.total().ratio().numerator(), 1);
  EXPECT_EQ(summary.total().ratio().denominator(), 3 * 148 + 1);
  EXPECT_EQ(summary.deadlines().on_time(), 1);
  EXPECT_EQ(summary.deadlines().overdue(), 147 + 1);
  EXPECT_EQ(summary.deadlines().pending(), 148);
  ASSERT_EQ(summary.blocks_size(), 3);
  EXPECT_EQ(summary.blocks(0).block(), v1::PARTY);
  EXPECT_EQ(summary.blocks(2).completed().ratio().denominator(), 2 * 148);
  EXPECT_EQ(summary.blocks(2).completed().percent(), "0.3");
  v1::Summary commune = Summary(kVietTri, false, now + absl::Hours(72));
  EXPECT_EQ(commune.deadlines().overdue(), 1);  // T-FUTURE by then
  EXPECT_EQ(commune.deadlines().on_time(), 1);

  // Overdue, oldest first, with the responsible unit.
  v1::ListOverdueRequest overdue;
  overdue.set_unit(kPhuTho);
  overdue.set_include_subunits(true);
  *overdue.mutable_as_of() = Ts(now);
  overdue.set_page_size(100);
  v1::ListOverdueResponse items;
  ASSERT_TRUE(Call(&Stub::ListOverdue, overdue, &items).ok());
  ASSERT_EQ(items.items_size(), 100);
  EXPECT_EQ(items.items(0).assignment(),
            std::string(kPhuTho) + "/assignments/T-OLDER");
  EXPECT_EQ(items.items(0).unit().display_name(), "Phú Thọ");
  EXPECT_EQ(items.items(1).criterion(), "criteria/T-PAST");
  EXPECT_EQ(items.items(1).unit().level(), common::v1::COMMUNE);
  overdue.set_page_token(items.next_page_token());
  ASSERT_TRUE(Call(&Stub::ListOverdue, overdue, &items).ok());
  EXPECT_EQ(items.items_size(), 48);
  EXPECT_TRUE(items.next_page_token().empty());

  // Reporting on a retired criterion.
  v1::RetireCriterionRequest retire;
  retire.set_name("criteria/T-PAST");
  v1::Criterion retired;
  ASSERT_TRUE(Call(&Stub::RetireCriterion, retire, &retired).ok());
  report.mutable_report()->set_assignment(past);
  report.mutable_report()->set_state(v1::IN_PROGRESS);
  report.mutable_report()->clear_complete_time();
  EXPECT_EQ(Call(&Stub::ReportProgress, report, &a).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Summary(kPhuTho, true, now).deadlines().overdue(), 1);
}

TEST_F(CriteriaServerTest, PagesThrough2500Criteria) {
  constexpr int kCriteria = 2500;
  constexpr int kThreads = 16;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kCriteria; i += kThreads) {
        if (!CreateCriterion(absl::StrCat("C", 10000 + i),
                             static_cast<v1::Block>(1 + i % 4),
                             static_cast<v1::Group>(1 + i % 6),
                             common::v1::COMMUNE)
                 .ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);

  auto page_all = [&](v1::ListCriteriaRequest req) {
    std::vector<std::string> codes;
    v1::ListCriteriaResponse resp;
    int pages = 0;
    do {
      grpc::Status s = Call(&Stub::ListCriteria, req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& c : resp.criteria()) codes.push_back(c.code());
      req.set_page_token(resp.next_page_token());
      ++pages;
    } while (!req.page_token().empty());
    return std::make_pair(codes, pages);
  };
  v1::ListCriteriaRequest req;
  req.set_page_size(1000);
  auto [codes, pages] = page_all(req);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(codes.size(), 2500u);
  EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end()));
  EXPECT_EQ(std::set<std::string>(codes.begin(), codes.end()).size(), 2500u);

  req.set_page_size(0);  // default 100
  req.set_block(v1::COUNCIL);
  auto [council, council_pages] = page_all(req);
  EXPECT_EQ(council.size(), 625u);
  EXPECT_EQ(council_pages, 7);

  req.set_page_token("%%% not base64");
  v1::ListCriteriaResponse resp;
  grpc::Status s = Call(&Stub::ListCriteria, req, &resp);
  EXPECT_EQ(InvalidFieldOf(s), "page_token");
}

TEST_F(CriteriaServerTest, BatchOf1000WithOneBadItemWritesNothing) {
  const absl::Time now = absl::Now();
  const absl::Time assigned = now - absl::Hours(24);
  std::vector<std::string> names;
  for (int c = 0; c < 7; ++c) {
    const std::string code = absl::StrCat("B", c);
    ASSERT_TRUE(CreateCriterion(code, v1::GOVERNMENT,
                                static_cast<v1::Group>(1 + c % 6),
                                common::v1::COMMUNE)
                    .ok());
    const v1::BatchCreateAssignmentsResponse created =
        AssignAll(code, assigned);
    for (const auto& a : created.assignments()) names.push_back(a.name());
  }
  ASSERT_GE(names.size(), 1000u);
  v1::BatchReportProgressRequest batch;
  batch.set_request_id("batch-1");
  for (int i = 0; i < 1000; ++i) {
    v1::ProgressReport* item = batch.add_items();
    item->set_assignment(names[i]);
    item->set_state(v1::COMPLETED);
    *item->mutable_complete_time() = Ts(now - absl::Minutes(i % 600));
  }
  const uint64_t head = server_->store().change_log().head();
  v1::BatchReportProgressResponse resp;

  // Found before the commit: a completion in the future.
  v1::BatchReportProgressRequest bad = batch;
  *bad.mutable_items(637)->mutable_complete_time() = Ts(now + absl::Hours(1));
  grpc::Status s = Call(&Stub::BatchReportProgress, bad, &resp);
  EXPECT_EQ(InvalidFieldOf(s), "items[637].complete_time");
  // Found inside the commit, after 999 items were applied: a completion
  // before the assignment; and an unassigned unit.
  bad = batch;
  *bad.mutable_items(999)->mutable_complete_time() =
      Ts(assigned - absl::Hours(1));
  s = Call(&Stub::BatchReportProgress, bad, &resp);
  EXPECT_EQ(InvalidFieldOf(s), "items[999].complete_time");
  bad = batch;
  bad.mutable_items(500)->set_assignment(
      "provinces/01/communes/00004/assignments/B0");
  s = Call(&Stub::BatchReportProgress, bad, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(s.error_message().find("items[500]"), std::string::npos);
  // Too many items.
  bad = batch;
  bad.add_items()->CopyFrom(batch.items(0));
  EXPECT_EQ(FieldOf(Call(&Stub::BatchReportProgress, bad, &resp)), "items");

  EXPECT_EQ(server_->store().change_log().head(), head);
  EXPECT_EQ(Summary(kPhuTho, true).total().ratio().numerator(), 0);

  ASSERT_TRUE(Call(&Stub::BatchReportProgress, batch, &resp).ok());
  EXPECT_EQ(resp.assignments_size(), 1000);
  v1::Summary summary = Summary(kPhuTho, true);
  EXPECT_EQ(summary.total().ratio().numerator(), 1000);
  EXPECT_EQ(summary.total().ratio().denominator(),
            static_cast<int64_t>(names.size()));
  EXPECT_EQ(server_->store().change_log().head(), head + 1000);
}

// DESIGN section 7: completed / assigned per block for Phú Thọ, province and
// communes together.
TEST_F(CriteriaServerTest, PhuThoBlockTotalsComeBackFromTheProvinceSummary) {
  struct BlockTotal {
    v1::Block block;
    int64_t completed;
    int64_t assigned;
    const char* published;
  };
  const std::vector<BlockTotal> totals = {
      {v1::PARTY, 2663, 2696, "98.7"},
      {v1::COUNCIL, 2525, 2538, "99.5"},
      {v1::GOVERNMENT, 4972, 5064, "98.2"},
      {v1::FRONT, 3377, 3435, "98.3"},
  };
  constexpr int kCommunes = 148;
  const absl::Time now = absl::Now();
  const absl::Time assigned = now - absl::Hours(24 * 90);

  // Each block: assigned / 148 commune-level criteria applied to every
  // commune, and the remainder as province-level criteria.
  struct Plan {
    std::string code;
    v1::Block block;
    common::v1::UnitLevel level;
  };
  std::vector<Plan> plans;
  for (const BlockTotal& t : totals) {
    const int64_t commune_criteria = t.assigned / kCommunes;
    const int64_t province_criteria = t.assigned % kCommunes;
    for (int64_t i = 0; i < commune_criteria + province_criteria; ++i) {
      plans.push_back(
          {absl::StrCat(v1::Block_Name(t.block), "-", i), t.block,
           i < commune_criteria ? common::v1::COMMUNE : common::v1::PROVINCE});
    }
  }
  std::mutex mu;
  std::map<v1::Block, std::vector<std::string>> assignments;
  std::vector<std::thread> threads;
  constexpr int kThreads = 8;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < plans.size(); ++i) {
        if (i % kThreads != static_cast<size_t>(t)) continue;
        const Plan& p = plans[i];
        EXPECT_TRUE(CreateCriterion(p.code, p.block,
                                    static_cast<v1::Group>(1 + i % 6), p.level)
                        .ok());
        v1::BatchCreateAssignmentsResponse created =
            AssignAll(p.code, assigned);
        std::lock_guard<std::mutex> lock(mu);
        for (const auto& a : created.assignments()) {
          assignments[p.block].push_back(a.name());
        }
      }
    });
  }
  for (auto& t : threads) t.join();

  // Complete all but (assigned - completed) of each block, 1,000 per batch.
  std::vector<std::string> to_complete;
  for (const BlockTotal& t : totals) {
    std::vector<std::string>& names = assignments[t.block];
    ASSERT_EQ(static_cast<int64_t>(names.size()), t.assigned);
    std::sort(names.begin(), names.end());
    to_complete.insert(to_complete.end(), names.begin(),
                       names.begin() + t.completed);
  }
  for (size_t start = 0; start < to_complete.size(); start += 1000) {
    v1::BatchReportProgressRequest batch;
    batch.set_request_id(absl::StrCat("phu-tho-", start));
    for (size_t i = start; i < std::min(start + 1000, to_complete.size());
         ++i) {
      v1::ProgressReport* item = batch.add_items();
      item->set_assignment(to_complete[i]);
      item->set_state(v1::COMPLETED);
      *item->mutable_complete_time() = Ts(now - absl::Hours(24));
      item->mutable_evidence()->set_document_number("BC-10/2025");
    }
    v1::BatchReportProgressResponse resp;
    grpc::Status s = Call(&Stub::BatchReportProgress, batch, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::GetSummaryRequest req;
  req.set_unit(kPhuTho);
  req.set_include_subunits(true);
  req.set_rounding(common::v1::TRUNCATE);
  v1::Summary summary;
  ASSERT_TRUE(Call(&Stub::GetSummary, req, &summary).ok());
  ASSERT_EQ(summary.blocks_size(), 4);
  for (size_t i = 0; i < totals.size(); ++i) {
    SCOPED_TRACE(v1::Block_Name(totals[i].block));
    EXPECT_EQ(summary.blocks(i).block(), totals[i].block);
    EXPECT_EQ(summary.blocks(i).completed().ratio().numerator(),
              totals[i].completed);
    EXPECT_EQ(summary.blocks(i).completed().ratio().denominator(),
              totals[i].assigned);
    EXPECT_EQ(summary.blocks(i).completed().rounding(), common::v1::TRUNCATE);
  }
  EXPECT_EQ(summary.blocks(0).completed().percent(), "98.7");  // truncated
  EXPECT_EQ(summary.total().ratio().numerator(), 13537);
  EXPECT_EQ(summary.total().ratio().denominator(), 13733);
  // The province's own assignments are a part of it.
  EXPECT_EQ(Summary(kPhuTho, false).total().ratio().denominator(),
            2696 % 148 + 2538 % 148 + 5064 % 148 + 3435 % 148);
}

}  // namespace
}  // namespace nq57::criteria
