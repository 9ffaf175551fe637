// Property: for random histories of the three sources, the report for
// (period, as_of) equals a recount over the inputs truncated to the report's
// cutoff, min(as_of, the period's end), for several periods and instants.
// Real store, real engine, real report builder; the recount is written here
// from the inputs alone.
#include "services/aggregator/point_in_time.h"

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/base/vietnam_time.h"
#include "common/indicators/indicator_catalog.h"
#include "common/time/proto_time.h"
#include "gtest/gtest.h"
#include "nq57/criteria/v1/criteria.pb.h"
#include "nq57/eidentity/v1/eidentity.pb.h"
#include "nq57/publicservice/v1/publicservice.pb.h"
#include "services/aggregator/report_builder.h"
#include "services/aggregator/rollup_engine.h"
#include "tests/support/temp_dir.h"

namespace nq57::aggregator {
namespace {

const std::string kConfig = std::string(NQ57_SOURCE_DIR) + "/deploy/config";
constexpr char kProvince[] = "provinces/25";

absl::Time At(int month, int day, int hour = 0) {
  return absl::FromCivil(absl::CivilSecond(2025, month, day, hour, 0, 0),
                         VietnamTime());
}

// One source's change feed, built record by record.
class Feed {
 public:
  void Add(std::string resource, const google::protobuf::Message* now,
           const google::protobuf::Message* before) {
    changes::v1::ChangeRecord& r = *batch_.add_records();
    r.set_sequence(static_cast<uint64_t>(batch_.records_size()));
    *r.mutable_commit_time() = ToProtoTime(At(12, 1));
    r.set_resource(std::move(resource));
    if (now != nullptr) r.mutable_new_value()->PackFrom(*now);
    if (before != nullptr) r.mutable_previous_value()->PackFrom(*before);
    batch_.set_head_sequence(static_cast<uint64_t>(batch_.records_size()));
  }
  const changes::v1::ChangeBatch& batch() const { return batch_; }

 private:
  changes::v1::ChangeBatch batch_;
};

// What the inputs say, kept by the test for the recount.
struct Task {
  std::string unit;
  absl::Time assigned;
  bool completed = false;
  absl::Time completed_at;
  std::optional<absl::Time> deadline;
};

class PointInTimeTest : public nq57::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    units_ = std::move(*UnitRegistry::Load(kConfig));
    labels_ = std::move(*CriteriaLabels::LoadFromConfig(kConfig));
    ps_catalog_ = std::move(*IndicatorCatalog::LoadFile(
        kConfig + "/indicators/publicservice.textproto"));
    eid_catalog_ = std::move(*IndicatorCatalog::LoadFile(
        kConfig + "/indicators/eidentity.textproto"));
    store_ = std::move(*Store::Open(
        Path("db"), {.column_families = RollupEngine::ColumnFamilies()}));
    engine_ = std::move(
        *RollupEngine::Create(store_.get(), {{"criteria", "criteria", "unused"},
                                             {"ps", "publicservice", "unused"},
                                             {"eid", "eidentity", "unused"}}));
    builder_ = std::make_unique<ReportBuilder>(
        store_.get(), units_.get(), labels_.get(),
        std::vector<CatalogSection>{
            {"publicservice", ps_catalog_.get(), UnitLevel::kCommune},
            {"eidentity", eid_catalog_.get(), UnitLevel::kCommune}},
        nullptr, ReportOptions{});
    for (const Unit* u : units_->Children(kProvince, UnitLevel::kCommune)) {
      if (communes_.size() < 6) communes_.push_back(u->name);
    }
  }

  std::unique_ptr<UnitRegistry> units_;
  std::unique_ptr<CriteriaLabels> labels_;
  std::unique_ptr<IndicatorCatalog> ps_catalog_, eid_catalog_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RollupEngine> engine_;
  std::unique_ptr<ReportBuilder> builder_;
  std::vector<std::string> communes_;
};

const v1::Count* CountOf(const v1::Report& r, const std::string& id) {
  for (const auto* list : {&r.public_service_counts(), &r.project06_counts()}) {
    for (const v1::Count& c : *list) {
      if (c.id() == id) return &c;
    }
  }
  return nullptr;
}

