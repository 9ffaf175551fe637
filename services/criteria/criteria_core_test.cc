// CriteriaCore over a real RocksDB store in a temporary directory: the
// domain rules, and a property test that the summary counters always equal a
// recount of the stored assignments and that deadline statuses match a
// straightforward reference computation.
#include "services/criteria/criteria_core.h"

#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/base/field_error.h"
#include "common/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace nq57::criteria {
namespace {

using ::google::protobuf::Timestamp;
using ::google::protobuf::util::TimeUtil;

Timestamp Ts(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}
absl::Time FromTs(const Timestamp& t) {
  return absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(t));
}

std::string FirstField(const absl::Status& status) {
  auto violations = FieldViolationsOf(status);
  return violations.empty() ? "" : violations[0].field;
}

class CriteriaCoreTest : public nq57::testing::TempDirTest {
 protected:
  static void SetUpTestSuite() {
    auto units = UnitRegistry::Load(NQ57_SOURCE_DIR "/deploy/config");
    ASSERT_TRUE(units.ok()) << units.status();
    units_ = units->release();
  }

  void SetUp() override { Open(/*sync=*/true); }
  void Open(bool sync) {
    core_.reset();
    store_.reset();
    std::filesystem::remove_all(Path("db"));
    auto store = Store::Open(
        Path("db"),
        {.column_families = CriteriaCore::ColumnFamilies(), .sync = sync});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    core_ = std::make_unique<CriteriaCore>(store_.get(), units_, RealClock());
  }
  void TearDown() override {
    core_.reset();
    store_.reset();
  }

  template <typename Response>
  absl::StatusOr<Response> Commit(absl::StatusOr<CommitRequest> request) {
    if (!request.ok()) return request.status();
    absl::StatusOr<CommitResult> result =
        store_->CommitAndWait(std::move(*request));
    if (!result.ok()) return result.status();
    Response response;
    if (!response.ParseFromString(result->response)) {
      return absl::InternalError("bad response");
    }
    return response;
  }

  absl::StatusOr<v1::Criterion> CreateCriterion(
      const std::string& code, v1::Block block, v1::Group group,
      common::v1::UnitLevel level,
      std::optional<absl::Time> deadline = std::nullopt) {
    v1::CreateCriterionRequest req;
    v1::Criterion* c = req.mutable_criterion();
    c->set_code(code);
    c->set_title(absl::StrCat("Criterion ", code));
    c->set_source(v1::RESOLUTION_57_NQ_TW);
    c->set_block(block);
    c->set_group(group);
    c->set_level(level);
    if (deadline) *c->mutable_deadline() = Ts(*deadline);
    return Commit<v1::Criterion>(core_->PrepareCreateCriterion(req, "test"));
  }

  absl::StatusOr<v1::Assignment> Assign(const std::string& unit,
                                        const std::string& code,
                                        absl::Time assign_time) {
    v1::CreateAssignmentRequest req;
    req.set_unit(unit);
    req.set_criterion("criteria/" + code);
    *req.mutable_assign_time() = Ts(assign_time);
    return Commit<v1::Assignment>(core_->PrepareCreateAssignment(req, "test"));
  }

  absl::StatusOr<v1::Assignment> Report(
      const std::string& assignment, v1::ProgressState state,
      std::optional<absl::Time> complete_time = std::nullopt) {
    v1::ReportProgressRequest req;
    req.mutable_report()->set_assignment(assignment);
    req.mutable_report()->set_state(state);
    if (complete_time) {
      *req.mutable_report()->mutable_complete_time() = Ts(*complete_time);
    }
    return Commit<v1::Assignment>(core_->PrepareReportProgress(req, "test"));
  }

  absl::StatusOr<v1::Criterion> Retire(const std::string& code) {
    v1::RetireCriterionRequest req;
    req.set_name("criteria/" + code);
    return Commit<v1::Criterion>(core_->PrepareRetireCriterion(req, "test"));
  }

