#include "tools/dataset_gen/dataset_generator.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "common/base/vietnam_time.h"
#include "common/ratio/ratio.h"

namespace nq57::dataset {
namespace {

// splitmix64: a tiny, fully specified generator, so the output does not
// depend on the standard library's distributions.
class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int64_t Uniform(int64_t lo, int64_t hi) {
    return lo +
           static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  // `count` distinct indices of [0, n), in increasing order.
  std::vector<size_t> Choose(size_t n, size_t count) {
    std::vector<size_t> all(n);
    std::iota(all.begin(), all.end(), 0);
    for (size_t i = 0; i < count; ++i) {
      std::swap(all[i], all[i + static_cast<size_t>(Uniform(0, n - i - 1))]);
    }
    all.resize(count);
    std::sort(all.begin(), all.end());
    return all;
  }

 private:
  uint64_t state_;
};

const absl::TimeZone kVietnam = VietnamTime();

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", t, kVietnam);
}
absl::Time At(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), kVietnam);
}

const absl::Time kAssignTime = At(2025, 7, 1);
const absl::Time kFirstCompletion = At(2025, 7, 1, 8);
const absl::Time kLastCompletion = At(2025, 10, 20, 17);
constexpr char kSnapshotDate[] = "2025-10-20";
constexpr char kMonth[] = "2025-10";

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    return std::string(s);
  }
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Appends one CSV record.
void Row(std::string& out, std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (std::string_view f : fields) {
    if (!first) out += ',';
    out += CsvField(f);
    first = false;
  }
  out += '\n';
}

// ---- The criteria catalogue -----------------------------------------------

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

