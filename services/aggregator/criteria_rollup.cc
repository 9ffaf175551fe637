#include <optional>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "common/time/proto_time.h"
#include "nq57/criteria/v1/criteria.pb.h"
#include "services/aggregator/measure_names.h"
#include "services/aggregator/point_in_time.h"
#include "services/aggregator/source_adapter.h"

namespace nq57::aggregator {
namespace {

using criteria::v1::Assignment;
using criteria::v1::Criterion;

constexpr std::string_view kAssignmentsInfix = "/assignments/";

// What an assignment contributes, given its criterion.
struct Facts {
  bool counted = false;
  std::string province;
  std::string unit;
  std::string level;  // "province" or "commune"
  std::string block;
  std::string group;
  absl::Time assign_time;
  bool completed = false;
  absl::Time complete_time;
  std::optional<absl::Time> deadline;
};

std::string MirrorCriterionKey(std::string_view code) {
  return absl::StrCat("c/", AbslView(code));
}
std::string MirrorAssignmentPrefix(std::string_view code) {
  return absl::StrCat("a/", AbslView(code), "/");
}

Facts FactsOf(const std::optional<Criterion>& criterion,
              const std::optional<Assignment>& assignment) {
  Facts f;
  if (!criterion.has_value() || !assignment.has_value() ||
      criterion->state() != Criterion::ACTIVE) {
    return f;
  }
  f.unit = assignment->unit();
  f.province = std::string(ProvinceOf(f.unit));
  if (f.province.empty()) return f;
  f.counted = true;
  f.level = f.unit.find("/communes/") != std::string::npos
                ? measures::kCommuneLevel
                : measures::kProvinceLevel;
  f.block = criteria::v1::Block_Name(criterion->block());
  f.group = criteria::v1::Group_Name(criterion->group());
  // The mirror always holds both times (see SlimAssignment).
  f.assign_time = FromProtoTime(assignment->assign_time());
  f.completed = assignment->state() == criteria::v1::COMPLETED;
  f.complete_time = FromProtoTime(assignment->complete_time());
  if (criterion->has_deadline())
    f.deadline = FromProtoTime(criterion->deadline());
  return f;
}

// Each fact counts from its own time: assigned (and with a deadline, and
// open) from assign_time, completed (on time or late, no longer open) from
// complete_time.
absl::Status AddFacts(const Facts& f, int sign, RollupState& state) {
  if (!f.counted) return absl::OkStatus();
  const std::string assigned_at = AtBucket(f.assign_time);
  const std::string completed_at = AtBucket(f.complete_time);
  RETURN_IF_ERROR(state.AddMeasure(
      {f.province, assigned_at,
       measures::CriteriaCell(f.level, f.block, f.group, measures::kAssigned)},
      sign));
  if (f.completed) {
    RETURN_IF_ERROR(
        state.AddMeasure({f.province, completed_at,
                          measures::CriteriaCell(f.level, f.block, f.group,
                                                 measures::kCompleted)},
                         sign));
  }
  if (f.deadline.has_value()) {
    RETURN_IF_ERROR(state.AddMeasure(
        {f.province, assigned_at, measures::kDeadlineWithDeadline}, sign));
    RETURN_IF_ERROR(state.AddMeasure(
        {f.province, OpenDeadlineBucket(*f.deadline, f.assign_time),
         measures::kDeadlineOpen},
        sign));
    if (f.completed) {
      const bool on_time = f.complete_time <= *f.deadline;
      RETURN_IF_ERROR(state.AddMeasure(
          {f.province, completed_at,
           on_time ? measures::kDeadlineOnTime : measures::kDeadlineLate},
          sign));
      RETURN_IF_ERROR(state.AddMeasure(
          {f.province, OpenDeadlineBucket(*f.deadline, f.complete_time),
           measures::kDeadlineOpen},
          -sign));
    }
  }
  return absl::OkStatus();
}

template <typename T>
absl::StatusOr<std::optional<T>> ReadMirror(RollupState& state,
                                            std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, state.GetMirror(key));
  if (!bytes.has_value()) return std::optional<T>();
  T out;
  if (!out.ParseFromString(*bytes)) {
    return absl::DataLossError(
        absl::StrCat("corrupt mirror entry ", AbslView(key)));
  }
  return std::optional<T>(std::move(out));
}

absl::Status ApplyCriterion(const changes::v1::ChangeRecord& record,
                            RollupState& state) {
  std::optional<Criterion> next;
  if (record.has_new_value()) {
    Criterion c;
    if (!record.new_value().UnpackTo(&c)) return absl::OkStatus();
    next = std::move(c);
  }
  const std::string code = record.resource().substr(strlen("criteria/"));
  const std::string key = MirrorCriterionKey(code);
  ASSIGN_OR_RETURN(std::optional<Criterion> prev,
                   ReadMirror<Criterion>(state, key));
  const bool moves =
      !prev.has_value() || !next.has_value() ||
      prev->state() != next->state() || prev->block() != next->block() ||
      prev->group() != next->group() ||
      prev->has_deadline() != next->has_deadline() ||
      (prev->has_deadline() &&
       FromProtoTime(prev->deadline()) != FromProtoTime(next->deadline()));
  if (moves) {
    std::vector<Assignment> assignments;
    absl::Status parse = absl::OkStatus();
    RETURN_IF_ERROR(state.ScanMirror(
        MirrorAssignmentPrefix(code),
        [&](std::string_view, std::string_view value) {
          Assignment a;
          if (!a.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            parse = absl::DataLossError("corrupt assignment mirror");
            return false;
          }
          assignments.push_back(std::move(a));
          return true;
        }));
    RETURN_IF_ERROR(parse);
    for (const Assignment& a : assignments) {
      RETURN_IF_ERROR(AddFacts(FactsOf(prev, a), -1, state));
      RETURN_IF_ERROR(AddFacts(FactsOf(next, a), +1, state));
    }
  }
  if (next.has_value()) {
    // Only what the rollup needs.
    Criterion slim;
    slim.set_code(next->code());
    slim.set_block(next->block());
    slim.set_group(next->group());
    slim.set_level(next->level());
    slim.set_state(next->state());
    if (next->has_deadline()) *slim.mutable_deadline() = next->deadline();
    RETURN_IF_ERROR(state.PutMirror(key, slim.SerializeAsString()));
  }
  return absl::OkStatus();
}

absl::Status ApplyAssignment(const changes::v1::ChangeRecord& record,
                             RollupState& state) {
  const std::string& resource = record.resource();
  const size_t at = resource.find(kAssignmentsInfix);
  const std::string unit = resource.substr(0, at);
  const std::string code = resource.substr(at + kAssignmentsInfix.size());
  std::optional<Assignment> next;
  absl::Time reported_at;
  if (record.has_new_value()) {
    Assignment a;
    if (!record.new_value().UnpackTo(&a)) return absl::OkStatus();
    // Only what the rollup needs, with the effective times made explicit:
    // a time the source did not give takes effect at the commit.
    const absl::Time commit = FromProtoTime(record.commit_time());
    Assignment slim;
    slim.set_unit(unit);
    slim.set_state(a.state());
    *slim.mutable_assign_time() =
        a.has_assign_time() ? a.assign_time() : record.commit_time();
    if (a.state() == criteria::v1::COMPLETED) {
      *slim.mutable_complete_time() =
          a.has_complete_time() ? a.complete_time() : record.commit_time();
    }
    // A completion is reported as of its complete_time, anything else when
    // it was reported.
    reported_at = a.state() == criteria::v1::COMPLETED
                      ? FromProtoTime(slim.complete_time())
                  : a.has_update_time() ? FromProtoTime(a.update_time())
                                        : commit;
    next = std::move(slim);
  }
  ASSIGN_OR_RETURN(std::optional<Criterion> criterion,
                   ReadMirror<Criterion>(state, MirrorCriterionKey(code)));
  const std::string key = absl::StrCat(MirrorAssignmentPrefix(code), unit);
  ASSIGN_OR_RETURN(std::optional<Assignment> prev,
                   ReadMirror<Assignment>(state, key));
  RETURN_IF_ERROR(AddFacts(FactsOf(criterion, prev), -1, state));
  RETURN_IF_ERROR(AddFacts(FactsOf(criterion, next), +1, state));
  // An update of an existing assignment is a progress report of its unit
  // (coverage: units that reported progress). Reports are history: never
  // withdrawn.
  if (prev.has_value() && next.has_value() && !ProvinceOf(unit).empty()) {
    RETURN_IF_ERROR(
        RecordReport(measures::kCriteriaSource, unit, reported_at, +1, state));
  }
  if (next.has_value()) {
    RETURN_IF_ERROR(state.PutMirror(key, next->SerializeAsString()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyCriteriaChange(const changes::v1::ChangeRecord& record,
                                 RollupState& state) {
  const std::string& resource = record.resource();
  if (resource.rfind("criteria/", 0) == 0) {
    return ApplyCriterion(record, state);
  }
  if (resource.find(kAssignmentsInfix) != std::string::npos) {
    return ApplyAssignment(record, state);
  }
  return absl::OkStatus();
}

}  // namespace nq57::aggregator
