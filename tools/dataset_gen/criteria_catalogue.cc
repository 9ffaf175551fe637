// The criteria sections of a dataset: the national catalogue (criteria.csv),
// the assignments (assignments.csv) and the progress reports (progress.csv).
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/csv/csv_writer.h"
#include "tools/dataset_gen/dataset_sections.h"

namespace nq57::dataset {
namespace {

const absl::Time kAssignTime = At(2025, 7, 1);
const absl::Time kFirstCompletion = At(2025, 7, 1, 8);
const absl::Time kLastCompletion = At(2025, 10, 20, 17);

// Block and group names come from the labels file
// (deploy/config/labels/criteria.csv, CriteriaLabels); what is here is the
// generator's own plan: criterion code parts and each group's source.
struct BlockDef {
  const char* id;
  const char* short_code;
};
constexpr BlockDef kBlocks[] = {{"PARTY", "PARTY"},
                                {"COUNCIL", "COUNCIL"},
                                {"GOVERNMENT", "GOV"},
                                {"FRONT", "FRONT"}};
struct GroupDef {
  const char* id;
  const char* short_code;
  const char* source;
  const char* source_reference;
};
constexpr GroupDef kGroups[] = {
    {"INSTITUTIONS", "INST", "RESOLUTION_57_NQ_TW", "57-NQ/TW"},
    {"DATA", "DATA", "PROJECT_06", "Đề án 06"},
    {"PLATFORMS", "PLAT", "RESOLUTION_71_NQ_CP", "71/NQ-CP"},
    {"TRAINING", "TRAIN", "PLAN_02_KH_BCDTW", "02-KH/BCĐTW"},
    {"IMPLEMENTATION", "IMPL", "PLAN_02_KH_BCDTW", "02-KH/BCĐTW"},
    {"DIRECTION", "DIR", "RESOLUTION_57_NQ_TW", "57-NQ/TW"}};

// How many criteria of each group a block has at each level, and (for Phú
// Thọ) how many of the block's assignments are completed. Province-level
// assignments are the province's own plus those of its 14 agencies. The
// GOVERNMENT row also fixes each group's completed count so that every group
// renders as the seed publishes it (half-up, 1 decimal): Institutions
// 723/740 = 97.7, Data 732/740 = 98.9, Platforms 883/888 = 99.4, Training
// 442/444 = 99.5, Implementation 893/904 = 98.8, Direction 1,299/1,348 =
// 96.4 (4,972 / 5,064 in all).
struct BlockPlan {
  int commune_criteria[6];
  int province_criteria[6];
  int agency_criteria[6];
  int completed;           // the block's completed assignments
  int group_completed[6];  // GOVERNMENT only; -1 otherwise
};
constexpr BlockPlan kPhuThoPlan[] = {
    // PARTY: 148 x 18 + 4 + 14 x 2 = 2,696 assigned, 2,663 completed.
    {{3, 3, 3, 3, 3, 3}, {1, 1, 1, 1, 0, 0}, {0, 0, 0, 0, 1, 1}, 2663, {-1}},
    // COUNCIL: 148 x 17 + 8 + 14 = 2,538 assigned, 2,525 completed.
    {{3, 3, 3, 3, 3, 2}, {2, 2, 1, 1, 1, 1}, {0, 0, 0, 1, 0, 0}, 2525, {-1}},
    // GOVERNMENT: 148 x 34 + 4 + 14 x 2 = 5,064 assigned, 4,972 completed.
    {{5, 5, 6, 3, 6, 9},
     {0, 0, 0, 0, 2, 2},
     {0, 0, 0, 0, 1, 1},
     4972,
     {723, 732, 883, 442, 893, 1299}},
    // FRONT: 148 x 23 + 3 + 14 x 2 = 3,435 assigned, 3,377 completed.
    {{4, 4, 4, 4, 4, 3}, {1, 1, 1, 0, 0, 0}, {0, 0, 0, 0, 1, 1}, 3377, {-1}},
};

enum class Level { kCommune, kProvince, kAgency };

struct CriterionDef {
  std::string code;
  int block;
  int group;
  Level level;
  std::optional<absl::Time> deadline;
};

std::vector<CriterionDef> Catalogue() {
  std::vector<CriterionDef> out;
  for (int b = 0; b < 4; ++b) {
    for (int g = 0; g < 6; ++g) {
      for (Level level : {Level::kCommune, Level::kProvince, Level::kAgency}) {
        const BlockPlan& plan = kPhuThoPlan[b];
        const int n = level == Level::kCommune    ? plan.commune_criteria[g]
                      : level == Level::kProvince ? plan.province_criteria[g]
                                                  : plan.agency_criteria[g];
        for (int i = 0; i < n; ++i) {
          CriterionDef c;
          c.code = absl::StrFormat("NQ57-%s-%s-%c%02d", kBlocks[b].short_code,
                                   kGroups[g].short_code,
                                   "CPA"[static_cast<int>(level)], i + 1);
          c.block = b;
          c.group = g;
          c.level = level;
          // Tasks with a deadline: every third commune criterion, every
          // second province criterion.
          if (level == Level::kCommune && i % 3 == 2) {
            c.deadline = At(2025, 9, 30, 17);
          }
          if (level == Level::kProvince && i % 2 == 1) {
            c.deadline = At(2025, 10, 15, 17);
          }
          out.push_back(std::move(c));
        }
      }
    }
  }
  return out;
}

struct AssignmentRef {
  const Unit* unit;
  const CriterionDef* criterion;
};

}  // namespace

// OK if `labels` names every block and group of the plan.
absl::Status CheckLabels(const CriteriaLabels& labels) {
  for (const BlockDef& b : kBlocks) {
    if (labels.FindBlock(b.id) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("criteria labels: no block ", b.id));
    }
  }
  for (const GroupDef& g : kGroups) {
    if (labels.FindGroup(g.id) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("criteria labels: no group ", g.id));
    }
  }
  return absl::OkStatus();
}