TEST_F(PointInTimeTest, ReportAtTEqualsRecountOfInputsTruncatedToT) {
  std::mt19937_64 rng(20251023);
  auto random_time = [&](int from_month, int to_month) {
    const int month =
        from_month + static_cast<int>(rng() % (to_month - from_month + 1));
    return At(month, 1 + static_cast<int>(rng() % 28),
              static_cast<int>(rng() % 24));
  };

  // Criteria: six criteria, some with a deadline; every commune assigned
  // each, at a random time; then random progress reports.
  Feed criteria_feed;
  std::vector<criteria::v1::Criterion> criteria;
  for (int i = 0; i < 6; ++i) {
    criteria::v1::Criterion c;
    c.set_code(absl::StrCat("PIT-", i));
    c.set_block(static_cast<criteria::v1::Block>(1 + rng() % 4));
    c.set_group(static_cast<criteria::v1::Group>(1 + rng() % 6));
    c.set_state(criteria::v1::Criterion::ACTIVE);
    if (i % 2 == 0) *c.mutable_deadline() = ToProtoTime(random_time(8, 11));
    criteria_feed.Add(absl::StrCat("criteria/", c.code()), &c, nullptr);
    criteria.push_back(c);
  }
  std::map<std::string, Task> tasks;  // by assignment name
  std::map<std::string, criteria::v1::Assignment> current;
  std::map<std::string, std::vector<absl::Time>> progress;  // unit -> times
  for (const auto& c : criteria) {
    for (const std::string& unit : communes_) {
      const std::string name = absl::StrCat(unit, "/assignments/", c.code());
      criteria::v1::Assignment a;
      a.set_unit(unit);
      a.set_criterion(absl::StrCat("criteria/", c.code()));
      a.set_state(criteria::v1::NOT_STARTED);
      *a.mutable_assign_time() = ToProtoTime(random_time(7, 10));
      criteria_feed.Add(name, &a, nullptr);
      current[name] = a;
      Task& t = tasks[name];
      t.unit = unit;
      t.assigned = FromProtoTime(a.assign_time());
      if (c.has_deadline()) t.deadline = FromProtoTime(c.deadline());
    }
  }
  for (int op = 0; op < 80; ++op) {
    auto it =
        std::next(current.begin(), static_cast<long>(rng() % current.size()));
    criteria::v1::Assignment before = it->second, after = before;
    Task& t = tasks[it->first];
    const absl::Time when =
        t.assigned + absl::Hours(static_cast<int64_t>(rng() % (24 * 100)));
    if (rng() % 3 != 0) {
      after.set_state(criteria::v1::COMPLETED);
      *after.mutable_complete_time() = ToProtoTime(when);
      t.completed = true;
      t.completed_at = when;
    } else {
      after.set_state(criteria::v1::IN_PROGRESS);
      after.clear_complete_time();
      t.completed = false;
    }
    *after.mutable_update_time() = ToProtoTime(At(12, 1));
    progress[t.unit].push_back(
        after.state() == criteria::v1::COMPLETED ? when : At(12, 1));
    criteria_feed.Add(it->first, &after, &before);
    it->second = after;
  }

  // Project 06: a STOCK series per commune, dates random (backfills and
  // same-day replacements included).
  Feed eid_feed;
  std::map<std::string, std::map<absl::CivilDay, int64_t>> stock;
  for (int op = 0; op < 60; ++op) {
    const std::string& unit = communes_[rng() % communes_.size()];
    const absl::CivilDay day =
        absl::ToCivilDay(random_time(7, 11), VietnamTime());
    eidentity::v1::MetricPoint p;
    p.set_unit(unit);
    p.set_province(kProvince);
    p.set_metric("eid_accounts_issued");
    p.set_kind(eidentity::v1::STOCK);
    *p.mutable_as_of_date() = ToProtoDate(day);
    p.set_value(static_cast<int64_t>(rng() % 1000));
    const std::string resource =
        absl::StrCat(unit, "/metrics/eid_accounts_issued/points/",
                     absl::FormatCivilTime(day));
    auto& series = stock[unit];
    std::optional<eidentity::v1::MetricPoint> old;
    if (auto at = series.find(day); at != series.end()) {
      old = p;
      old->set_value(at->second);
    }
    eid_feed.Add(resource, &p, old.has_value() ? &*old : nullptr);
    series[day] = p.value();
  }

  // Public services: monthly statistics per commune, some replaced.
  Feed ps_feed;
  std::map<std::string, std::map<absl::CivilMonth, int64_t>> digitised;
  for (int op = 0; op < 40; ++op) {
    const std::string& unit = communes_[rng() % communes_.size()];
    const absl::CivilMonth month(2025, 7 + static_cast<int>(rng() % 5));
    publicservice::v1::DossierStats s;
    s.set_unit(unit);
    s.mutable_period()->set_month(absl::FormatCivilTime(month));
    s.set_field("land");
    s.mutable_counts()->set_dossiers_digitised(
        static_cast<int64_t>(rng() % 500));
    std::optional<publicservice::v1::DossierStats> old;
    if (auto at = digitised[unit].find(month); at != digitised[unit].end()) {
      old = s;
      old->mutable_counts()->set_dossiers_digitised(at->second);
    }
    ps_feed.Add(absl::StrCat(unit, "/dossierStats/",
                             absl::FormatCivilTime(month), "/fields/land"),
                &s, old.has_value() ? &*old : nullptr);
    digitised[unit][month] = s.counts().dossiers_digitised();
  }

  ASSERT_TRUE(engine_->ApplyBatch("criteria", criteria_feed.batch()).ok());
  ASSERT_TRUE(engine_->ApplyBatch("eid", eid_feed.batch()).ok());
  ASSERT_TRUE(engine_->ApplyBatch("ps", ps_feed.batch()).ok());

  // Each period with its bounds written out here (not derived by the code
  // under test): [start, end) in Vietnam's time.
  struct Ask {
    std::string period;
    absl::Time as_of, start, end;
  };
  const absl::Time next_year =
      absl::FromCivil(absl::CivilSecond(2026, 1, 1, 0, 0, 0), VietnamTime());
  std::vector<Ask> asks = {
      {"2025-07", At(7, 15, 12), At(7, 1), At(8, 1)},
      {"2025-08", At(12, 1), At(8, 1), At(9, 1)},
      {"2025-09", At(9, 30, 23), At(9, 1), At(10, 1)},
      {"2025-10", At(10, 17, 6), At(10, 1), At(11, 1)},
      {"2025-Q3", At(11, 2), At(7, 1), At(10, 1)},
      {"2025-Q4", At(11, 20, 18), At(10, 1), next_year},
      {"2025", At(12, 1), At(1, 1), next_year},
      {"2025-11", At(11, 1), At(11, 1), At(12, 1)},
  };
  // At a completion's very instant, a second before it and within its
  // second: the scans end at the cutoff's second, and a change in that
  // second counts only from its instant.
  for (const auto& [name, t] : tasks) {
    if (!t.completed || t.completed_at >= next_year) continue;
    for (absl::Duration d :
         {absl::ZeroDuration(), -absl::Seconds(1), absl::Milliseconds(999)}) {
      asks.push_back({"2025", t.completed_at + d, At(1, 1), next_year});
    }
    break;
  }
  int nonzero = 0;
  for (const Ask& ask : asks) {
    SCOPED_TRACE(ask.period);
    // What counts: effective at or before as_of and before the period's end;
    // flows and coverage also from its start.
    auto counts = [&](absl::Time t) { return t <= ask.as_of && t < ask.end; };
    auto within = [&](absl::Time t) { return counts(t) && t >= ask.start; };
    const absl::Time cutoff = std::min(ask.as_of, ask.end - absl::Seconds(1));
    auto report = builder_->Build(kProvince, ask.period, ask.as_of);
    ASSERT_TRUE(report.ok()) << report.status();

    // Criteria, recounted from the tasks.
    int64_t assigned = 0, completed = 0, with_deadline = 0, on_time = 0,
            late = 0, overdue = 0, pending = 0;
    for (const auto& [name, t] : tasks) {
      if (!counts(t.assigned)) continue;
      ++assigned;
      const bool done = t.completed && counts(t.completed_at);
      completed += done;
      if (!t.deadline.has_value()) continue;
      ++with_deadline;
      if (done) {
        (t.completed_at <= *t.deadline ? on_time : late) += 1;
      } else {
        (*t.deadline < cutoff ? overdue : pending) += 1;
      }
    }
    const auto& total = report->criteria().total();
    EXPECT_EQ(total.value().ratio().numerator(), completed);
    EXPECT_EQ(total.value().ratio().denominator(), assigned);
    const auto& d = report->criteria().deadlines();
    EXPECT_EQ(d.with_deadline(), with_deadline);
    EXPECT_EQ(d.on_time(), on_time);
    EXPECT_EQ(d.completed_late(), late);
    EXPECT_EQ(d.overdue(), overdue);
    EXPECT_EQ(d.pending(), pending);
    int64_t reporting = 0;
    for (const auto& [unit, times] : progress) {
      bool any = false;
      for (absl::Time t : times) any = any || counts(t);
      reporting += any;
    }
    EXPECT_EQ(total.coverage().reported(), reporting);

    // Project 06 stock: each commune's latest value on or before the cutoff;
    // coverage: communes with a point dated in the period.
    int64_t issued = 0, eid_reporting = 0;
    for (const auto& [unit, series] : stock) {
      bool in_period = false;
      std::optional<int64_t> latest;
      for (const auto& [day, value] : series) {
        const absl::Time t = StartOfDay(day);
        if (!counts(t)) continue;
        latest = value;
        in_period = in_period || within(t);
      }
      issued += latest.value_or(0);
      eid_reporting += in_period;
    }
    const v1::Count* eid = CountOf(*report, "eidentity.eid_accounts_issued");
    ASSERT_NE(eid, nullptr);
    EXPECT_EQ(eid->value(), issued);
    EXPECT_EQ(eid->coverage().reported(), eid_reporting);

    // Public-service flow: the months of the period up to the cutoff.
    int64_t flow = 0, ps_reporting = 0;
    for (const auto& [unit, months] : digitised) {
      bool in_period = false;
      for (const auto& [month, value] : months) {
        if (!within(StartOfDay(absl::CivilDay(month)))) continue;
        flow += value;
        in_period = true;
      }
      ps_reporting += in_period;
    }
    const v1::Count* ps = CountOf(*report, "publicservice.dossiers_digitised");
    ASSERT_NE(ps, nullptr);
    EXPECT_EQ(ps->value(), flow);
    EXPECT_EQ(ps->coverage().reported(), ps_reporting);
    nonzero += completed > 0 && issued > 0 && flow > 0;
  }
  // The histories are not trivial: most windows see all three sources.
  EXPECT_GE(nonzero, 4);

  // A period that has not begun at as_of is refused, naming the field.
  auto future = builder_->Build(kProvince, "2025-12", At(11, 30));
  EXPECT_EQ(future.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace nq57::aggregator

namespace nq57::aggregator {
namespace {

TEST(OpenDeadlineBucketTest, RoundTripsAndRefusesWhatItNeverWrites) {
  const absl::Time deadline = absl::FromUnixSeconds(1761152400);  // 2025-10-22
  const absl::Time when = absl::FromUnixSeconds(1759000000);
  absl::Time d, w;
  ASSERT_TRUE(
      ParseOpenDeadlineBucket(OpenDeadlineBucket(deadline, when), &d, &w));
  EXPECT_EQ(d, deadline);
  EXPECT_EQ(w, when);
  for (const char* bad : {"open:2025-02-30T00:00:00Z|at:000001759000000",
                          "open:2025-10-22T17:00:00|at:000001759000000",
                          "open:2025-1O-22T17:00:00Z|at:000001759000000",
                          "open:2025-10-22T24:00:00Z|at:000001759000000",
                          "open:2025-10-22T17:00:00Z", "at:000001759000000"}) {
    EXPECT_FALSE(ParseOpenDeadlineBucket(bad, &d, &w)) << bad;
  }
}

}  // namespace
}  // namespace nq57::aggregator
