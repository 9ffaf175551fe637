// The rollup engine over a real store, fed with criteria change records:
// exactly-once application, incremental == rebuild == a straightforward
// recount for random workloads, and the Phú Thọ block totals.
#include "services/aggregator/rollup_engine.h"

#include <map>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/base/field_error.h"
#include "gtest/gtest.h"
#include "nq57/criteria/v1/criteria.pb.h"
#include "nq57/eidentity/v1/eidentity.pb.h"
#include "nq57/publicservice/v1/publicservice.pb.h"
#include "services/aggregator/point_in_time.h"
#include "tests/support/temp_dir.h"

namespace nq57::aggregator {
namespace {

using criteria::v1::Assignment;
using criteria::v1::Criterion;

// A fake source: builds change records as the criteria service would.
class CriteriaFeed {
 public:
  void PutCriterion(const Criterion& c) {
    auto& r = Next(absl::StrCat("criteria/", c.code()));
    r.mutable_new_value()->PackFrom(c);
    criteria_[c.code()] = c;
  }
  void PutAssignment(const std::string& code, const std::string& unit,
                     criteria::v1::ProgressState state, int64_t complete_s) {
    Assignment a;
    a.set_unit(unit);
    a.set_criterion(absl::StrCat("criteria/", code));
    a.set_state(state);
    if (state == criteria::v1::COMPLETED)
      a.mutable_complete_time()->set_seconds(complete_s);
    auto& r = Next(absl::StrCat(unit, "/assignments/", code));
    r.mutable_new_value()->PackFrom(a);
    assignments_[{code, unit}] = a;
  }
  changes::v1::ChangeBatch Batch(uint64_t from, uint64_t to) const {
    changes::v1::ChangeBatch b;
    for (uint64_t s = from; s <= to && s <= records_.size(); ++s) {
      *b.add_records() = records_[s - 1];
    }
    b.set_head_sequence(records_.size());
    return b;
  }
  uint64_t head() const { return records_.size(); }

  // The straightforward recount: completed / assigned per block and level,
  // over active criteria.
  std::map<std::string, int64_t> Recount() const {
    std::map<std::string, int64_t> out;
    for (const auto& [key, a] : assignments_) {
      const Criterion& c = criteria_.at(key.first);
      if (c.state() != Criterion::ACTIVE) continue;
      const std::string level = a.unit().find("/communes/") != std::string::npos
                                    ? "commune"
                                    : "province";
      const std::string prefix = absl::StrCat(
          "criteria.", level, ".", criteria::v1::Block_Name(c.block()), ".",
          criteria::v1::Group_Name(c.group()));
      out[prefix + ".assigned"]++;
      if (a.state() == criteria::v1::COMPLETED) out[prefix + ".completed"]++;
      if (c.has_deadline()) {
        out["criteria.deadline.with_deadline"]++;
        if (a.state() == criteria::v1::COMPLETED) {
          out[a.complete_time().seconds() <= c.deadline().seconds()
                  ? "criteria.deadline.on_time"
                  : "criteria.deadline.late"]++;
        }
      }
    }
    return out;
  }

 private:
  changes::v1::ChangeRecord& Next(std::string resource) {
    changes::v1::ChangeRecord& r = records_.emplace_back();
    r.set_sequence(records_.size());
    r.set_resource(std::move(resource));
    return r;
  }
  std::vector<changes::v1::ChangeRecord> records_;
  std::map<std::string, Criterion> criteria_;
  std::map<std::pair<std::string, std::string>, Assignment> assignments_;
};

class RollupEngineTest : public nq57::testing::TempDirTest {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override {
    engine_.reset();
    store_.reset();
  }
  void Open() {
    engine_.reset();
    store_.reset();
    store_ = std::move(*Store::Open(
        Path("db"), {.column_families = RollupEngine::ColumnFamilies()}));
    engine_ = std::move(*RollupEngine::Create(
        store_.get(), {{"criteria", "criteria", "unused"}}));
  }
  std::map<std::string, int64_t> ProvinceMeasures(const std::string& province) {
    std::map<std::string, int64_t> out;
    auto all = engine_->AllMeasures();
    EXPECT_TRUE(all.ok()) << all.status();
    for (const auto& [k, v] : *all) {
      // The province's totals over all time: its "at:" buckets summed.
      if (k.scope == province && k.bucket.rfind(kAtBucketPrefix, 0) == 0 &&
          k.measure.rfind("criteria.unit.", 0) != 0) {
        out[k.measure] += v;
      }
    }
    return out;
  }
  FeedReader ReaderOf(const CriteriaFeed& feed) {
    return [&feed](const SourceSpec&, uint64_t from,
                   absl::FunctionRef<absl::StatusOr<bool>(
                       const changes::v1::ChangeBatch&)>
                       fn) -> absl::Status {
      for (uint64_t s = from; s <= feed.head(); s += 100) {
        auto more = fn(feed.Batch(s, s + 99));
        if (!more.ok()) return more.status();
        if (!*more) break;
      }
      return absl::OkStatus();
    };
  }