// a second dataset replays the first one's criteria.
std::string CriteriaCsv(const CriteriaLabels& labels, uint64_t seed) {
  std::string out =
      Header("nq57 criteria catalogue", false, seed,
             "the national criteria catalogue, identical in every dataset");
  AppendCsvRow(out, {"code", "title", "source", "source_reference", "block",
                     "group", "level", "deadline"});
  for (const CriterionDef& c : Catalogue()) {
    const std::string title =
        absl::StrFormat("%s: tiêu chí %s %s của %s",
                        labels.FindGroup(kGroups[c.group].id)->phrase,
                        c.code.substr(c.code.size() - 2),
                        c.level == Level::kCommune    ? "cấp xã"
                        : c.level == Level::kProvince ? "cấp tỉnh"
                                                      : "các sở, ngành",
                        labels.FindBlock(kBlocks[c.block].id)->phrase);
    AppendCsvRow(out, {c.code, title, kGroups[c.group].source,
                       kGroups[c.group].source_reference, kBlocks[c.block].id,
                       kGroups[c.group].id,
                       c.level == Level::kCommune    ? "COMMUNE"
                       : c.level == Level::kProvince ? "PROVINCE"
                                                     : "AGENCY",
                       c.deadline ? Rfc3339(*c.deadline) : ""});
  }
  return out;
}

std::string AssignmentsCsv(std::string_view dataset, bool synthetic,
                           uint64_t seed, std::string_view province,
                           bool has_agencies) {
  std::string out =
      Header(dataset, synthetic, seed,
             "assignments: each criterion to every unit of its level in the "
             "target province");
  AppendCsvRow(out, {"criterion", "target", "assign_time"});
  for (const CriterionDef& c : Catalogue()) {
    if (c.level == Level::kAgency && !has_agencies) continue;
    AppendCsvRow(out, {c.code, province, Rfc3339(kAssignTime)});
  }
  return out;
}

