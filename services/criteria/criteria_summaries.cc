// Summaries of progress: GetSummary (completion per block x group, block,
// group and in total, and the deadline counts of one scope at an instant)
// and ListOverdue (the overdue assignments of a scope, oldest deadline
// first). Both read only the aggregates of criteria_counters.h.
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/ratio/ratio_proto.h"
#include "common/store/page_token.h"
#include "common/time/proto_time.h"
#include "common/units/scope.h"
#include "common/units/unit_proto.h"
#include "services/criteria/criteria_core.h"
#include "services/criteria/criteria_counters.h"
#include "services/criteria/criteria_names.h"
#include "services/criteria/criteria_records.h"

namespace nq57::criteria {
namespace {

// The scope a summary request names: the unit itself, a province's tree
// with include_subunits, or the whole country (no unit, include_subunits).
absl::StatusOr<Scope> ScopeOf(const UnitRegistry& units,
                              const std::string& unit, bool include_subunits) {
  if (unit.empty()) {
    if (include_subunits) return Scope::Country();
    return InvalidFieldError(
        "unit", "required unless include_subunits (the whole country)");
  }
  ASSIGN_OR_RETURN(const Unit* u, units.Lookup(unit));
  if (include_subunits && u->level == UnitLevel::kProvince) {
    return Scope::Tree(u->name);
  }
  return Scope::Unit(u->name);
}

// The request's as_of, or now.
template <typename Request>
absl::StatusOr<absl::Time> AsOf(const Request& request, absl::Time now) {
  if (!request.has_as_of()) return now;
  return ParseTimestamp(request.as_of(), "as_of");
}

struct Rendering {
  RoundingMode mode;
  int decimals;
};

common::v1::RenderedRatio Render(int64_t numerator, int64_t denominator,
                                 const Rendering& rendering) {
  return RenderRatio(Ratio{numerator, denominator}, rendering.mode,
                     rendering.decimals);
}

}  // namespace

absl::StatusOr<v1::Summary> CriteriaCore::GetSummary(
    const v1::GetSummaryRequest& request) const {
  ASSIGN_OR_RETURN(Scope scope, ScopeOf(*units_, request.unit(),
                                        request.include_subunits()));
  ASSIGN_OR_RETURN(absl::Time as_of, AsOf(request, clock_.Now()));
  if (!common::v1::RoundingMode_IsValid(request.rounding())) {
    return InvalidFieldError("rounding", "unknown rounding mode");
  }
  const Rendering rendering{
      FromProto(request.rounding()),  // UNSPECIFIED: half-up
      request.has_decimals() ? request.decimals() : 1};
  if (rendering.decimals < 0 || rendering.decimals > 6) {
    return InvalidFieldError("decimals", "must be between 0 and 6");
  }

  constexpr int kBlocks = ScopeCounts::kBlocks;
  constexpr int kGroups = ScopeCounts::kGroups;
  std::unique_ptr<Snapshot> snapshot = store_->TakeSnapshot();
  ASSIGN_OR_RETURN(const ScopeCounts counts,
                   ReadScopeCounts(*store_, scope, snapshot.get()));
  // OVERDUE: incomplete with a deadline before as_of; a range count.
  ASSIGN_OR_RETURN(const int64_t overdue,
                   CountOverdue(*store_, scope, as_of, snapshot.get()));

  v1::Summary summary;
  summary.set_unit(request.unit());
  summary.set_include_subunits(request.include_subunits());
  *summary.mutable_as_of() = ToProtoTime(as_of);
  int64_t total_assigned = 0, total_completed = 0;
  int64_t group_assigned[kGroups] = {}, group_completed[kGroups] = {};
  for (int b = 1; b < kBlocks; ++b) {
    int64_t block_assigned = 0, block_completed = 0;
    for (int g = 1; g < kGroups; ++g) {
      const int64_t assigned = counts.assigned[b][g];
      const int64_t completed = counts.completed[b][g];
      block_assigned += assigned;
      block_completed += completed;
      group_assigned[g] += assigned;
      group_completed[g] += completed;
      if (assigned == 0) continue;
      v1::BlockGroupSummary* cell = summary.add_block_groups();
      cell->set_block(static_cast<v1::Block>(b));
      cell->set_group(static_cast<v1::Group>(g));
      *cell->mutable_completed() = Render(completed, assigned, rendering);
    }
    total_assigned += block_assigned;
    total_completed += block_completed;
    if (block_assigned == 0) continue;
    v1::BlockSummary* block = summary.add_blocks();
    block->set_block(static_cast<v1::Block>(b));
    *block->mutable_completed() =
        Render(block_completed, block_assigned, rendering);
  }
  for (int g = 1; g < kGroups; ++g) {
    if (group_assigned[g] == 0) continue;
    v1::GroupSummary* group = summary.add_groups();
    group->set_group(static_cast<v1::Group>(g));
    *group->mutable_completed() =
        Render(group_completed[g], group_assigned[g], rendering);
  }
  *summary.mutable_total() = Render(total_completed, total_assigned, rendering);
  v1::DeadlineCounts* deadlines = summary.mutable_deadlines();
  deadlines->set_on_time(counts.on_time);
  deadlines->set_completed_late(counts.late);
  deadlines->set_overdue(overdue);
  deadlines->set_pending(counts.with_deadline - counts.on_time - counts.late -
                         overdue);
  *deadlines->mutable_completed() =
      Render(counts.on_time + counts.late, counts.with_deadline, rendering);
  return summary;
}

absl::StatusOr<v1::ListOverdueResponse> CriteriaCore::ListOverdue(
    const v1::ListOverdueRequest& request) const {
  ASSIGN_OR_RETURN(Scope scope, ScopeOf(*units_, request.unit(),
                                        request.include_subunits()));
  ASSIGN_OR_RETURN(int page_size, PageSizeOf(request.page_size()));
  ASSIGN_OR_RETURN(absl::Time as_of, AsOf(request, clock_.Now()));
  // A token is good for the same scope and, when given, the same as_of.
  const std::string query = absl::StrCat(
      "criteria.ListOverdue|", scope.key(), "|",
      request.has_as_of() ? absl::StrCat(absl::ToUnixNanos(as_of)) : "now");
  ASSIGN_OR_RETURN(std::string after,
                   DecodePageToken(request.page_token(), query));
  if (!after.empty() && !absl::StartsWith(after, OpenDeadlinePrefix(scope))) {
    return InvalidFieldError("page_token", "not a position of this listing");
  }
  std::unique_ptr<Snapshot> snapshot = store_->TakeSnapshot();
  // One more than a page tells whether there is a next one.
  ASSIGN_OR_RETURN(
      std::vector<OpenDeadline> overdue,
      ScanOverdue(*store_, scope, as_of, after,
                  static_cast<size_t>(page_size) + 1, snapshot.get()));
  v1::ListOverdueResponse response;
  if (static_cast<int>(overdue.size()) > page_size) {
    overdue.resize(page_size);
    response.set_next_page_token(EncodePageToken(query, overdue.back().key));
  }
  absl::flat_hash_map<std::string, v1::Criterion> criteria;
  for (const OpenDeadline& open : overdue) {
    ASSIGN_OR_RETURN(AssignmentName name,
                     ParseAssignmentName(open.assignment, "assignment"));
    ASSIGN_OR_RETURN(
        v1::Assignment a,
        ReadAssignment(*store_, name.unit, name.code, snapshot.get()));
    auto it = criteria.find(name.code);
    if (it == criteria.end()) {
      ASSIGN_OR_RETURN(v1::Criterion c,
                       ReadCriterion(*store_, name.code, snapshot.get()));
      it = criteria.emplace(name.code, std::move(c)).first;
    }
    v1::OverdueItem* item = response.add_items();
    item->set_assignment(open.assignment);
    if (const Unit* unit = units_->Find(a.unit()); unit != nullptr) {
      *item->mutable_unit() = UnitRefOf(*unit);
    } else {
      item->mutable_unit()->set_name(a.unit());
    }
    item->set_criterion(a.criterion());
    item->set_title(it->second.title());
    item->set_block(a.block());
    item->set_group(a.group());
    *item->mutable_deadline() = a.deadline();
    item->set_state(a.state());
  }
  return response;
}

}  // namespace nq57::criteria