  v1::Summary Summary(const std::string& unit, bool subunits,
                      absl::Time as_of) {
    v1::GetSummaryRequest req;
    req.set_unit(unit);
    req.set_include_subunits(subunits);
    *req.mutable_as_of() = Ts(as_of);
    auto summary = core_->GetSummary(req);
    EXPECT_TRUE(summary.ok()) << summary.status();
    return summary.ok() ? *summary : v1::Summary();
  }

  static const UnitRegistry* units_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<CriteriaCore> core_;
};

const UnitRegistry* CriteriaCoreTest::units_ = nullptr;

constexpr char kCommune[] = "provinces/25/communes/07900";

TEST_F(CriteriaCoreTest, CreateValidatesEveryFieldAndRejectsDuplicates) {
  v1::CreateCriterionRequest bad;
  bad.mutable_criterion()->set_code("-bad");
  auto status = core_->PrepareCreateCriterion(bad, "t").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  std::set<std::string> fields;
  for (const auto& v : FieldViolationsOf(status)) fields.insert(v.field);
  EXPECT_EQ(fields,
            (std::set<std::string>{"criterion.code", "criterion.title",
                                   "criterion.source", "criterion.block",
                                   "criterion.group", "criterion.level"}));
  ASSERT_TRUE(
      CreateCriterion("C1", v1::PARTY, v1::DATA, common::v1::COMMUNE).ok());
  EXPECT_EQ(CreateCriterion("C1", v1::PARTY, v1::DATA, common::v1::COMMUNE)
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(CriteriaCoreTest, AssignmentRules) {
  const absl::Time now = absl::Now();
  ASSERT_TRUE(
      CreateCriterion("C1", v1::PARTY, v1::DATA, common::v1::COMMUNE).ok());
  EXPECT_EQ(Assign("provinces/25/communes/99999", "C1", now).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Assign(kCommune, "NOPE", now).status().code(),
            absl::StatusCode::kNotFound);
  auto mismatch = Assign("provinces/25", "C1", now);
  EXPECT_EQ(mismatch.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FirstField(mismatch.status()), "unit");
  EXPECT_EQ(Assign(kCommune, "C1", now + absl::Hours(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto a = Assign(kCommune, "C1", now);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->name(), std::string(kCommune) + "/assignments/C1");
  EXPECT_EQ(a->state(), v1::NOT_STARTED);
  EXPECT_EQ(Assign(kCommune, "C1", now).status().code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(Retire("C1").ok());
  EXPECT_EQ(Assign("provinces/25/communes/07909", "C1", now).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Retire("C1").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(CriteriaCoreTest, ProgressRulesAndCounters) {
  const absl::Time now = absl::Now();
  const absl::Time assigned = now - absl::Hours(48);
  ASSERT_TRUE(CreateCriterion("C1", v1::GOVERNMENT, v1::PLATFORMS,
                              common::v1::COMMUNE, now - absl::Hours(24))
                  .ok());
  auto a = Assign(kCommune, "C1", assigned);
  ASSERT_TRUE(a.ok());
  const std::string name = a->name();

  auto future = Report(name, v1::COMPLETED, now + absl::Hours(1));
  EXPECT_EQ(future.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FirstField(future.status()), "report.complete_time");
  auto before = Report(name, v1::COMPLETED, assigned - absl::Hours(1));
  EXPECT_EQ(before.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FirstField(before.status()), "report.complete_time");
  EXPECT_EQ(Report(name, v1::COMPLETED).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Report(name, v1::IN_PROGRESS, now).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Report(std::string(kCommune) + "/assignments/C2", v1::IN_PROGRESS)
                .status()
                .code(),
            absl::StatusCode::kNotFound);

  // Overdue now; then completed late; the counters follow.
  v1::Summary s = Summary("provinces/25", true, now);
  EXPECT_EQ(s.deadlines().overdue(), 1);
  EXPECT_EQ(s.total().ratio().denominator(), 1);
  EXPECT_EQ(Summary("provinces/25", true, now - absl::Hours(30))
                .deadlines()
                .pending(),
            1);
  auto done = Report(name, v1::COMPLETED, now - absl::Hours(2));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->deadline_status(), v1::COMPLETED_LATE);
  s = Summary(kCommune, false, now);
  EXPECT_EQ(s.total().ratio().numerator(), 1);
  EXPECT_EQ(s.deadlines().completed_late(), 1);
  EXPECT_EQ(s.deadlines().overdue(), 0);
  // Reopening is allowed and recorded.
  ASSERT_TRUE(Report(name, v1::IN_PROGRESS).ok());
  s = Summary("", true, now);
  EXPECT_EQ(s.total().ratio().numerator(), 0);
  EXPECT_EQ(s.deadlines().overdue(), 1);
  v1::GetAssignmentRequest get;
  get.set_name(name);
  auto got = core_->GetAssignment(get);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->history_size(), 3);
  EXPECT_EQ(got->history(1).assignment().state(), v1::COMPLETED);
  EXPECT_EQ(got->history(2).assignment().state(), v1::IN_PROGRESS);
  // Retired: no reports, and it no longer counts.
  ASSERT_TRUE(Retire("C1").ok());
  EXPECT_EQ(Report(name, v1::IN_PROGRESS).status().code(),
            absl::StatusCode::kFailedPrecondition);
  s = Summary("provinces/25", true, now);
  EXPECT_EQ(s.total().ratio().denominator(), 0);
  EXPECT_EQ(s.deadlines().overdue(), 0);
}

TEST_F(CriteriaCoreTest, UpdatingADeadlineMovesItsAssignments) {
  const absl::Time now = absl::Now();
  ASSERT_TRUE(CreateCriterion("C1", v1::FRONT, v1::TRAINING,
                              common::v1::COMMUNE, now + absl::Hours(24))
                  .ok());
  ASSERT_TRUE(Assign(kCommune, "C1", now - absl::Hours(5)).ok());
  EXPECT_EQ(Summary(kCommune, false, now).deadlines().pending(), 1);
  v1::UpdateCriterionRequest update;
  update.mutable_criterion()->set_name("criteria/C1");
  *update.mutable_criterion()->mutable_deadline() = Ts(now - absl::Hours(1));
  update.mutable_update_mask()->add_paths("deadline");
  ASSERT_TRUE(
      Commit<v1::Criterion>(core_->PrepareUpdateCriterion(update, "t")).ok());
  EXPECT_EQ(Summary(kCommune, false, now).deadlines().overdue(), 1);
  update.mutable_update_mask()->set_paths(0, "block");
  auto bad = core_->PrepareUpdateCriterion(update, "t");
  EXPECT_EQ(FirstField(bad.status()), "update_mask");
}

TEST_F(CriteriaCoreTest, BatchIsAllOrNothing) {
  const absl::Time now = absl::Now();
  ASSERT_TRUE(
      CreateCriterion("C1", v1::PARTY, v1::DATA, common::v1::COMMUNE).ok());
  v1::BatchCreateAssignmentsRequest create;
  create.set_criterion("criteria/C1");
  create.set_province("provinces/25");
  *create.mutable_assign_time() = Ts(now - absl::Hours(10));
  auto created = Commit<v1::BatchCreateAssignmentsResponse>(
      core_->PrepareBatchCreateAssignments(create, "t"));
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_EQ(created->assignments_size(), 148);
  v1::BatchReportProgressRequest batch;
  for (int i = 0; i < 148; ++i) {
    auto* item = batch.add_items();
    item->set_assignment(created->assignments(i).name());
    item->set_state(v1::COMPLETED);
    *item->mutable_complete_time() =
        Ts(i == 100 ? now - absl::Hours(11) : now - absl::Hours(1));
  }
  const uint64_t head = store_->change_log().head();
  auto rejected = Commit<v1::BatchReportProgressResponse>(
      core_->PrepareBatchReportProgress(batch, "t"));
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FirstField(rejected.status()), "items[100].complete_time");
  EXPECT_EQ(store_->change_log().head(), head);
  EXPECT_EQ(Summary("provinces/25", true, now).total().ratio().numerator(), 0);
  *batch.mutable_items(100)->mutable_complete_time() = Ts(now);
  ASSERT_TRUE(Commit<v1::BatchReportProgressResponse>(
                  core_->PrepareBatchReportProgress(batch, "t"))
                  .ok());
  EXPECT_EQ(Summary("provinces/25", true, now).total().ratio().numerator(),
            148);
}

// A deployment bound to Phú Thọ (--province) writes nothing for a commune of
// Hà Nội: INVALID_ARGUMENT naming the field and the province.
TEST_F(CriteriaCoreTest, WritesOutsideTheDeploymentProvinceAreRefused) {
  auto bound = UnitRegistry::Load(NQ57_SOURCE_DIR "/deploy/config",
                                  {.province = "provinces/25"});
  ASSERT_TRUE(bound.ok()) << bound.status();
  const CriteriaCore core(store_.get(), bound->get(), RealClock());
  ASSERT_TRUE(
      CreateCriterion("C1", v1::PARTY, v1::DATA, common::v1::COMMUNE).ok());
  const uint64_t head = store_->change_log().head();
  v1::CreateAssignmentRequest assign;
  assign.set_unit(
      (*bound)->Children("provinces/01", UnitLevel::kCommune)[0]->name);
  assign.set_criterion("criteria/C1");
  auto refused = core.PrepareCreateAssignment(assign, "t");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FirstField(refused.status()), "unit");
  EXPECT_NE(refused.status().message().find("provinces/25"), std::string::npos)
      << refused.status();
  EXPECT_EQ(store_->change_log().head(), head);
  assign.set_unit(kCommune);
  EXPECT_TRUE(
      Commit<v1::Assignment>(core.PrepareCreateAssignment(assign, "t")).ok());
}

// "Now" is the injected clock's: a clock set in the past judges the future
// checks, deadline statuses and the default as_of at that instant.
TEST_F(CriteriaCoreTest, NowIsTheInjectedClocks) {
  const absl::Time then = absl::FromUnixSeconds(1761152400);  // 2025-10-22
  ManualClock clock(then);
  const CriteriaCore core(store_.get(), units_, clock);
  ASSERT_TRUE(CreateCriterion("C1", v1::PARTY, v1::DATA, common::v1::COMMUNE,
                              then + absl::Hours(1))
                  .ok());
  v1::CreateAssignmentRequest assign;
  assign.set_unit(kCommune);
  assign.set_criterion("criteria/C1");
  *assign.mutable_assign_time() = Ts(then + absl::Minutes(2));
  auto future = core.PrepareCreateAssignment(assign, "t");
  EXPECT_EQ(future.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FirstField(future.status()), "assign_time");
  *assign.mutable_assign_time() = Ts(then);
  ASSERT_TRUE(
      Commit<v1::Assignment>(core.PrepareCreateAssignment(assign, "t")).ok());

  v1::GetAssignmentRequest get;
  get.set_name(std::string(kCommune) + "/assignments/C1");
  v1::GetSummaryRequest summary;
  summary.set_unit(kCommune);
  v1::ListOverdueRequest overdue;
  overdue.set_unit(kCommune);
  auto got = core.GetAssignment(get);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->assignment().deadline_status(), v1::PENDING);
  auto s = core.GetSummary(summary);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->deadlines().pending(), 1);
  EXPECT_EQ(FromTs(s->as_of()), then);
  auto listed = core.ListOverdue(overdue);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->items_size(), 0);

  clock.Advance(absl::Hours(2));
  got = core.GetAssignment(get);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->assignment().deadline_status(), v1::OVERDUE);
  s = core.GetSummary(summary);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->deadlines().overdue(), 1);
  listed = core.ListOverdue(overdue);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->items_size(), 1);
}