// OK if `labels` names every block and group of the plan.
absl::Status CheckLabels(const aggregator::CriteriaLabels& labels) {
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

std::string Header(std::string_view dataset, bool synthetic, uint64_t seed,
                   std::string_view what) {
  std::string out;
  absl::StrAppend(&out, "# dataset: ", AbslView(dataset), "\n");
  if (synthetic) {
    absl::StrAppend(&out,
                    "# SYNTHETIC: invented figures for a demonstration "
                    "province, NOT real data\n");
  }
  absl::StrAppend(&out, "# ", AbslView(what), "\n");
  absl::StrAppend(&out, "# generated by tools/dataset_gen (seed ", seed,
                  "); do not edit by hand\n");
  return out;
}

// The catalogue is national: every dataset carries the same file, so loading
// a second dataset replays the first one's criteria.
std::string CriteriaCsv(const aggregator::CriteriaLabels& labels,
                        uint64_t seed) {
  std::string out =
      Header("nq57 criteria catalogue", false, seed,
             "the national criteria catalogue, identical in every dataset");
  Row(out, {"code", "title", "source", "source_reference", "block", "group",
            "level", "deadline"});
  for (const CriterionDef& c : Catalogue()) {
    const std::string title =
        absl::StrFormat("%s: tiêu chí %s %s của %s",
                        labels.FindGroup(kGroups[c.group].id)->phrase,
                        c.code.substr(c.code.size() - 2),
                        c.level == Level::kCommune    ? "cấp xã"
                        : c.level == Level::kProvince ? "cấp tỉnh"
                                                      : "các sở, ngành",
                        labels.FindBlock(kBlocks[c.block].id)->phrase);
    Row(out, {c.code, title, kGroups[c.group].source,
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
  Row(out, {"criterion", "target", "assign_time"});
  for (const CriterionDef& c : Catalogue()) {
    if (c.level == Level::kAgency && !has_agencies) continue;
    Row(out, {c.code, province, Rfc3339(kAssignTime)});
  }
  return out;
}

struct AssignmentRef {
  const Unit* unit;
  const CriterionDef* criterion;
};

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
  Row(out, {"unit", "criterion", "state", "complete_time", "evidence", "note"});
  const int64_t first = absl::ToUnixSeconds(kFirstCompletion) / 60;
  for (const CriterionDef& c : catalogue) {
    for (const Unit* u : units_of(c)) {
      if (incomplete.contains({u, &c})) {
        if (random.Uniform(0, 1) == 0) {
          Row(out, {u->name, c.code, "IN_PROGRESS", "", "", "đang triển khai"});
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
      Row(out, {u->name, c.code, "COMPLETED", Rfc3339(done), evidence, ""});
    }
  }
  return out;
}

// ---- Procedures -------------------------------------------------------------

struct FieldDef {
  const char* field;
  const char* vi;
  const char* agency;  // the Phú Thọ agency that owns it
};
constexpr FieldDef kFields[] = {
    {"science_technology", "Khoa học và công nghệ", "so-khcn"},
    {"finance", "Tài chính", "so-tc"},
    {"home_affairs", "Nội vụ", "so-nv"},
    {"justice", "Tư pháp", "so-tp"},
    {"construction", "Xây dựng", "so-xd"},
    {"health", "Y tế", "so-yt"},
    {"education", "Giáo dục và đào tạo", "so-gddt"},
    {"land", "Đất đai, nông nghiệp và môi trường", "so-nnmt"},
    {"industry_trade", "Công thương", "so-ct"},
    {"culture_tourism", "Văn hóa, thể thao và du lịch", "so-vhttdl"},
    {"ethnic_religion", "Dân tộc và tôn giáo", "so-dttg"},
    {"general", "Hành chính tổng hợp", "vp-ubnd"},
    {"inspection", "Thanh tra", "thanh-tra"},
    {"police", "Công an", "cong-an"}};

std::string ProceduresCsv(std::string_view dataset, bool synthetic,
                          uint64_t seed, const Unit& province, int full,
                          int partial, int offline, bool by_agency,
                          SeededRandom& random) {
  std::vector<const char*> levels;
  levels.insert(levels.end(), full, "FULL_PROCESS");
  levels.insert(levels.end(), partial, "PARTIAL");
  levels.insert(levels.end(), offline, "OFFLINE");
  for (size_t i = levels.size(); i > 1; --i) {
    std::swap(levels[i - 1],
              levels[static_cast<size_t>(random.Uniform(0, i - 1))]);
  }
  std::string out =
      Header(dataset, synthetic, seed,
             absl::StrFormat(
                 "the procedure catalogue: %d procedures, %d full-process, "
                 "%d partial, %d offline",
                 levels.size(), full, partial, offline));
  Row(out, {"unit", "code", "display_name", "field", "online_level",
            "essential", "level_effective_from"});
  constexpr int kFieldCount = sizeof(kFields) / sizeof(kFields[0]);
  for (size_t i = 0; i < levels.size(); ++i) {
    const FieldDef& f = kFields[i % kFieldCount];
    const std::string unit =
        by_agency ? absl::StrCat(province.name, "/agencies/", f.agency)
                  : province.name;
    const std::string code = absl::StrFormat("1.%06d", 1000 + 7 * i);
    Row(out,
        {unit, code, absl::StrFormat("%s: thủ tục %s", f.vi, code), f.field,
         levels[i], i % 40 == 0 ? "true" : "false", "2025-07-01"});
  }
  return out;
}

// ---- Dossier statistics -----------------------------------------------------

constexpr const char* kDossierFields[] = {"land", "justice", "social_insurance",
                                          "business"};
constexpr const char* kCountColumns[] = {"dossiers_received_online",
                                         "dossiers_received_in_person",
                                         "dossiers_received_by_post",
                                         "dossiers_processed",
                                         "dossiers_processed_on_time",
                                         "dossiers_processed_late",
                                         "dossiers_digitised",
                                         "results_issued",
                                         "results_digitised",
                                         "results_reused",
                                         "fee_payments",
                                         "fees_paid_online"};
enum Count {
  kOnline,
  kInPerson,
  kByPost,
  kProcessed,
  kOnTime,
  kLate,
  kDigitised,
  kResultsIssued,
  kResultsDigitised,
  kReused,
  kFees,
  kFeesOnline,
  kCounts
};

struct DossierRow {
  const Unit* unit;
  const char* field;
  int64_t c[kCounts];
};

// Moves `delta` units into (delta > 0) or out of column `col` of `rows`,
// keeping each row within [0, cap(row)].
template <typename Cap>
void Spread(std::vector<DossierRow>& rows, int col, int64_t delta, Cap cap) {
  while (delta != 0) {
    bool moved = false;
    for (DossierRow& r : rows) {
      if (delta > 0 && r.c[col] < cap(r)) {
        ++r.c[col];
        --delta;
        moved = true;
      } else if (delta < 0 && r.c[col] > 0) {
        --r.c[col];
        ++delta;
        moved = true;
      }
      if (delta == 0) break;
    }
    if (!moved) break;
  }
}

absl::StatusOr<std::string> Percent(int64_t num, int64_t den, int decimals,
                                    RoundingMode mode = RoundingMode::kHalfUp) {
  return RenderPercent(Ratio{num, den}, mode, decimals);
}

// The smallest numerator over `den` that renders as `text` (half-up), found
// from `permyriad_floor` (text * 100, minus a half step).
absl::StatusOr<int64_t> NumeratorFor(int64_t den, std::string_view text,
                                     int decimals) {
  double target = std::stod(std::string(text)) / 100.0;
  int64_t guess = static_cast<int64_t>(target * static_cast<double>(den)) - 3;
  for (int64_t n = std::max<int64_t>(0, guess); n <= guess + 8 && n <= den;
       ++n) {
    ASSIGN_OR_RETURN(std::string s, Percent(n, den, decimals));
    if (s == text) return n;
  }
  return absl::InternalError(
      absl::StrCat("no numerator over ", den, " renders as ", AbslView(text)));
}

absl::StatusOr<std::string> DossierStatsCsv(
    std::string_view dataset, bool synthetic, uint64_t seed,
    const std::vector<const Unit*>& communes, bool exact,
    SeededRandom& random) {
  std::vector<DossierRow> rows;
  for (const Unit* u : communes) {
    for (const char* field : kDossierFields) {
      DossierRow r{u, field, {}};
      int64_t* c = r.c;
      c[kOnline] = random.Uniform(40, 400);
      c[kInPerson] = random.Uniform(10, 150);
      c[kByPost] = random.Uniform(0, 10);
      const int64_t received = c[kOnline] + c[kInPerson] + c[kByPost];
      c[kProcessed] = received * random.Uniform(90, 99) / 100;
      c[kLate] = c[kProcessed] * random.Uniform(0, 3) / 100;
      c[kOnTime] = c[kProcessed] - c[kLate];
      c[kDigitised] = received * random.Uniform(76, 90) / 100;
      c[kResultsIssued] = c[kProcessed];
      c[kResultsDigitised] = c[kResultsIssued] * random.Uniform(76, 90) / 100;
      c[kReused] = c[kResultsDigitised] * random.Uniform(74, 87) / 100;
      c[kFees] = received * random.Uniform(10, 50) / 100;
      c[kFeesOnline] = c[kFees] * random.Uniform(30, 80) / 100;
      rows.push_back(r);
    }
  }
  auto total = [&](std::initializer_list<int> cols) {
    int64_t t = 0;
    for (const DossierRow& r : rows) {
      for (int col : cols) t += r.c[col];
    }
    return t;
  };
  if (exact) {
    // DIGITISATION_RATE = (dossiers_digitised + results_digitised) /
    // (received + results_issued) = 83.20% (half-up, 2 decimals).
    const int64_t den = total({kOnline, kInPerson, kByPost, kResultsIssued});
    ASSIGN_OR_RETURN(int64_t want, NumeratorFor(den, "83.20", 2));
    Spread(rows, kDigitised, want - total({kDigitised, kResultsDigitised}),
           [](const DossierRow& r) {
             return r.c[kOnline] + r.c[kInPerson] + r.c[kByPost];
           });
    // REUSE_RATE = results_reused / results_digitised = 80.47%.
    ASSIGN_OR_RETURN(int64_t reused,
                     NumeratorFor(total({kResultsDigitised}), "80.47", 2));
    Spread(rows, kReused, reused - total({kReused}),
           [](const DossierRow& r) { return r.c[kResultsDigitised]; });
    ASSIGN_OR_RETURN(
        std::string digitisation,
        Percent(total({kDigitised, kResultsDigitised}),
                total({kOnline, kInPerson, kByPost, kResultsIssued}), 2));
    ASSIGN_OR_RETURN(std::string reuse,
                     Percent(total({kReused}), total({kResultsDigitised}), 2));
    if (digitisation != "83.20" || reuse != "80.47") {
      return absl::InternalError(absl::StrCat("dossier statistics give ",
                                              digitisation, " and ", reuse));
    }
  }
  std::string out = Header(dataset, synthetic, seed,
                           absl::StrCat("dossier statistics for ", kMonth,
                                        ", per commune and field (flows)"));
  std::vector<std::string> header = {"unit", "month", "field"};
  for (const char* col : kCountColumns) header.push_back(col);
  out += absl::StrJoin(header, ",") + "\n";
  for (const DossierRow& r : rows) {
    std::vector<std::string> fields = {r.unit->name, kMonth, r.field};
    for (int64_t v : r.c) fields.push_back(absl::StrCat(v));
    out += absl::StrJoin(fields, ",") + "\n";
  }
  return out;
}

// ---- Project 06 snapshots ---------------------------------------------------

// Splits `total` over `weights` exactly (largest remainder, ties to the
// earlier unit).
std::vector<int64_t> Apportion(int64_t total,
                               const std::vector<int64_t>& weights) {
  __int128 sum = 0;
  for (int64_t w : weights) sum += w;
  std::vector<int64_t> out(weights.size());
  std::vector<std::pair<__int128, size_t>> remainders;
  int64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const __int128 scaled = static_cast<__int128>(total) * weights[i];
    out[i] = static_cast<int64_t>(scaled / sum);
    given += out[i];
    remainders.push_back({scaled % sum, i});
  }
  std::stable_sort(
      remainders.begin(), remainders.end(),
      [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < total; ++k, ++given) {
    ++out[remainders[k % remainders.size()].second];
  }
  return out;
}

struct SnapshotTotals {
  int64_t issued, activated, level2, chip_cards, collected, cleaned, parcels;
  int64_t pension_recipients, pension_accounts, si_payments, si_accounts;
  int64_t households, einvoice, electricity, electricity_cashless;
};

absl::StatusOr<std::string> SnapshotsCsv(
    std::string_view dataset, bool synthetic, uint64_t seed,
    const std::vector<const Unit*>& communes, const SnapshotTotals& t,
    SeededRandom& random) {
  std::vector<int64_t> population;
  for (size_t i = 0; i < communes.size(); ++i) {
    population.push_back(random.Uniform(6000, 30000));
  }
  const auto issued = Apportion(t.issued, population);
  const auto activated = Apportion(t.activated, issued);
  const auto level2 = Apportion(t.level2, activated);
  const auto chip = Apportion(t.chip_cards, population);
  const auto collected = Apportion(t.collected, population);
  const auto cleaned = Apportion(t.cleaned, collected);
  const auto parcels = Apportion(t.parcels, population);
  const auto pension = Apportion(t.pension_recipients, population);
  const auto pension_acc = Apportion(t.pension_accounts, pension);
  const auto si = Apportion(t.si_payments, population);
  const auto si_acc = Apportion(t.si_accounts, si);
  const auto households = Apportion(t.households, population);
  const auto einvoice = Apportion(t.einvoice, households);
  const auto electricity = Apportion(t.electricity, population);
  const auto cashless = Apportion(t.electricity_cashless, electricity);
  std::string out =
      Header(dataset, synthetic, seed,
             absl::StrCat(
                 "Project 06 snapshots of every commune as of ", kSnapshotDate,
                 " (metric codes: deploy/config/indicators/"
                 "eidentity.textproto; FLOWs count the month of the date)"));
  Row(out, {"unit", "as_of_date", "source", "metric", "value"});
  for (size_t i = 0; i < communes.size(); ++i) {
    if (activated[i] > issued[i] || cleaned[i] > collected[i] ||
        pension_acc[i] > pension[i] || si_acc[i] > si[i] ||
        einvoice[i] > households[i] || cashless[i] > electricity[i]) {
      return absl::InternalError(
          absl::StrCat(communes[i]->name, ": a numerator exceeds its total"));
    }
    const int64_t provided = 25;
    const int64_t online = random.Uniform(18, 25);
    const std::pair<const char*, std::vector<std::pair<const char*, int64_t>>>
        sources[] = {{"vneid",
                      {{"eid_accounts_issued", issued[i]},
                       {"eid_accounts_activated", activated[i]},
                       {"eid_level1_activated", activated[i] - level2[i]},
                       {"eid_level2_activated", level2[i]},
                       {"chip_id_cards_issued", chip[i]}}},
                     {"c06",
                      {{"population_records_collected", collected[i]},
                       {"population_records_cleaned", cleaned[i]}}},
                     {"land",
                      {{"land_parcels_in_database", parcels[i]},
                       {"land_database_connected_communes", 1}}},
                     {"bhxh",
                      {{"pension_monthly_recipients", pension[i]},
                       {"pension_paid_to_accounts", pension_acc[i]},
                       {"social_insurance_one_time_payments", si[i]},
                       {"social_insurance_one_time_to_accounts", si_acc[i]}}},
                     {"tax",
                      {{"business_households", households[i]},
                       {"business_households_einvoice", einvoice[i]}}},
                     {"evn",
                      {{"electricity_customers", electricity[i]},
                       {"electricity_customers_cashless", cashless[i]}}},
                     {"dvc",
                      {{"essential_services_provided", provided},
                       {"essential_services_online", online}}}};
    for (const auto& [source, values] : sources) {
      for (const auto& [metric, value] : values) {
        Row(out, {communes[i]->name, kSnapshotDate, source, metric,
                  absl::StrCat(value)});
      }
    }
  }
  return out;
}

std::string Readme(std::string_view dataset, std::string_view province_name,
                   bool synthetic, uint64_t seed) {
  std::string out = absl::StrCat("# ", AbslView(dataset), "\n\n");
  if (synthetic) {
    absl::StrAppend(
        &out, "**SYNTHETIC.** Invented figures for ", AbslView(province_name),
        ", so that rankings have more than one province. Nothing here is "
        "real data.\n\n");
  } else {
    absl::StrAppend(
        &out,
        "The reference dataset: Phú Thọ (provinces/25), October 2025. The\n"
        "totals are exactly the figures of the seed report (DESIGN section "
        "7);\nthe distribution over the 148 communes and the provincial "
        "agencies is\ngenerated.\n\n");
  }
  absl::StrAppend(
      &out, "Generated by `tools/dataset_gen` (seed ", seed,
      "); do not edit by hand.\nRegenerate with `build/bin/nq57-dataset-gen "
      "--out_dir=deploy/datasets`;\n`dataset_generator_test` checks the "
      "committed files byte for byte.\n\nLoad with `build/bin/nq57ctl load "
      "deploy/datasets/",
      AbslView(dataset), "`.\n");
  return out;
}

}  // namespace

absl::StatusOr<DatasetFiles> GeneratePhuTho(
    const UnitRegistry& units, const aggregator::CriteriaLabels& labels,
    uint64_t seed) {
  RETURN_IF_ERROR(CheckLabels(labels));
  const std::string dataset = kDatasetNames[0];
  ASSIGN_OR_RETURN(const Unit* province, units.Lookup("provinces/25"));
  const std::vector<const Unit*> communes =
      units.Children(province->name, UnitLevel::kCommune);
  if (communes.size() != 148) {
    return absl::FailedPreconditionError("Phú Thọ must have 148 communes");
  }
  SeededRandom random(seed);
  DatasetFiles files;
  files["README.md"] = Readme(dataset, province->display_name, false, seed);
  files["criteria.csv"] = CriteriaCsv(labels, seed);
  const std::vector<const Unit*> agencies =
      units.Children(province->name, UnitLevel::kAgency);
  files["assignments.csv"] =
      AssignmentsCsv(dataset, false, seed, province->name, !agencies.empty());
  absl::Status status;
  files["progress.csv"] = ProgressCsv(dataset, false, seed, *province, communes,
                                      agencies, random, status);
  RETURN_IF_ERROR(status);
  files["procedures.csv"] =
      ProceduresCsv(dataset, false, seed, *province, 885, 1183,
                    2132 - 885 - 1183, true, random);
  ASSIGN_OR_RETURN(
      files["dossier_stats.csv"],
      DossierStatsCsv(dataset, false, seed, communes, true, random));
  SnapshotTotals t{};
  t.issued = 2'565'124;
  t.activated = 2'438'487;
  t.level2 = 1'731'326;
  t.chip_cards = 2'912'540;
  t.collected = 3'986'552;
  t.cleaned = 3'912'468;
  t.parcels = 781'339;
  t.pension_recipients = 41'876;
  ASSIGN_OR_RETURN(t.pension_accounts,
                   NumeratorFor(t.pension_recipients, "66.29", 2));
  t.si_payments = 2'816;
  ASSIGN_OR_RETURN(t.si_accounts, NumeratorFor(t.si_payments, "99.54", 2));
  t.households = 4'070;
  t.einvoice = 2'671;
  t.electricity = 498'762;
  ASSIGN_OR_RETURN(t.electricity_cashless,
                   NumeratorFor(t.electricity, "99.82", 2));
  ASSIGN_OR_RETURN(files["metric_snapshots.csv"],
                   SnapshotsCsv(dataset, false, seed, communes, t, random));
  return files;
}

absl::StatusOr<DatasetFiles> GenerateSynthetic(
    const UnitRegistry& units, const aggregator::CriteriaLabels& labels,
    std::string_view province_name, uint64_t seed) {
  RETURN_IF_ERROR(CheckLabels(labels));
  ASSIGN_OR_RETURN(const Unit* province, units.Lookup(province_name));
  const std::vector<const Unit*> communes =
      units.Children(province->name, UnitLevel::kCommune);
  const std::string dataset =
      province->name == "provinces/12" ? kDatasetNames[1] : kDatasetNames[2];
  SeededRandom random(seed * 100 + std::stoull(province->code));
  DatasetFiles files;
  files["README.md"] = Readme(dataset, province->display_name, true, seed);
  files["criteria.csv"] = CriteriaCsv(labels, seed);
  const std::vector<const Unit*> agencies =
      units.Children(province->name, UnitLevel::kAgency);
  files["assignments.csv"] =
      AssignmentsCsv(dataset, true, seed, province->name, !agencies.empty());
  absl::Status status;
  files["progress.csv"] = ProgressCsv(dataset, true, seed, *province, communes,
                                      agencies, random, status);
  RETURN_IF_ERROR(status);
  const int total = static_cast<int>(random.Uniform(400, 700));
  const int full = total * static_cast<int>(random.Uniform(30, 45)) / 100;
  const int partial = total * static_cast<int>(random.Uniform(40, 50)) / 100;
  files["procedures.csv"] =
      ProceduresCsv(dataset, true, seed, *province, full, partial,
                    total - full - partial, false, random);
  ASSIGN_OR_RETURN(
      files["dossier_stats.csv"],
      DossierStatsCsv(dataset, true, seed, communes, false, random));
  const int64_t n = static_cast<int64_t>(communes.size());
  SnapshotTotals t{};
  t.issued = n * random.Uniform(12000, 17000);
  t.activated = t.issued * random.Uniform(85, 96) / 100;
  t.level2 = t.activated * random.Uniform(60, 75) / 100;
  t.chip_cards = t.issued * random.Uniform(105, 115) / 100;
  t.collected = n * random.Uniform(20000, 26000);
  t.cleaned = t.collected * random.Uniform(93, 99) / 100;
  t.parcels = n * random.Uniform(3000, 6000);
  t.pension_recipients = n * random.Uniform(150, 300);
  t.pension_accounts = t.pension_recipients * random.Uniform(50, 80) / 100;
  t.si_payments = n * random.Uniform(10, 25);
  t.si_accounts = t.si_payments * random.Uniform(90, 99) / 100;
  t.households = n * random.Uniform(15, 35);
  t.einvoice = t.households * random.Uniform(40, 75) / 100;
  t.electricity = n * random.Uniform(2500, 4000);
  t.electricity_cashless = t.electricity * random.Uniform(90, 99) / 100;
  ASSIGN_OR_RETURN(files["metric_snapshots.csv"],
                   SnapshotsCsv(dataset, true, seed, communes, t, random));
  return files;
}

absl::Status WriteDatasets(const UnitRegistry& units,
                           const aggregator::CriteriaLabels& labels,
                           const GeneratorOptions& options) {
  std::vector<std::pair<std::string, DatasetFiles>> datasets;
  ASSIGN_OR_RETURN(DatasetFiles phu_tho,
                   GeneratePhuTho(units, labels, options.seed));
  datasets.emplace_back(kDatasetNames[0], std::move(phu_tho));
  ASSIGN_OR_RETURN(
      DatasetFiles lai_chau,
      GenerateSynthetic(units, labels, "provinces/12", options.seed));
  datasets.emplace_back(kDatasetNames[1], std::move(lai_chau));
  ASSIGN_OR_RETURN(
      DatasetFiles hue,
      GenerateSynthetic(units, labels, "provinces/46", options.seed));
  datasets.emplace_back(kDatasetNames[2], std::move(hue));
  for (const auto& [name, files] : datasets) {
    const std::filesystem::path dir =
        std::filesystem::path(options.out_dir) / name;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot create ", dir.string(), ": ", ec.message()));
    }
    for (const auto& [file, contents] : files) {
      std::ofstream out(dir / file, std::ios::binary | std::ios::trunc);
      out << contents;
      if (!out.good()) {
        return absl::UnavailableError(
            absl::StrCat("cannot write ", (dir / file).string()));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace nq57::dataset