  std::unique_ptr<Store> store_;
  std::unique_ptr<RollupEngine> engine_;
};

Criterion MakeCriterion(const std::string& code, criteria::v1::Block block,
                        criteria::v1::Group group, int64_t deadline_s = 0) {
  Criterion c;
  c.set_code(code);
  c.set_block(block);
  c.set_group(group);
  c.set_state(Criterion::ACTIVE);
  if (deadline_s > 0) c.mutable_deadline()->set_seconds(deadline_s);
  return c;
}

TEST_F(RollupEngineTest, RedeliveredRecordsAreCountedOnceAndGapsRejected) {
  CriteriaFeed feed;
  feed.PutCriterion(
      MakeCriterion("C1", criteria::v1::PARTY, criteria::v1::DATA));
  feed.PutAssignment("C1", "provinces/25/communes/07900",
                     criteria::v1::COMPLETED, 100);
  feed.PutAssignment("C1", "provinces/25/communes/07894",
                     criteria::v1::IN_PROGRESS, 0);
  ASSERT_EQ(*engine_->ApplyBatch("criteria", feed.Batch(1, 2)), 2u);
  // The consumer crashed before it knew: the same records again, plus more.
  ASSERT_EQ(*engine_->ApplyBatch("criteria", feed.Batch(1, 3)), 3u);
  auto m = ProvinceMeasures("provinces/25");
  EXPECT_EQ(m["criteria.commune.PARTY.DATA.assigned"], 2);
  EXPECT_EQ(m["criteria.commune.PARTY.DATA.completed"], 1);
  feed.PutAssignment("C1", "provinces/25/communes/07909",
                     criteria::v1::NOT_STARTED, 0);
  feed.PutAssignment("C1", "provinces/25/communes/07918",
                     criteria::v1::NOT_STARTED, 0);
  auto gap = engine_->ApplyBatch("criteria", feed.Batch(5, 5));
  EXPECT_EQ(gap.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(*engine_->AppliedSequence("criteria"),
            3u);  // nothing of it written
  // The engine's own feed carries the measure changes, previous included.
  auto records = store_->change_log().Read(1, 100);
  ASSERT_TRUE(records.ok());
  ASSERT_FALSE(records->empty());
  v1::MeasureValue mv;
  bool found = false;
  for (const auto& r : *records) {
    if (r.resource().rfind("provinces/25/measures/at:", 0) == 0 &&
        absl::EndsWith(r.resource(), "/criteria.commune.PARTY.DATA.assigned") &&
        r.kind() == changes::v1::UPDATED) {
      ASSERT_TRUE(r.new_value().UnpackTo(&mv));
      EXPECT_EQ(mv.value(), 2);
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(RollupEngineTest, RandomWorkloadIncrementalEqualsRebuildEqualsRecount) {
  std::mt19937_64 rng(2025);
  CriteriaFeed feed;
  const std::vector<std::string> units = {
      "provinces/25", "provinces/25/agencies/so-khcn",
      "provinces/25/communes/07900", "provinces/25/communes/07894",
      "provinces/25/communes/07909"};
  std::vector<Criterion> criteria;
  for (int i = 0; i < 12; ++i) {
    criteria.push_back(MakeCriterion(
        absl::StrCat("C", i), static_cast<criteria::v1::Block>(1 + rng() % 4),
        static_cast<criteria::v1::Group>(1 + rng() % 6),
        rng() % 2 ? 1'000'000 + static_cast<int64_t>(rng() % 1000) : 0));
    feed.PutCriterion(criteria.back());
  }
  uint64_t applied = 0;
  for (int step = 0; step < 600; ++step) {
    const int op = static_cast<int>(rng() % 10);
    Criterion& c = criteria[rng() % criteria.size()];
    if (op == 0) {  // retire or reactivate, or move the deadline
      if (rng() % 2) {
        c.set_state(c.state() == Criterion::ACTIVE ? Criterion::RETIRED
                                                   : Criterion::ACTIVE);
      } else {
        c.mutable_deadline()->set_seconds(1'000'000 + rng() % 1000);
      }
      feed.PutCriterion(c);
    } else {
      const auto state =
          static_cast<criteria::v1::ProgressState>(1 + rng() % 3);
      feed.PutAssignment(c.code(), units[rng() % units.size()], state,
                         1'000'000 + static_cast<int64_t>(rng() % 1000));
    }
    if (step % 37 == 0 || step == 599) {
      applied = *engine_->ApplyBatch("criteria",
                                     feed.Batch(applied + 1, feed.head()));
    }
    if (step == 300) Open();  // restart in the middle
  }
  ASSERT_EQ(applied, feed.head());
  std::map<std::string, int64_t> expected = feed.Recount();
  auto measured = ProvinceMeasures("provinces/25");
  for (const auto& [k, v] : expected) EXPECT_EQ(measured[k], v) << k;
  for (const auto& [k, v] : measured) EXPECT_EQ(expected[k], v) << k;

  FeedReader reader = ReaderOf(feed);
  auto rebuilt = engine_->Rebuild(reader);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  EXPECT_TRUE(rebuilt->equal())
      << (rebuilt->differences_size() ? rebuilt->differences(0) : "");
  EXPECT_GT(rebuilt->measures_compared(), 10);
  EXPECT_EQ(rebuilt->rebuilt_to_sequence().at("criteria"), feed.head());
}

TEST_F(RollupEngineTest, PhuThoBlockTotals) {
  // 2,663/2,696 PARTY, 2,525/2,538 COUNCIL, 4,972/5,064 GOVERNMENT,
  // 3,377/3,435 FRONT, spread over 148 synthetic commune codes.
  CriteriaFeed feed;
  struct BlockTotal {
    criteria::v1::Block block;
    int completed, assigned;
  };
  const BlockTotal totals[] = {{criteria::v1::PARTY, 2663, 2696},
                               {criteria::v1::COUNCIL, 2525, 2538},
                               {criteria::v1::GOVERNMENT, 4972, 5064},
                               {criteria::v1::FRONT, 3377, 3435}};
  for (const BlockTotal& t : totals) {
    const int per_criterion = 148;
    const int n_criteria = (t.assigned + per_criterion - 1) / per_criterion;
    int assigned = 0, completed = 0;
    for (int c = 0; c < n_criteria; ++c) {
      const std::string code =
          absl::StrCat(criteria::v1::Block_Name(t.block), "-", c);
      feed.PutCriterion(MakeCriterion(code, t.block, criteria::v1::DATA));
      for (int u = 0; u < per_criterion && assigned < t.assigned;
           ++u, ++assigned) {
        const bool done = completed < t.completed;
        completed += done;
        feed.PutAssignment(
            code, absl::StrCat("provinces/25/communes/", 10000 + u),
            done ? criteria::v1::COMPLETED : criteria::v1::IN_PROGRESS, 5);
      }
    }
  }
  uint64_t applied = 0;
  while (applied < feed.head()) {
    applied = *engine_->ApplyBatch("criteria",
                                   feed.Batch(applied + 1, applied + 512));
  }
  auto m = ProvinceMeasures("provinces/25");
  EXPECT_EQ(m["criteria.commune.PARTY.DATA.completed"], 2663);
  EXPECT_EQ(m["criteria.commune.PARTY.DATA.assigned"], 2696);
  EXPECT_EQ(m["criteria.commune.GOVERNMENT.DATA.completed"], 4972);
  EXPECT_EQ(m["criteria.commune.FRONT.DATA.assigned"], 3435);
}

// A measure's value at `day` (00:00 in Vietnam): its "at:" buckets summed.
int64_t ValueAt(const std::map<MeasureKey, int64_t>& all,
                const std::string& scope, const std::string& measure,
                absl::CivilDay day) {
  int64_t sum = 0;
  for (const auto& [k, v] : all) {
    absl::Time when;
    if (k.scope == scope && k.measure == measure &&
        ParseAtBucket(k.bucket, &when) && when <= StartOfDay(day)) {
      sum += v;
    }
  }
  return sum;
}

// Records as publicservice-server and eidentity-server write them.
changes::v1::ChangeRecord Record(uint64_t seq, std::string resource,
                                 const google::protobuf::Message* now,
                                 const google::protobuf::Message* before) {
  changes::v1::ChangeRecord r;
  r.set_sequence(seq);
  r.set_resource(std::move(resource));
  if (now != nullptr) r.mutable_new_value()->PackFrom(*now);
  if (before != nullptr) r.mutable_previous_value()->PackFrom(*before);
  return r;
}

TEST_F(RollupEngineTest, PublicServiceAndEidentityAdapters) {
  engine_.reset();
  engine_ = std::move(*RollupEngine::Create(
      store_.get(),
      {{"ps", "publicservice", "unused"}, {"eid", "eidentity", "unused"}}));
  const std::string commune = "provinces/25/communes/07900";
  // Public service: a procedure changes level; a month's stats are
  // replaced (applied as new - previous, not added twice).
  publicservice::v1::Procedure p1, p2;
  p1.set_unit(commune);
  p1.set_online_level(publicservice::v1::PARTIAL);
  p2 = p1;
  p2.set_online_level(publicservice::v1::FULL_PROCESS);
  publicservice::v1::DossierStats s1, s2;
  s1.set_unit(commune);
  s1.mutable_period()->set_month("2025-10");
  s1.mutable_counts()->set_dossiers_digitised(10);
  s2 = s1;
  s2.mutable_counts()->set_dossiers_digitised(7);
  changes::v1::ChangeBatch ps;
  *ps.add_records() = Record(1, commune + "/procedures/P1", &p1, nullptr);
  *ps.add_records() = Record(2, commune + "/procedures/P1", &p2, &p1);
  *ps.add_records() =
      Record(3, commune + "/dossierStats/2025-10/fields/land", &s1, nullptr);
  *ps.add_records() =
      Record(4, commune + "/dossierStats/2025-10/fields/land", &s2, &s1);
  ASSERT_TRUE(engine_->ApplyBatch("ps", ps).ok());

  // E-identity: a stock's latest value moves 100 -> 130; a flow point is
  // replaced.
  eidentity::v1::MetricPoint l1, l2, f1, f2;
  l1.set_unit(commune);
  l1.set_metric("eid_accounts_issued");
  l1.set_kind(eidentity::v1::STOCK);
  l1.set_value(100);
  l1.mutable_as_of_date()->set_year(2025);
  l1.mutable_as_of_date()->set_month(9);
  l1.mutable_as_of_date()->set_day(30);
  l2 = l1;
  l2.set_value(130);
  l2.mutable_as_of_date()->set_month(10);
  l2.mutable_as_of_date()->set_day(20);
  f1 = l2;
  f1.set_metric("pension_recipients");
  f1.set_kind(eidentity::v1::FLOW);
  f1.set_value(50);
  f2 = f1;
  f2.set_value(55);
  changes::v1::ChangeBatch eid;
  *eid.add_records() =
      Record(1, commune + "/metrics/eid_accounts_issued/points/2025-09-30", &l1,
             nullptr);
  *eid.add_records() =
      Record(2, commune + "/metrics/eid_accounts_issued", &l1, nullptr);
  *eid.add_records() =
      Record(3, commune + "/metrics/eid_accounts_issued/points/2025-10-20", &l2,
             nullptr);
  *eid.add_records() =
      Record(4, commune + "/metrics/eid_accounts_issued", &l2, &l1);
  *eid.add_records() =
      Record(5, commune + "/metrics/pension_recipients/points/2025-10-20", &f1,
             nullptr);
  *eid.add_records() = Record(
      6, commune + "/metrics/pension_recipients/points/2025-10-20", &f2, &f1);
  ASSERT_TRUE(engine_->ApplyBatch("eid", eid).ok());

  auto all = engine_->AllMeasures();
  ASSERT_TRUE(all.ok());
  auto at = [&](std::string scope, std::string measure, absl::CivilDay day) {
    return ValueAt(*all, scope, measure, day);
  };
  const std::string p = "provinces/25";
  const absl::CivilDay sep30(2025, 9, 30), oct19(2025, 10, 19),
      oct20(2025, 10, 20);
  EXPECT_EQ(at(p, "publicservice.procedures_total", oct20), 1);
  EXPECT_EQ(at(p, "publicservice.procedures_full_process", oct20), 1);
  EXPECT_EQ(at(p, "publicservice.procedures_partial", oct20), 0);
  EXPECT_EQ(at(p, "publicservice.dossiers_digitised", oct20), 7);
  EXPECT_EQ(at(p, "publicservice.dossiers_digitised", sep30), 0);
  EXPECT_EQ(at(commune, "publicservice.unit.reported", oct20), 1);
  // The stock is 100 from 09-30 and 130 from 10-20: point in time.
  EXPECT_EQ(at(p, "eidentity.eid_accounts_issued", sep30 - 1), 0);
  EXPECT_EQ(at(p, "eidentity.eid_accounts_issued", sep30), 100);
  EXPECT_EQ(at(p, "eidentity.eid_accounts_issued", oct19), 100);
  EXPECT_EQ(at(p, "eidentity.eid_accounts_issued", oct20), 130);
  EXPECT_EQ(at(p, "eidentity.pension_recipients", oct20), 55);
  EXPECT_EQ(at(p, "eidentity.pension_recipients", oct19), 0);
  // One report per point held: 09-30, 10-20 (stock), 10-20 (flow).
  EXPECT_EQ(at(commune, "eidentity.unit.reported", sep30), 1);
  EXPECT_EQ(at(commune, "eidentity.unit.reported", oct20), 3);
}

// A backfilled STOCK point between two others counts only until the next
// one; a same-day replacement moves only its own step.
TEST_F(RollupEngineTest, EidentityStocksAreStepsInTime) {
  engine_.reset();
  engine_ = std::move(
      *RollupEngine::Create(store_.get(), {{"eid", "eidentity", "unused"}}));
  const std::string commune = "provinces/25/communes/07900";
  auto point = [&](int month, int day, int64_t value) {
    eidentity::v1::MetricPoint m;
    m.set_unit(commune);
    m.set_metric("eid_accounts_issued");
    m.set_kind(eidentity::v1::STOCK);
    m.set_value(value);
    m.mutable_as_of_date()->set_year(2025);
    m.mutable_as_of_date()->set_month(month);
    m.mutable_as_of_date()->set_day(day);
    return m;
  };
  auto resource = [&](int month, int day) {
    return absl::StrFormat(
        "%s/metrics/eid_accounts_issued/points/2025-%02d-%02d", commune, month,
        day);
  };
  const auto a = point(9, 1, 100), c = point(11, 1, 300), b = point(10, 1, 200),
             b2 = point(10, 1, 250);
  changes::v1::ChangeBatch batch;
  *batch.add_records() = Record(1, resource(9, 1), &a, nullptr);
  *batch.add_records() = Record(2, resource(11, 1), &c, nullptr);
  *batch.add_records() = Record(3, resource(10, 1), &b, nullptr);  // backfill
  *batch.add_records() = Record(4, resource(10, 1), &b2, &b);      // replaced
  ASSERT_TRUE(engine_->ApplyBatch("eid", batch).ok());
  auto all = engine_->AllMeasures();
  ASSERT_TRUE(all.ok());
  auto value_at = [&](absl::CivilDay day) {
    return ValueAt(*all, "provinces/25", "eidentity.eid_accounts_issued", day);
  };
  EXPECT_EQ(value_at(absl::CivilDay(2025, 8, 31)), 0);
  EXPECT_EQ(value_at(absl::CivilDay(2025, 9, 15)), 100);
  EXPECT_EQ(value_at(absl::CivilDay(2025, 10, 15)), 250);
  EXPECT_EQ(value_at(absl::CivilDay(2025, 11, 15)), 300);
}

TEST(SourceSpecTest, Parses) {
  auto a = ParseSourceSpec("criteria@127.0.0.1:50571");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "criteria");
  EXPECT_EQ(a->kind, "criteria");
  auto b = ParseSourceSpec("phu-tho=aggregator@10.0.0.1:50574");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->name, "phu-tho");
  EXPECT_EQ(b->kind, "aggregator");
  EXPECT_FALSE(ParseSourceSpec("nonsense").ok());
  EXPECT_FALSE(RollupEngine::Create(nullptr, {{"x", "bogus", "a:1"}}).ok());
}

}  // namespace
}  // namespace nq57::aggregator