// A ListOverdue page token is only good for the listing that issued it.
TEST_F(CriteriaCoreTest, OverdueTokensAreBoundToTheirListing) {
  const absl::Time now = absl::Now();
  ASSERT_TRUE(CreateCriterion("C1", v1::PARTY, v1::DATA, common::v1::COMMUNE,
                              now - absl::Hours(1))
                  .ok());
  ASSERT_TRUE(Assign(kCommune, "C1", now - absl::Hours(2)).ok());
  ASSERT_TRUE(
      Assign("provinces/25/communes/07909", "C1", now - absl::Hours(2)).ok());
  v1::ListOverdueRequest req;
  req.set_unit("provinces/25");
  req.set_include_subunits(true);
  *req.mutable_as_of() = Ts(now);
  req.set_page_size(1);
  auto first = core_->ListOverdue(req);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->items_size(), 1);
  ASSERT_FALSE(first->next_page_token().empty());

  req.set_page_token(first->next_page_token());
  auto second = core_->ListOverdue(req);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->items_size(), 1);
  EXPECT_NE(second->items(0).assignment(), first->items(0).assignment());
  EXPECT_TRUE(second->next_page_token().empty());

  v1::ListOverdueRequest other_scope = req;
  other_scope.set_unit(kCommune);
  other_scope.set_include_subunits(false);
  auto refused = core_->ListOverdue(other_scope);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FirstField(refused.status()), "page_token");
  v1::ListOverdueRequest other_as_of = req;
  *other_as_of.mutable_as_of() = Ts(now + absl::Seconds(1));
  EXPECT_EQ(FirstField(core_->ListOverdue(other_as_of).status()), "page_token");
  v1::ListOverdueRequest hand_made = req;
  hand_made.set_page_token("bm90IGEgdG9rZW4");
  EXPECT_EQ(FirstField(core_->ListOverdue(hand_made).status()), "page_token");
}

