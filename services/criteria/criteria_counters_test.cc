// The summary aggregates on their own, over a real store in a temp dir: what
// one assignment contributes in each scope, that ApplyChange moves counters
// and open deadlines exactly, and that the overdue index pages in deadline
// order within its scope.
#include "services/criteria/criteria_counters.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/time/proto_time.h"
#include "gtest/gtest.h"
#include "services/criteria/criteria_core.h"
#include "services/criteria/criteria_names.h"
#include "tests/support/temp_dir.h"

namespace nq57::criteria {
namespace {

constexpr char kCommune[] = "provinces/25/communes/07900";
constexpr char kOtherCommune[] = "provinces/25/communes/07909";
const absl::Time kDeadline = absl::FromUnixSeconds(1761152400);

v1::Criterion Criterion(std::string code, bool with_deadline) {
  v1::Criterion c;
  c.set_code(code);
  c.set_name(CriterionName(code));
  c.set_block(v1::GOVERNMENT);
  c.set_group(v1::DATA);
  c.set_level(common::v1::COMMUNE);
  c.set_state(v1::Criterion::ACTIVE);
  if (with_deadline) *c.mutable_deadline() = ToProtoTime(kDeadline);
  return c;
}

v1::Assignment AssignmentOf(const std::string& unit, const v1::Criterion& c) {
  v1::Assignment a;
  a.set_name(AssignmentNameOf(unit, c.code()));
  a.set_unit(unit);
  a.set_criterion(c.name());
  a.set_state(v1::NOT_STARTED);
  if (c.has_deadline()) *a.mutable_deadline() = c.deadline();
  return a;
}

TEST(ContributionTest, CountsInTheUnitItsProvinceAndTheCountry) {
  const v1::Criterion c = Criterion("C1", /*with_deadline=*/true);
  v1::Assignment a = AssignmentOf(kCommune, c);
  Contribution open = ContributionOf(a, c);
  // assigned + with_deadline in 3 scopes; one open deadline per scope.
  EXPECT_EQ(open.counters.size(), 6u);
  EXPECT_EQ(open.open_deadlines.size(), 3u);

  a.set_state(v1::COMPLETED);
  *a.mutable_complete_time() = ToProtoTime(kDeadline);
  Contribution done = ContributionOf(a, c);
  // + completed and on_time; no open deadline.
  EXPECT_EQ(done.counters.size(), 12u);
  EXPECT_TRUE(done.open_deadlines.empty());

  v1::Criterion retired = c;
  retired.set_state(v1::Criterion::RETIRED);
  EXPECT_TRUE(ContributionOf(a, retired).counters.empty());
  EXPECT_TRUE(ContributionOf(a, retired).open_deadlines.empty());

  const v1::Criterion no_deadline = Criterion("C2", /*with_deadline=*/false);
  Contribution plain =
      ContributionOf(AssignmentOf(kCommune, no_deadline), no_deadline);
  EXPECT_EQ(plain.counters.size(), 3u);
  EXPECT_TRUE(plain.open_deadlines.empty());
}

class CountersTest : public nq57::testing::TempDirTest {
 protected:
  void SetUp() override {
    auto store = Store::Open(
        Path("db"), {.column_families = CriteriaCore::ColumnFamilies()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  // Commits the change from `before`'s contribution to `after`'s.
  void Change(const Contribution& before, const Contribution& after) {
    v1::ReportProgressRequest request;  // only fingerprinted
    request.set_request_id(absl::StrCat("change-", ++commits_));
    auto result = store_->CommitAndWait(MakeCommit(
        request, request.request_id(), "test",
        [&](Transaction& txn) { return ApplyChange(txn, before, after); }));
    ASSERT_TRUE(result.ok()) << result.status();
  }

  ScopeCounts Counts(const Scope& scope) {
    auto counts = ReadScopeCounts(*store_, scope, nullptr);
    EXPECT_TRUE(counts.ok()) << counts.status();
    return counts.ok() ? *counts : ScopeCounts();
  }

  int64_t Overdue(const Scope& scope, absl::Time as_of) {
    auto n = CountOverdue(*store_, scope, as_of, nullptr);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }

  std::unique_ptr<Store> store_;
  int commits_ = 0;
};

TEST_F(CountersTest, ApplyChangeMovesCountersAndOpenDeadlines) {
  const v1::Criterion c = Criterion("C1", /*with_deadline=*/true);
  v1::Assignment a = AssignmentOf(kCommune, c);
  Change({}, ContributionOf(a, c));
  Change({}, ContributionOf(AssignmentOf(kOtherCommune, c), c));

  const Scope province = Scope::Tree("provinces/25");
  ScopeCounts counts = Counts(province);
  EXPECT_EQ(counts.assigned[v1::GOVERNMENT][v1::DATA], 2);
  EXPECT_EQ(counts.completed[v1::GOVERNMENT][v1::DATA], 0);
  EXPECT_EQ(counts.with_deadline, 2);
  EXPECT_EQ(Counts(Scope::Unit(kCommune)).with_deadline, 1);
  EXPECT_EQ(Counts(Scope::Country()).with_deadline, 2);
  // Overdue only strictly after the deadline.
  EXPECT_EQ(Overdue(province, kDeadline), 0);
  EXPECT_EQ(Overdue(province, kDeadline + absl::Nanoseconds(1)), 2);
  EXPECT_EQ(Overdue(Scope::Unit(kCommune), kDeadline + absl::Hours(1)), 1);

  // Completed late: out of the overdue index, into `late`.
  v1::Assignment done = a;
  done.set_state(v1::COMPLETED);
  *done.mutable_complete_time() = ToProtoTime(kDeadline + absl::Hours(1));
  Change(ContributionOf(a, c), ContributionOf(done, c));
  counts = Counts(province);
  EXPECT_EQ(counts.completed[v1::GOVERNMENT][v1::DATA], 1);
  EXPECT_EQ(counts.late, 1);
  EXPECT_EQ(counts.on_time, 0);
  EXPECT_EQ(Overdue(province, kDeadline + absl::Hours(2)), 1);

  // Removing every contribution leaves nothing behind.
  Change(ContributionOf(done, c), {});
  Change(ContributionOf(AssignmentOf(kOtherCommune, c), c), {});
  counts = Counts(Scope::Country());
  EXPECT_EQ(counts.assigned[v1::GOVERNMENT][v1::DATA], 0);
  EXPECT_EQ(counts.with_deadline, 0);
  EXPECT_EQ(counts.late, 0);
  EXPECT_EQ(Overdue(Scope::Country(), kDeadline + absl::Hours(2)), 0);
}

TEST_F(CountersTest, ScanOverduePagesInDeadlineOrderWithinTheScope) {
  std::vector<std::string> expected;
  for (int i = 0; i < 5; ++i) {
    v1::Criterion c = Criterion(absl::StrCat("C", i), true);
    // Later codes have earlier deadlines.
    *c.mutable_deadline() = ToProtoTime(kDeadline - absl::Hours(i));
    v1::Assignment a = AssignmentOf(kCommune, c);
    Change({}, ContributionOf(a, c));
    expected.insert(expected.begin(), a.name());
  }
  // Another unit's items are in the province's scope, not the commune's.
  const v1::Criterion other = Criterion("OTHER", true);
  Change({}, ContributionOf(AssignmentOf(kOtherCommune, other), other));

  const Scope scope = Scope::Unit(kCommune);
  std::vector<std::string> listed;
  std::string after;
  int pages = 0;
  do {
    auto page = ScanOverdue(*store_, scope, kDeadline + absl::Hours(1), after,
                            2, nullptr);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const OpenDeadline& open : *page) {
      EXPECT_EQ(open.key.rfind(OpenDeadlinePrefix(scope), 0), 0u);
      listed.push_back(open.assignment);
    }
    after = page->size() == 2 ? page->back().key : "";
    ++pages;
  } while (!after.empty());
  EXPECT_EQ(listed, expected);
  EXPECT_EQ(pages, 3);
  // Only what is due before as_of.
  auto due = ScanOverdue(*store_, scope,
                         kDeadline - absl::Hours(3) + absl::Nanoseconds(1), "",
                         10, nullptr);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].assignment, expected[0]);
  auto province = ScanOverdue(*store_, Scope::Tree("provinces/25"),
                              kDeadline + absl::Hours(1), "", 10, nullptr);
  ASSERT_TRUE(province.ok());
  EXPECT_EQ(province->size(), 6u);
}

}  // namespace
}  // namespace nq57::criteria
