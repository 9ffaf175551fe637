// The report's criteria section: completion per block, level and group,
// and the deadline counts (see report_builder.h).
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "common/ratio/coverage.h"
#include "common/ratio/ratio_proto.h"
#include "common/store/key_codec.h"
#include "services/aggregator/measure_names.h"
#include "services/aggregator/point_in_time.h"
#include "services/aggregator/report_builder.h"

namespace nq57::aggregator {
namespace {

constexpr const char* kLevels[] = {measures::kProvinceLevel,
                                   measures::kCommuneLevel};

}  // namespace

absl::Status ReportBuilder::BuildCriteria(std::string_view province,
                                          const Measures& current,
                                          const UnitReportIndex& units,
                                          const ReportWindow& window,
                                          const Snapshot* snapshot,
                                          v1::Report& report) const {
  const std::vector<CriteriaLabel>& blocks = labels_->blocks();
  const std::vector<CriteriaLabel>& groups = labels_->groups();
  const size_t nb = blocks.size(), ng = groups.size();
  // The block x group x level counters, read out of `current` once:
  // counts[((level * nb + block) * ng + group) * 2 + (0 = completed,
  // 1 = assigned)].
  std::vector<int64_t> counts(2 * nb * ng * 2, 0);
  auto cell = [&](size_t l, size_t b, size_t g, size_t w) -> int64_t& {
    return counts[((l * nb + b) * ng + g) * 2 + w];
  };
  for (size_t l = 0; l < 2; ++l) {
    for (size_t b = 0; b < nb; ++b) {
      for (size_t g = 0; g < ng; ++g) {
        for (size_t w = 0; w < 2; ++w) {
          auto it = current.find(measures::CriteriaCell(
              kLevels[l], blocks[b].id, groups[g].id,
              w == 0 ? measures::kCompleted : measures::kAssigned));
          if (it != current.end()) cell(l, b, g, w) = it->second;
        }
      }
    }
  }
  // Sums over the cells matching (level, block, group); "" matches all.
  auto count = [&](std::string_view level, std::string_view block,
                   std::string_view group, size_t what) {
    int64_t total = 0;
    for (size_t l = 0; l < 2; ++l) {
      if (!level.empty() && level != kLevels[l]) continue;
      for (size_t b = 0; b < nb; ++b) {
        if (!block.empty() && block != blocks[b].id) continue;
        for (size_t g = 0; g < ng; ++g) {
          if (!group.empty() && group != groups[g].id) continue;
          total += cell(l, b, g, what);
        }
      }
    }
    return total;
  };
  // Coverage: the units that reported progress by the cutoff.
  std::vector<const Unit*> province_level =
      units_->Children(province, UnitLevel::kAgency);
  ASSIGN_OR_RETURN(const Unit* self, units_->Lookup(province));
  province_level.insert(province_level.begin(), self);
  const std::vector<const Unit*> commune_level =
      units_->Children(province, UnitLevel::kCommune);
  auto reporting = [&](const std::vector<const Unit*>& of) {
    int64_t n = 0;
    for (const Unit* u : of) {
      n += ReportsIn(units, u->name, measures::kCriteriaSource).reporting;
    }
    return n;
  };
  const int64_t communes = static_cast<int64_t>(commune_level.size());
  const int64_t province_units = static_cast<int64_t>(province_level.size());
  const int64_t province_units_reporting = reporting(province_level);
  const int64_t commune_units_reporting = reporting(commune_level);

  auto make = [&](std::string id, std::string vi, std::string en,
                  std::string_view level, std::string_view block,
                  std::string_view group) {
    v1::Figure f;
    f.set_id(std::move(id));
    f.set_label_vi(std::move(vi));
    f.set_label_en(std::move(en));
    const Ratio r{count(level, block, group, 0), count(level, block, group, 1)};
    *f.mutable_value() =
        RenderRatio(r, options_.criteria_rounding, options_.criteria_decimals);
    const bool commune = level == measures::kCommuneLevel;
    const bool province_level = level == measures::kProvinceLevel;
    const int64_t expected = commune          ? communes
                             : province_level ? province_units
                                              : communes + province_units;
    const int64_t reported =
        commune          ? commune_units_reporting
        : province_level ? province_units_reporting
                         : commune_units_reporting + province_units_reporting;
    *f.mutable_coverage() = CountCoverage(reported, expected);
    (*f.mutable_inputs())["completed"] = r.numerator;
    (*f.mutable_inputs())["assigned"] = r.denominator;
    f.set_formula(absl::StrCat(
        "completed / assigned criteria of active criteria",
        block.empty() ? "" : absl::StrCat(", block ", AbslView(block)),
        group.empty() ? "" : absl::StrCat(", group ", AbslView(group)),
        level.empty() ? ", province and communes"
                      : absl::StrCat(", ", AbslView(level), " level"),
        "; ratio of sums"));
    CheckPublished(published_, province, report.period(), f);
    return f;
  };

  v1::CriteriaSection* c = report.mutable_criteria();
  const CriteriaLabel& total = labels_->total();
  *c->mutable_total() =
      make(measures::kTotalFigure, total.vi, total.en, "", "", "");
  for (const CriteriaLabel& b : blocks) {
    *c->add_blocks() =
        make(measures::BlockFigure(b.id), b.vi, b.en, "", b.id, "");
    for (const auto& [level, label, list] :
         {std::tuple(measures::kProvinceLevel, &labels_->province_level(),
                     c->mutable_blocks_province_level()),
          std::tuple(measures::kCommuneLevel, &labels_->commune_level(),
                     c->mutable_blocks_commune_level())}) {
      *list->Add() = make(measures::BlockLevelFigure(b.id, level),
                          absl::StrCat(b.vi, " ", label->vi),
                          absl::StrCat(b.en, ", ", label->en), level, b.id, "");
    }
  }
  for (const CriteriaLabel& g : groups) {
    *c->add_groups() =
        make(measures::GroupFigure(g.id), g.vi, g.en, "", "", g.id);
  }
  for (const CriteriaLabel& b : blocks) {
    for (const CriteriaLabel& g : groups) {
      *c->add_block_groups() =
          make(measures::BlockGroupFigure(b.id, g.id),
               absl::StrCat(b.vi, " — ", g.vi), absl::StrCat(b.en, " — ", g.en),
               "", b.id, g.id);
    }
  }
  return BuildDeadlines(province, current, window, snapshot, *c);
}

// Deadlines at the cutoff: tasks open then (assigned, not yet completed),
// overdue when their deadline is before the cutoff.
absl::Status ReportBuilder::BuildDeadlines(std::string_view province,
                                           const Measures& current,
                                           const ReportWindow& window,
                                           const Snapshot* snapshot,
                                           v1::CriteriaSection& section) const {
  auto get = [&](std::string_view m) {
    auto it = current.find(m);
    return it == current.end() ? int64_t{0} : it->second;
  };
  v1::DeadlineCounts* d = section.mutable_deadlines();
  d->set_with_deadline(get(measures::kDeadlineWithDeadline));
  d->set_on_time(get(measures::kDeadlineOnTime));
  d->set_completed_late(get(measures::kDeadlineLate));
  const std::string open_prefix =
      KeyBuilder().String(province).Build() + std::string(kOpenBucketPrefix);
  const absl::Time cutoff = window.cutoff();
  int64_t overdue = 0, pending = 0;
  bool corrupt = false;
  RETURN_IF_ERROR(
      ScanMeasures(open_prefix, "open-deadline measure", snapshot,
                   [&](const MeasureKey& k, int64_t value) {
                     absl::Time deadline, when;
                     if (!ParseOpenDeadlineBucket(k.bucket, &deadline, &when)) {
                       corrupt = true;
                       return;
                     }
                     if (!window.Counts(when)) return;
                     (deadline < cutoff ? overdue : pending) += value;
                   }));
  if (corrupt) return absl::DataLossError("corrupt open-deadline bucket");
  d->set_overdue(overdue);
  d->set_pending(pending);
  *d->mutable_completed() =
      RenderRatio({d->on_time() + d->completed_late(), d->with_deadline()},
                  options_.criteria_rounding, options_.criteria_decimals);
  return absl::OkStatus();
}

}  // namespace nq57::aggregator