// ---- Property test ---------------------------------------------------------

struct ModelCriterion {
  v1::Block block;
  v1::Group group;
  common::v1::UnitLevel level;
  std::optional<absl::Time> deadline;
  bool active = true;
};

// The reference: counts recomputed from the stored assignments and the
// catalogue, item by item.
struct Reference {
  std::map<std::pair<int, int>, std::pair<int64_t, int64_t>> cells;  // c, a
  int64_t on_time = 0, late = 0, overdue = 0, pending = 0;
  std::vector<std::pair<absl::Time, std::string>> overdue_items;
};

bool InScope(const std::string& unit, const std::string& scope_unit,
             bool subunits) {
  if (!subunits) return unit == scope_unit;
  if (scope_unit.empty()) return true;
  return unit == scope_unit || unit.rfind(scope_unit + "/", 0) == 0;
}

TEST_F(CriteriaCoreTest, PropertyCountersEqualRecountAndStatusesMatch) {
  Open(/*sync=*/false);  // the property is about counting, not durability
  std::mt19937_64 rng(57);
  const absl::Time now = absl::Now();
  const absl::Time assign_time = now - absl::Hours(24 * 30);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto random_time = [&](absl::Time lo, absl::Time hi) {
    return lo + absl::Seconds(uniform(0, absl::ToInt64Seconds(hi - lo)));
  };

  // Units: two provinces, some of their communes, an agency.
  std::map<common::v1::UnitLevel, std::vector<std::string>> units_by_level;
  units_by_level[common::v1::PROVINCE] = {"provinces/25", "provinces/01"};
  units_by_level[common::v1::AGENCY] = {"provinces/25/agencies/so-khcn"};
  for (const char* province : {"provinces/25", "provinces/01"}) {
    auto communes = units_->Children(province, UnitLevel::kCommune);
    for (int i = 0; i < 6; ++i) {
      units_by_level[common::v1::COMMUNE].push_back(communes[i * 7]->name);
    }
  }

  constexpr int kCriteria = 40;
  std::map<std::string, ModelCriterion> criteria;
  std::vector<std::string> assignments;
  for (int i = 0; i < kCriteria; ++i) {
    const std::string code = absl::StrCat("P", i);
    ModelCriterion c{static_cast<v1::Block>(uniform(1, 4)),
                     static_cast<v1::Group>(uniform(1, 6)),
                     static_cast<common::v1::UnitLevel>(uniform(1, 3)),
                     std::nullopt};
    if (uniform(0, 2) > 0) {
      c.deadline =
          random_time(now - absl::Hours(24 * 25), now + absl::Hours(24 * 25));
    }
    ASSERT_TRUE(
        CreateCriterion(code, c.block, c.group, c.level, c.deadline).ok());
    criteria[code] = c;
    v1::BatchCreateAssignmentsRequest req;
    req.set_criterion("criteria/" + code);
    for (const std::string& unit : units_by_level[c.level]) {
      req.mutable_units()->add_units(unit);
      assignments.push_back(unit + "/assignments/" + code);
    }
    *req.mutable_assign_time() = Ts(assign_time);
    ASSERT_TRUE(Commit<v1::BatchCreateAssignmentsResponse>(
                    core_->PrepareBatchCreateAssignments(req, "t"))
                    .ok());
  }
  auto code_of = [](const std::string& assignment) {
    return assignment.substr(assignment.rfind('/') + 1);
  };
  auto random_report = [&](v1::ProgressReport* r) {
    r->set_assignment(assignments[uniform(0, assignments.size() - 1)]);
    const int kind = uniform(0, 9);
    r->set_state(kind < 5   ? v1::COMPLETED
                 : kind < 8 ? v1::IN_PROGRESS
                            : v1::NOT_STARTED);  // reopen / retract
    if (r->state() == v1::COMPLETED) {
      *r->mutable_complete_time() = Ts(random_time(assign_time, now));
    }
  };

  int accepted = 0, rejected = 0;
  for (int op = 0; op < 2000; ++op) {
    const int kind = uniform(0, 99);
    if (kind < 60) {
      v1::ReportProgressRequest req;
      random_report(req.mutable_report());
      const bool active = criteria[code_of(req.report().assignment())].active;
      auto r = Commit<v1::Assignment>(core_->PrepareReportProgress(req, "t"));
      EXPECT_EQ(r.ok(), active) << r.status();
      if (!active) {
        EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
      }
      (r.ok() ? accepted : rejected)++;
    } else if (kind < 85) {
      v1::BatchReportProgressRequest req;
      bool active = true;
      for (int i = uniform(1, 20); i > 0; --i) {
        random_report(req.add_items());
        active = active &&
                 criteria[code_of(req.items().rbegin()->assignment())].active;
      }
      auto r = Commit<v1::BatchReportProgressResponse>(
          core_->PrepareBatchReportProgress(req, "t"));
      EXPECT_EQ(r.ok(), active) << r.status();
      (r.ok() ? accepted : rejected)++;
    } else if (kind < 92) {
      // A report the rules reject: nothing changes.
      v1::ReportProgressRequest req;
      random_report(req.mutable_report());
      req.mutable_report()->set_state(v1::COMPLETED);
      *req.mutable_report()->mutable_complete_time() =
          Ts(assign_time - absl::Hours(1));
      EXPECT_FALSE(
          Commit<v1::Assignment>(core_->PrepareReportProgress(req, "t")).ok());
    } else if (kind < 97) {
      const std::string code = absl::StrCat("P", uniform(0, kCriteria - 1));
      v1::UpdateCriterionRequest req;
      req.mutable_criterion()->set_name("criteria/" + code);
      req.mutable_update_mask()->add_paths("deadline");
      std::optional<absl::Time> deadline;
      if (uniform(0, 3) > 0) {
        deadline =
            random_time(now - absl::Hours(24 * 25), now + absl::Hours(24 * 25));
        *req.mutable_criterion()->mutable_deadline() = Ts(*deadline);
      }
      auto r = Commit<v1::Criterion>(core_->PrepareUpdateCriterion(req, "t"));
      EXPECT_EQ(r.ok(), criteria[code].active);
      if (r.ok()) criteria[code].deadline = deadline;
    } else if (uniform(0, 5) == 0) {  // about 0.7% of operations
      const std::string code = absl::StrCat("P", uniform(0, kCriteria - 1));
      auto r = Retire(code);
      EXPECT_EQ(r.ok(), criteria[code].active);
      criteria[code].active = false;
    }
  }
  EXPECT_GT(accepted, 800);
  EXPECT_GT(rejected, 0);

  // Recount from the stored assignments (read back through the core).
  std::vector<v1::Assignment> stored;
  for (const auto& [code, c] : criteria) {
    v1::ListAssignmentsRequest req;
    req.set_criterion("criteria/" + code);
    req.set_page_size(1000);
    auto page = core_->ListAssignments(req);
    ASSERT_TRUE(page.ok());
    for (const auto& a : page->assignments()) {
      stored.push_back(a);
      ASSERT_EQ(a.has_deadline(), c.deadline.has_value());
      if (c.deadline) {
        ASSERT_EQ(FromTs(a.deadline()), *c.deadline);
      }
    }
  }
  ASSERT_EQ(stored.size(), assignments.size());

  auto reference = [&](const std::string& scope_unit, bool subunits,
                       absl::Time as_of) {
    Reference ref;
    for (const v1::Assignment& a : stored) {
      const ModelCriterion& c = criteria[code_of(a.name())];
      if (!c.active || !InScope(a.unit(), scope_unit, subunits)) continue;
      auto& cell = ref.cells[{c.block, c.group}];
      cell.second++;
      const bool completed = a.state() == v1::COMPLETED;
      if (completed) cell.first++;
      if (!c.deadline) continue;
      const absl::Time done = FromTs(a.complete_time());
      if (completed && done <= *c.deadline) {
        ref.on_time++;
      } else if (completed) {
        ref.late++;
      } else if (*c.deadline < as_of) {
        ref.overdue++;
        ref.overdue_items.emplace_back(*c.deadline, a.name());
      } else {
        ref.pending++;
      }
    }
    std::sort(ref.overdue_items.begin(), ref.overdue_items.end());
    return ref;
  };

  std::vector<std::pair<std::string, bool>> scopes = {{"", true},
                                                      {"provinces/25", true},
                                                      {"provinces/01", true},
                                                      {"provinces/25", false}};
  for (const auto& [level, names] : units_by_level) {
    for (const std::string& unit : names) scopes.emplace_back(unit, false);
  }
  for (absl::Time as_of :
       {now - absl::Hours(24 * 40), now - absl::Hours(24 * 7), now,
        now + absl::Hours(24 * 7), now + absl::Hours(24 * 40)}) {
    for (const auto& [unit, subunits] : scopes) {
      SCOPED_TRACE(absl::StrCat(unit, subunits ? " (tree)" : "", " as of ",
                                absl::FormatTime(as_of)));
      const Reference ref = reference(unit, subunits, as_of);
      const v1::Summary s = Summary(unit, subunits, as_of);
      std::map<std::pair<int, int>, std::pair<int64_t, int64_t>> got;
      for (const auto& cell : s.block_groups()) {
        got[{cell.block(), cell.group()}] = {
            cell.completed().ratio().numerator(),
            cell.completed().ratio().denominator()};
      }
      EXPECT_EQ(got, ref.cells);
      EXPECT_EQ(s.deadlines().on_time(), ref.on_time);
      EXPECT_EQ(s.deadlines().completed_late(), ref.late);
      EXPECT_EQ(s.deadlines().overdue(), ref.overdue);
      EXPECT_EQ(s.deadlines().pending(), ref.pending);

      // ListOverdue, paged: the same items, oldest first.
      std::vector<std::pair<absl::Time, std::string>> listed;
      v1::ListOverdueRequest req;
      req.set_unit(unit);
      req.set_include_subunits(subunits);
      *req.mutable_as_of() = Ts(as_of);
      req.set_page_size(7);
      do {
        auto page = core_->ListOverdue(req);
        ASSERT_TRUE(page.ok()) << page.status();
        for (const auto& item : page->items()) {
          listed.emplace_back(FromTs(item.deadline()), item.assignment());
          EXPECT_NE(item.state(), v1::COMPLETED);
        }
        req.set_page_token(page->next_page_token());
      } while (!req.page_token().empty());
      EXPECT_EQ(listed, ref.overdue_items);
    }
  }
  // Each stored assignment's own status agrees with the reference rule.
  for (const v1::Assignment& a : stored) {
    const ModelCriterion& c = criteria[code_of(a.name())];
    v1::DeadlineStatus expected = v1::NO_DEADLINE;
    if (c.deadline) {
      if (a.state() == v1::COMPLETED) {
        expected = FromTs(a.complete_time()) <= *c.deadline
                       ? v1::ON_TIME
                       : v1::COMPLETED_LATE;
      } else {
        expected = *c.deadline < now ? v1::OVERDUE : v1::PENDING;
      }
    }
    EXPECT_EQ(CriteriaCore::DeadlineStatusAt(a, now), expected) << a.name();
  }
}

}  // namespace
}  // namespace nq57::criteria