// Progress for Phú Thọ or a synthetic province. `plan_exact` selects the
// seed's exact completed counts; otherwise each block x group gets a random
// completion rate and some tasks are late or overdue.
std::string ProgressCsv(std::string_view dataset, bool synthetic, uint64_t seed,
                        const Unit& province,
                        const std::vector<const Unit*>& communes,
                        const std::vector<const Unit*>& agencies,
                        SeededRandom& random, absl::Status& status) {
  auto units_of = [&](const CriterionDef& c) {
    return c.level == Level::kCommune    ? communes
           : c.level == Level::kProvince ? std::vector<const Unit*>{&province}
                                         : agencies;
  };
  const std::vector<CriterionDef> catalogue = Catalogue();
  // Assignments of each block x group, in catalogue then unit order.
  std::vector<AssignmentRef> by_bg[4][6];
  for (const CriterionDef& c : catalogue) {
    for (const Unit* u : units_of(c))
      by_bg[c.block][c.group].push_back({u, &c});
  }
  // Which assignments stay incomplete.
  std::set<std::pair<const Unit*, const CriterionDef*>> incomplete;
  std::set<std::pair<const Unit*, const CriterionDef*>> late;
  auto choose = [&](const std::vector<AssignmentRef>& pool, int64_t missing) {
    std::vector<AssignmentRef> open;
    for (const AssignmentRef& a : pool) {
      if (!a.criterion->deadline.has_value()) open.push_back(a);
    }
    if (missing > static_cast<int64_t>(open.size())) {
      status = absl::InternalError("not enough criteria without a deadline");
      return;
    }
    for (size_t i : random.Choose(open.size(), static_cast<size_t>(missing))) {
      incomplete.insert({open[i].unit, open[i].criterion});
    }
  };
  for (int b = 0; b < 4; ++b) {
    if (!synthetic) {
      const BlockPlan& plan = kPhuThoPlan[b];
      if (plan.group_completed[0] >= 0) {
        for (int g = 0; g < 6; ++g) {
          choose(by_bg[b][g], static_cast<int64_t>(by_bg[b][g].size()) -
                                  plan.group_completed[g]);
        }
      } else {
        std::vector<AssignmentRef> block;
        for (int g = 0; g < 6; ++g) {
          block.insert(block.end(), by_bg[b][g].begin(), by_bg[b][g].end());
        }
        choose(block, static_cast<int64_t>(block.size()) - plan.completed);
      }
    } else {
      for (int g = 0; g < 6; ++g) {
        const int64_t permille = random.Uniform(880, 995);
        const auto& pool = by_bg[b][g];
        int64_t open = 0;
        for (const AssignmentRef& a : pool) open += !a.criterion->deadline;
        choose(pool, open * (1000 - permille) / 1000);
        // Synthetic provinces also miss a few deadlines.
        for (const AssignmentRef& a : pool) {
          if (!a.criterion->deadline) continue;
          const int64_t roll = random.Uniform(0, 99);
          if (roll < 3) incomplete.insert({a.unit, a.criterion});
          if (roll >= 3 && roll < 8) late.insert({a.unit, a.criterion});
        }
      }
    }
  }
  std::string out =
      Header(dataset, synthetic, seed,
             "progress reports: COMPLETED with complete_time, or IN_PROGRESS");
  AppendCsvRow(
      out, {"unit", "criterion", "state", "complete_time", "evidence", "note"});
  const int64_t first = absl::ToUnixSeconds(kFirstCompletion) / 60;
  for (const CriterionDef& c : catalogue) {
    for (const Unit* u : units_of(c)) {
      if (incomplete.contains({u, &c})) {
        if (random.Uniform(0, 1) == 0) {
          AppendCsvRow(
              out, {u->name, c.code, "IN_PROGRESS", "", "", "đang triển khai"});
        }
        continue;
      }
      int64_t last = absl::ToUnixSeconds(kLastCompletion) / 60;
      int64_t lo = first;
      if (c.deadline.has_value()) {
        const int64_t deadline = absl::ToUnixSeconds(*c.deadline) / 60;
        if (late.contains({u, &c})) {
          lo = deadline + 60;
        } else {
          last = deadline - 24 * 60;
        }
      }
      const absl::Time done =
          absl::FromUnixSeconds(random.Uniform(lo, last) * 60);
      const std::string evidence =
          absl::StrFormat("%d/%s", random.Uniform(1, 399),
                          c.block == 0   ? "BC-ĐU"
                          : c.block == 1 ? "NQ-HĐND"
                          : c.block == 2 ? "QĐ-UBND"
                                         : "BC-MTTQ");
      AppendCsvRow(out,
                   {u->name, c.code, "COMPLETED", Rfc3339(done), evidence, ""});
    }
  }
  return out;
}

}  // namespace nq57::dataset
