#include "services/criteria/criteria_core.h"

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/base/request_fingerprint.h"
#include "common/base/status_macros.h"
#include "common/ratio/ratio.h"
#include "common/store/key_codec.h"
#include "google/protobuf/util/time_util.h"

namespace nq57::criteria {
namespace {

using changes::v1::ChangeKind;
using ::google::protobuf::Timestamp;
using ::google::protobuf::util::TimeUtil;

// Column families.
constexpr char kCriteria[] = "criteria";        // code -> Criterion
constexpr char kAssignments[] = "assignments";  // (unit, code) -> Assignment
constexpr char kByCriterion[] = "assignments_by_criterion";  // (code, unit)
constexpr char kOpenDeadlines[] = "open_deadlines";  // (scope, deadline, name)
constexpr char kCounters[] = "counters";  // (scope, metric[, block, group])

// Counter metrics.
constexpr char kAssigned[] = "assigned";
constexpr char kCompleted[] = "completed";
constexpr char kWithDeadline[] = "with_deadline";
constexpr char kOnTime[] = "on_time";
constexpr char kLate[] = "late";

constexpr std::string_view kCriteriaPrefix = "criteria/";
constexpr std::string_view kAssignmentsInfix = "/assignments/";
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
// Reported completion times may run this far ahead of the server's clock.
constexpr absl::Duration kClockSkew = absl::Seconds(60);
// Timestamps accepted on input: 1970-01-01 .. 2200-01-01 (so that every
// instant fits int64 nanoseconds in keys).
constexpr int64_t kMaxTimestampSeconds = 7258118400;

absl::Time ToTime(const Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

Timestamp ToProto(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

int64_t Nanos(const Timestamp& t) {
  return TimeUtil::TimestampToNanoseconds(t);
}

CommitRequest MakeCommit(const google::protobuf::Message& request,
                         const std::string& request_id, std::string actor,
                         absl::AnyInvocable<absl::Status(Transaction&)> apply) {
  return CommitRequest{.request_id = request_id,
                       .fingerprint = RequestFingerprint(request),
                       .actor = std::move(actor),
                       .apply = std::move(apply)};
}

// ---- Validation of names and values -------------------------------------

absl::Status CheckTimestamp(const Timestamp& t, std::string_view field) {
  if (t.seconds() < 0 || t.seconds() >= kMaxTimestampSeconds || t.nanos() < 0 ||
      t.nanos() > 999'999'999) {
    return InvalidFieldError(field, "must be between 1970 and 2200");
  }
  return absl::OkStatus();
}

absl::Status CheckNotFuture(const Timestamp& t, std::string_view field,
                            absl::Time now) {
  RETURN_IF_ERROR(CheckTimestamp(t, field));
  if (ToTime(t) > now + kClockSkew) {
    return InvalidFieldError(field, "is in the future");
  }
  return absl::OkStatus();
}

bool IsValidCode(std::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  if (!absl::ascii_isalnum(static_cast<unsigned char>(code[0]))) return false;
  for (char ch : code) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '.' &&
        ch != '_' && ch != '-') {
      return false;
    }
  }
  return true;
}

constexpr char kCodeRule[] =
    "1-64 of [A-Za-z0-9._-], starting with a letter or digit";

absl::StatusOr<std::string> CodeOfCriterionName(std::string_view name,
                                                std::string_view field) {
  if (!absl::StartsWith(AbslView(name), AbslView(kCriteriaPrefix))) {
    return InvalidFieldError(field, "expected criteria/{code}");
  }
  std::string_view code = name.substr(kCriteriaPrefix.size());
  if (!IsValidCode(code)) {
    return InvalidFieldError(field,
                             absl::StrCat("criterion code: ", kCodeRule));
  }
  return std::string(code);
}

std::string CriterionName(std::string_view code) {
  return absl::StrCat(AbslView(kCriteriaPrefix), AbslView(code));
}

struct AssignmentName {
  std::string unit;
  std::string code;
};

absl::StatusOr<AssignmentName> ParseAssignmentName(std::string_view name,
                                                   std::string_view field) {
  const size_t pos = name.rfind(kAssignmentsInfix);
  if (pos == std::string_view::npos || pos == 0) {
    return InvalidFieldError(field,
                             "expected {unit}/assignments/{criterion_code}");
  }
  AssignmentName out{std::string(name.substr(0, pos)),
                     std::string(name.substr(pos + kAssignmentsInfix.size()))};
  if (!IsValidCode(out.code)) {
    return InvalidFieldError(field,
                             absl::StrCat("criterion code: ", kCodeRule));
  }
  return out;
}

std::string AssignmentNameOf(std::string_view unit, std::string_view code) {
  return absl::StrCat(AbslView(unit), AbslView(kAssignmentsInfix),
                      AbslView(code));
}

std::optional<UnitLevel> FromProtoLevel(common::v1::UnitLevel level) {
  switch (level) {
    case common::v1::PROVINCE:
      return UnitLevel::kProvince;
    case common::v1::COMMUNE:
      return UnitLevel::kCommune;
    case common::v1::AGENCY:
      return UnitLevel::kAgency;
    default:
      return std::nullopt;
  }
}

common::v1::UnitLevel ToProtoLevel(UnitLevel level) {
  switch (level) {
    case UnitLevel::kProvince:
      return common::v1::PROVINCE;
    case UnitLevel::kCommune:
      return common::v1::COMMUNE;
    case UnitLevel::kAgency:
      return common::v1::AGENCY;
  }
  return common::v1::UNIT_LEVEL_UNSPECIFIED;
}

absl::StatusOr<int> PageSize(int requested) {
  if (requested == 0) return kDefaultPageSize;
  if (requested < 0 || requested > kMaxPageSize) {
    return InvalidFieldError("page_size", "must be between 0 and 1000");
  }
  return requested;
}

// Checks one settable field of a criterion; `field` is its request path.
absl::Status CheckCriterionField(const v1::Criterion& c, std::string_view path,
                                 std::string_view field) {
  if (path == "code") {
    if (!IsValidCode(c.code())) return InvalidFieldError(field, kCodeRule);
  } else if (path == "title") {
    if (c.title().empty()) return InvalidFieldError(field, "required");
    if (c.title().size() > 1000) return InvalidFieldError(field, "too long");
  } else if (path == "source") {
    if (c.source() == v1::SOURCE_DOCUMENT_UNSPECIFIED ||
        !v1::SourceDocument_IsValid(c.source())) {
      return InvalidFieldError(field, "required");
    }
  } else if (path == "source_reference") {
    if (c.source_reference().size() > 200) {
      return InvalidFieldError(field, "too long");
    }
    if (c.source() == v1::PROVINCIAL_PLAN && c.source_reference().empty()) {
      return InvalidFieldError(field, "required for a PROVINCIAL_PLAN");
    }
  } else if (path == "block") {
    if (c.block() == v1::BLOCK_UNSPECIFIED || !v1::Block_IsValid(c.block())) {
      return InvalidFieldError(field, "required");
    }
  } else if (path == "group") {
    if (c.group() == v1::GROUP_UNSPECIFIED || !v1::Group_IsValid(c.group())) {
      return InvalidFieldError(field, "required");
    }
  } else if (path == "level") {
    if (!FromProtoLevel(c.level()).has_value()) {
      return InvalidFieldError(field, "required");
    }
  } else if (path == "deadline") {
    if (c.has_deadline()) RETURN_IF_ERROR(CheckTimestamp(c.deadline(), field));
  } else if (path == "weight") {
    if (c.has_weight() && c.weight() < 0) {
      return InvalidFieldError(field, "must not be negative");
    }
  }
  return absl::OkStatus();
}

constexpr std::array<std::string_view, 9> kCriterionFields = {
    "code",  "title",    "source", "source_reference", "block", "group",
    "level", "deadline", "weight"};
constexpr std::array<std::string_view, 5> kMutableCriterionFields = {
    "title", "source", "source_reference", "deadline", "weight"};

absl::Status CheckReport(const v1::ProgressReport& r, const UnitRegistry& units,
                         absl::Time now) {
  ASSIGN_OR_RETURN(AssignmentName name,
                   ParseAssignmentName(r.assignment(), "assignment"));
  RETURN_IF_ERROR(units.Lookup(name.unit).status());
  if (r.state() == v1::PROGRESS_STATE_UNSPECIFIED ||
      !v1::ProgressState_IsValid(r.state())) {
    return InvalidFieldError("state",
                             "must be NOT_STARTED, IN_PROGRESS or COMPLETED");
  }
  if (r.state() == v1::COMPLETED) {
    if (!r.has_complete_time()) {
      return InvalidFieldError("complete_time",
                               "required when state is COMPLETED");
    }
    RETURN_IF_ERROR(CheckNotFuture(r.complete_time(), "complete_time", now));
  } else if (r.has_complete_time()) {
    return InvalidFieldError("complete_time",
                             "only allowed when state is COMPLETED");
  }
  const std::string& link = r.evidence().link();
  if (!link.empty() && !absl::StartsWith(link, "https://") &&
      !absl::StartsWith(link, "http://")) {
    return InvalidFieldError("evidence.link", "must be an http(s) URL");
  }
  if (link.size() > 2000) return InvalidFieldError("evidence.link", "too long");
  if (r.evidence().document_number().size() > 200) {
    return InvalidFieldError("evidence.document_number", "too long");
  }
  if (r.reporter().size() > 200)
    return InvalidFieldError("reporter", "too long");
  if (r.note().size() > 2000) return InvalidFieldError("note", "too long");
  return absl::OkStatus();
}

// ---- Keys, scopes and counters ------------------------------------------

std::string AssignmentKey(std::string_view unit, std::string_view code) {
  return KeyBuilder().String(unit).String(code).Build();
}

std::string UnitScope(std::string_view unit) {
  return absl::StrCat("unit:", AbslView(unit));
}
// A province and everything under it; "" is the whole country.
std::string TreeScope(std::string_view province) {
  return absl::StrCat("tree:", AbslView(province));
}

std::array<std::string, 3> ScopesOf(std::string_view unit) {
  return {UnitScope(unit), TreeScope(ProvinceOf(unit)), TreeScope("")};
}

std::string BlockGroupCounterKey(std::string_view scope,
                                 std::string_view metric, int block,
                                 int group) {
  return KeyBuilder()
      .String(scope)
      .String(metric)
      .Uint64(static_cast<uint64_t>(block))
      .Uint64(static_cast<uint64_t>(group))
      .Build();
}

std::string ScopeCounterKey(std::string_view scope, std::string_view metric) {
  return KeyBuilder().String(scope).String(metric).Build();
}

std::string OpenDeadlineKey(std::string_view scope, int64_t deadline_nanos,
                            std::string_view assignment) {
  return KeyBuilder()
      .String(scope)
      .Int64(deadline_nanos)
      .String(assignment)
      .Build();
}

// What one assignment adds to the summaries: counter keys (each +1) and
// open-deadline index keys.
struct Contribution {
  std::vector<std::string> counters;
  std::vector<std::string> open_deadlines;
};

Contribution ContributionOf(const v1::Assignment& a, const v1::Criterion& c) {
  Contribution out;
  if (c.state() != v1::Criterion::ACTIVE) return out;
  const bool completed = a.state() == v1::COMPLETED;
  for (const std::string& scope : ScopesOf(a.unit())) {
    out.counters.push_back(
        BlockGroupCounterKey(scope, kAssigned, c.block(), c.group()));
    if (completed) {
      out.counters.push_back(
          BlockGroupCounterKey(scope, kCompleted, c.block(), c.group()));
    }
    if (!c.has_deadline()) continue;
    out.counters.push_back(ScopeCounterKey(scope, kWithDeadline));
    if (completed) {
      out.counters.push_back(ScopeCounterKey(
          scope,
          ToTime(a.complete_time()) <= ToTime(c.deadline()) ? kOnTime : kLate));
    } else {
      out.open_deadlines.push_back(
          OpenDeadlineKey(scope, Nanos(c.deadline()), a.name()));
    }
  }
  return out;
}

// Replaces `before`'s contribution with `after`'s.
absl::Status ApplyChange(Transaction& txn, const Contribution& before,
                         const Contribution& after) {
  std::map<std::string, int64_t> deltas;
  for (const std::string& key : before.counters) --deltas[key];
  for (const std::string& key : after.counters) ++deltas[key];
  for (const auto& [key, delta] : deltas) {
    if (delta != 0)
      RETURN_IF_ERROR(txn.AddToCounter(kCounters, key, delta).status());
  }
  const std::set<std::string> old_keys(before.open_deadlines.begin(),
                                       before.open_deadlines.end());
  const std::set<std::string> new_keys(after.open_deadlines.begin(),
                                       after.open_deadlines.end());
  for (const std::string& key : old_keys) {
    if (!new_keys.contains(key))
      RETURN_IF_ERROR(txn.Delete(kOpenDeadlines, key));
  }
  for (const std::string& key : new_keys) {
    if (!old_keys.contains(key))
      RETURN_IF_ERROR(txn.Put(kOpenDeadlines, key, ""));
  }
  return absl::OkStatus();
}

// ---- Stored records -----------------------------------------------------

template <typename Message>
absl::StatusOr<Message> ParseStored(const std::optional<std::string>& bytes,
                                    std::string_view what) {
  if (!bytes.has_value()) {
    return absl::NotFoundError(absl::StrCat(AbslView(what), " not found"));
  }
  Message message;
  if (!message.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat(AbslView(what), " is corrupt"));
  }
  return message;
}

absl::StatusOr<v1::Criterion> LoadCriterion(Transaction& txn,
                                            std::string_view code) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, txn.Get(kCriteria, code));
  return ParseStored<v1::Criterion>(
      bytes, absl::StrCat("criterion ", CriterionName(code)));
}

absl::StatusOr<v1::Assignment> LoadAssignment(Transaction& txn,
                                              std::string_view unit,
                                              std::string_view code) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                   txn.Get(kAssignments, AssignmentKey(unit, code)));
  return ParseStored<v1::Assignment>(
      bytes, absl::StrCat("assignment ", AssignmentNameOf(unit, code)));
}

absl::Status StoreAssignment(Transaction& txn, const v1::Assignment& a,
                             std::string_view code) {
  return txn.Put(kAssignments, AssignmentKey(a.unit(), code),
                 a.SerializeAsString());
}

// The units that have the criterion, read before any write of the caller.
absl::StatusOr<std::vector<std::string>> UnitsAssigned(Transaction& txn,
                                                       std::string_view code) {
  const std::string prefix = KeyBuilder().String(code).Build();
  std::vector<std::string> units;
  absl::Status decode = absl::OkStatus();
  RETURN_IF_ERROR(txn.Scan(kByCriterion, prefix, PrefixSuccessor(prefix),
                           [&](std::string_view key, std::string_view) {
                             KeyReader reader(key.substr(prefix.size()));
                             std::string unit;
                             if (!reader.String(&unit)) {
                               decode =
                                   absl::DataLossError("corrupt index key");
                               return false;
                             }
                             units.push_back(std::move(unit));
                             return true;
                           }));
  RETURN_IF_ERROR(decode);
  return units;
}

absl::Status CheckActive(const v1::Criterion& c) {
  if (c.state() == v1::Criterion::RETIRED) {
    return absl::FailedPreconditionError(
        absl::StrCat("criterion ", c.name(), " is retired"));
  }
  return absl::OkStatus();
}

// Creates the assignment of `c` to `unit`. Returns nullopt when it exists
// and `skip_existing`; ALREADY_EXISTS when it exists otherwise.
absl::StatusOr<std::optional<v1::Assignment>> CreateAssignmentIn(
    Transaction& txn, const v1::Criterion& c, const Unit& unit,
    std::optional<absl::Time> assign_time, std::string_view unit_field,
    bool skip_existing) {
  if (FromProtoLevel(c.level()) != unit.level) {
    return InvalidFieldError(
        unit_field,
        absl::StrCat("criterion ", c.name(), " applies to ",
                     AbslView(UnitLevelName(*FromProtoLevel(c.level()))),
                     " units; ", unit.name, " is a ",
                     AbslView(UnitLevelName(unit.level))));
  }
  const std::string key = AssignmentKey(unit.name, c.code());
  ASSIGN_OR_RETURN(std::optional<std::string> existing,
                   txn.Get(kAssignments, key));
  if (existing.has_value()) {
    if (skip_existing) return std::nullopt;
    return absl::AlreadyExistsError(
        absl::StrCat("assignment ", AssignmentNameOf(unit.name, c.code()),
                     " already exists"));
  }
  v1::Assignment a;
  a.set_name(AssignmentNameOf(unit.name, c.code()));
  a.set_unit(unit.name);
  a.set_criterion(c.name());
  a.set_block(c.block());
  a.set_group(c.group());
  if (c.has_deadline()) *a.mutable_deadline() = c.deadline();
  *a.mutable_assign_time() = ToProto(assign_time.value_or(txn.commit_time()));
  a.set_state(v1::NOT_STARTED);
  *a.mutable_update_time() = ToProto(txn.commit_time());
  RETURN_IF_ERROR(txn.Put(kAssignments, key, a.SerializeAsString()));
  RETURN_IF_ERROR(
      txn.Put(kByCriterion,
              KeyBuilder().String(c.code()).String(unit.name).Build(), ""));
  RETURN_IF_ERROR(ApplyChange(txn, {}, ContributionOf(a, c)));
  txn.RecordChange(a.name(), ChangeKind::CREATED, &a, nullptr);
  a.set_deadline_status(CriteriaCore::DeadlineStatusAt(a, txn.commit_time()));
  return a;
}

// Criteria read once per commit.
class CriterionCache {
 public:
  explicit CriterionCache(Transaction& txn) : txn_(txn) {}
  absl::StatusOr<const v1::Criterion*> Get(const std::string& code) {
    auto it = cache_.find(code);
    if (it == cache_.end()) {
      ASSIGN_OR_RETURN(v1::Criterion c, LoadCriterion(txn_, code));
      it = cache_.emplace(code, std::move(c)).first;
    }
    return &it->second;
  }

 private:
  Transaction& txn_;
  absl::flat_hash_map<std::string, v1::Criterion> cache_;
};

// Applies one validated report; field errors are relative to the report.
absl::StatusOr<v1::Assignment> ApplyReport(Transaction& txn,
                                           CriterionCache& criteria,
                                           const v1::ProgressReport& r) {
  ASSIGN_OR_RETURN(AssignmentName name,
                   ParseAssignmentName(r.assignment(), "assignment"));
  ASSIGN_OR_RETURN(v1::Assignment before,
                   LoadAssignment(txn, name.unit, name.code));
  ASSIGN_OR_RETURN(const v1::Criterion* c, criteria.Get(name.code));
  RETURN_IF_ERROR(CheckActive(*c));
  if (r.state() == v1::COMPLETED &&
      ToTime(r.complete_time()) < ToTime(before.assign_time())) {
    return InvalidFieldError(
        "complete_time",
        absl::StrCat("is before the assignment (assigned ",
                     TimeUtil::ToString(before.assign_time()), ")"));
  }
  v1::Assignment after = before;
  after.set_state(r.state());
  if (r.state() == v1::COMPLETED) {
    *after.mutable_complete_time() = r.complete_time();
  } else {
    after.clear_complete_time();
  }
  if (r.has_evidence()) {
    *after.mutable_evidence() = r.evidence();
  } else {
    after.clear_evidence();
  }
  after.set_reporter(r.reporter().empty() ? txn.actor() : r.reporter());
  after.set_note(r.note());
  *after.mutable_update_time() = ToProto(txn.commit_time());
  RETURN_IF_ERROR(
      ApplyChange(txn, ContributionOf(before, *c), ContributionOf(after, *c)));
  RETURN_IF_ERROR(StoreAssignment(txn, after, name.code));
  txn.RecordChange(after.name(), ChangeKind::UPDATED, &after, &before);
  after.set_deadline_status(
      CriteriaCore::DeadlineStatusAt(after, txn.commit_time()));
  return after;
}

// ---- Summaries ------------------------------------------------------------

absl::StatusOr<std::string> ScopeOf(const UnitRegistry& units,
                                    const std::string& unit,
                                    bool include_subunits) {
  if (unit.empty()) {
    if (include_subunits) return TreeScope("");
    return InvalidFieldError(
        "unit", "required unless include_subunits (the whole country)");
  }
  ASSIGN_OR_RETURN(const Unit* u, units.Lookup(unit));
  if (include_subunits && u->level == UnitLevel::kProvince) {
    return TreeScope(u->name);
  }
  return UnitScope(u->name);
}

RoundingMode ToRoundingMode(common::v1::RoundingMode mode) {
  switch (mode) {
    case common::v1::HALF_EVEN:
      return RoundingMode::kHalfEven;
    case common::v1::TRUNCATE:
      return RoundingMode::kTruncate;
    default:
      return RoundingMode::kHalfUp;
  }
}

struct Rendering {
  common::v1::RoundingMode mode;
  int decimals;
};

common::v1::RenderedRatio Render(int64_t numerator, int64_t denominator,
                                 const Rendering& rendering) {
  common::v1::RenderedRatio out;
  out.mutable_ratio()->set_numerator(numerator);
  out.mutable_ratio()->set_denominator(denominator);
  out.set_rounding(rendering.mode);
  out.set_decimals(rendering.decimals);
  out.set_method(common::v1::RATIO_OF_SUMS);
  if (denominator > 0) {
    absl::StatusOr<std::string> text =
        RenderPercent(Ratio{numerator, denominator},
                      ToRoundingMode(rendering.mode), rendering.decimals);
    if (text.ok()) out.set_percent(*text);
  }
  return out;
}

absl::StatusOr<absl::Time> AsOf(const v1::GetSummaryRequest& request) {
  if (!request.has_as_of()) return absl::Now();
  RETURN_IF_ERROR(CheckTimestamp(request.as_of(), "as_of"));
  return ToTime(request.as_of());
}

}  // namespace

std::vector<std::string> CriteriaCore::ColumnFamilies() {
  return {kCriteria, kAssignments, kByCriterion, kOpenDeadlines, kCounters};
}

v1::DeadlineStatus CriteriaCore::DeadlineStatusAt(
    const v1::Assignment& assignment, absl::Time as_of) {
  if (!assignment.has_deadline()) return v1::NO_DEADLINE;
  const absl::Time deadline = ToTime(assignment.deadline());
  if (assignment.state() == v1::COMPLETED) {
    return ToTime(assignment.complete_time()) <= deadline ? v1::ON_TIME
                                                          : v1::COMPLETED_LATE;
  }
  return deadline < as_of ? v1::OVERDUE : v1::PENDING;
}

// ---- Catalogue --------------------------------------------------------------

absl::StatusOr<CommitRequest> CriteriaCore::PrepareCreateCriterion(
    const v1::CreateCriterionRequest& request, std::string actor) const {
  FieldErrors errors;
  for (std::string_view path : kCriterionFields) {
    absl::Status s = CheckCriterionField(
        request.criterion(), path, absl::StrCat("criterion.", AbslView(path)));
    for (const FieldViolation& v : FieldViolationsOf(s)) {
      errors.Add(v.field, v.description);
    }
  }
  RETURN_IF_ERROR(errors.ToStatus());
  v1::Criterion criterion = request.criterion();
  return MakeCommit(
      request, request.request_id(), std::move(actor),
      [criterion](Transaction& txn) mutable -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<std::string> existing,
                         txn.Get(kCriteria, criterion.code()));
        if (existing.has_value()) {
          return absl::AlreadyExistsError(
              absl::StrCat("criterion ", CriterionName(criterion.code()),
                           " already exists"));
        }
        criterion.set_name(CriterionName(criterion.code()));
        criterion.set_state(v1::Criterion::ACTIVE);
        *criterion.mutable_create_time() = ToProto(txn.commit_time());
        *criterion.mutable_update_time() = ToProto(txn.commit_time());
        criterion.clear_retire_time();
        RETURN_IF_ERROR(txn.Put(kCriteria, criterion.code(),
                                criterion.SerializeAsString()));
        txn.RecordChange(criterion.name(), ChangeKind::CREATED, &criterion,
                         nullptr);
        txn.SetResponse(criterion.SerializeAsString());
        return absl::OkStatus();
      });
}

absl::StatusOr<CommitRequest> CriteriaCore::PrepareUpdateCriterion(
    const v1::UpdateCriterionRequest& request, std::string actor) const {
  ASSIGN_OR_RETURN(
      std::string code,
      CodeOfCriterionName(request.criterion().name(), "criterion.name"));
  if (request.update_mask().paths_size() == 0) {
    return InvalidFieldError("update_mask", "name the fields to update");
  }
  std::vector<std::string> paths;
  for (const std::string& path : request.update_mask().paths()) {
    bool is_mutable = false;
    for (std::string_view allowed : kMutableCriterionFields) {
      is_mutable = is_mutable || path == allowed;
    }
    if (!is_mutable) {
      return InvalidFieldError(
          "update_mask",
          absl::StrCat("\"", path,
                       "\" cannot be updated (mutable: title, source, "
                       "source_reference, deadline, weight)"));
    }
    if (path != "source_reference") {  // checked after merging, in apply
      RETURN_IF_ERROR(CheckCriterionField(request.criterion(), path,
                                          absl::StrCat("criterion.", path)));
    }
    paths.push_back(path);
  }
  return MakeCommit(
      request, request.request_id(), std::move(actor),
      [code, paths,
       patch = request.criterion()](Transaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(v1::Criterion before, LoadCriterion(txn, code));
        RETURN_IF_ERROR(CheckActive(before));
        v1::Criterion after = before;
        for (const std::string& path : paths) {
          if (path == "title") {
            after.set_title(patch.title());
          } else if (path == "source") {
            after.set_source(patch.source());
          } else if (path == "source_reference") {
            after.set_source_reference(patch.source_reference());
          } else if (path == "deadline") {
            if (patch.has_deadline()) {
              *after.mutable_deadline() = patch.deadline();
            } else {
              after.clear_deadline();
            }
          } else if (path == "weight") {
            if (patch.has_weight()) {
              after.set_weight(patch.weight());
            } else {
              after.clear_weight();
            }
          }
        }
        RETURN_IF_ERROR(CheckCriterionField(after, "source_reference",
                                            "criterion.source_reference"));
        *after.mutable_update_time() = ToProto(txn.commit_time());
        const bool deadline_changed =
            before.has_deadline() != after.has_deadline() ||
            (before.has_deadline() &&
             Nanos(before.deadline()) != Nanos(after.deadline()));
        if (deadline_changed) {
          // Every assignment carries the deadline and counts by it.
          ASSIGN_OR_RETURN(std::vector<std::string> units,
                           UnitsAssigned(txn, code));
          for (const std::string& unit : units) {
            ASSIGN_OR_RETURN(v1::Assignment a_before,
                             LoadAssignment(txn, unit, code));
            v1::Assignment a_after = a_before;
            if (after.has_deadline()) {
              *a_after.mutable_deadline() = after.deadline();
            } else {
              a_after.clear_deadline();
            }
            *a_after.mutable_update_time() = ToProto(txn.commit_time());
            RETURN_IF_ERROR(ApplyChange(txn, ContributionOf(a_before, before),
                                        ContributionOf(a_after, after)));
            RETURN_IF_ERROR(StoreAssignment(txn, a_after, code));
            txn.RecordChange(a_after.name(), ChangeKind::UPDATED, &a_after,
                             &a_before);
          }
        }
        RETURN_IF_ERROR(txn.Put(kCriteria, code, after.SerializeAsString()));
        txn.RecordChange(after.name(), ChangeKind::UPDATED, &after, &before);
        txn.SetResponse(after.SerializeAsString());
        return absl::OkStatus();
      });
}

absl::StatusOr<CommitRequest> CriteriaCore::PrepareRetireCriterion(
    const v1::RetireCriterionRequest& request, std::string actor) const {
  ASSIGN_OR_RETURN(std::string code,
                   CodeOfCriterionName(request.name(), "name"));
  return MakeCommit(
      request, request.request_id(), std::move(actor),
      [code](Transaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(v1::Criterion before, LoadCriterion(txn, code));
        if (before.state() == v1::Criterion::RETIRED) {
          return absl::FailedPreconditionError(
              absl::StrCat("criterion ", before.name(), " is already retired"));
        }
        v1::Criterion after = before;
        after.set_state(v1::Criterion::RETIRED);
        *after.mutable_retire_time() = ToProto(txn.commit_time());
        *after.mutable_update_time() = ToProto(txn.commit_time());
        // Its assignments stay, with their history, but stop counting.
        ASSIGN_OR_RETURN(std::vector<std::string> units,
                         UnitsAssigned(txn, code));
        for (const std::string& unit : units) {
          ASSIGN_OR_RETURN(v1::Assignment a, LoadAssignment(txn, unit, code));
          RETURN_IF_ERROR(ApplyChange(txn, ContributionOf(a, before),
                                      ContributionOf(a, after)));
        }
        RETURN_IF_ERROR(txn.Put(kCriteria, code, after.SerializeAsString()));
        txn.RecordChange(after.name(), ChangeKind::UPDATED, &after, &before);
        txn.SetResponse(after.SerializeAsString());
        return absl::OkStatus();
      });
}

// ---- Assignments
// --------------------------------------------------------------

absl::StatusOr<CommitRequest> CriteriaCore::PrepareCreateAssignment(
    const v1::CreateAssignmentRequest& request, std::string actor) const {
  if (request.unit().empty()) return InvalidFieldError("unit", "required");
  ASSIGN_OR_RETURN(const Unit* unit, units_->Lookup(request.unit()));
  ASSIGN_OR_RETURN(std::string code,
                   CodeOfCriterionName(request.criterion(), "criterion"));
  std::optional<absl::Time> assign_time;
  if (request.has_assign_time()) {
    RETURN_IF_ERROR(
        CheckNotFuture(request.assign_time(), "assign_time", absl::Now()));
    assign_time = ToTime(request.assign_time());
  }
  return MakeCommit(
      request, request.request_id(), std::move(actor),
      [unit, code, assign_time](Transaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(v1::Criterion c, LoadCriterion(txn, code));
        RETURN_IF_ERROR(CheckActive(c));
        ASSIGN_OR_RETURN(std::optional<v1::Assignment> a,
                         CreateAssignmentIn(txn, c, *unit, assign_time, "unit",
                                            /*skip_existing=*/false));
        txn.SetResponse(a->SerializeAsString());
        return absl::OkStatus();
      });
}

absl::StatusOr<CommitRequest> CriteriaCore::PrepareBatchCreateAssignments(
    const v1::BatchCreateAssignmentsRequest& request, std::string actor) const {
  ASSIGN_OR_RETURN(std::string code,
                   CodeOfCriterionName(request.criterion(), "criterion"));
  const Unit* province = nullptr;
  std::vector<const Unit*> listed;
  switch (request.target_case()) {
    case v1::BatchCreateAssignmentsRequest::kProvince: {
      ASSIGN_OR_RETURN(province, units_->Lookup(request.province()));
      if (province->level != UnitLevel::kProvince) {
        return InvalidFieldError("province", "not a province");
      }
      break;
    }
    case v1::BatchCreateAssignmentsRequest::kUnits: {
      const auto& names = request.units().units();
      if (names.empty()) return InvalidFieldError("units.units", "required");
      if (names.size() > kMaxBatchUnits) {
        return InvalidFieldError("units.units",
                                 absl::StrCat("at most ", kMaxBatchUnits));
      }
      std::set<std::string_view> seen;
      for (int i = 0; i < names.size(); ++i) {
        const std::string field = absl::StrCat("units.units[", i, "]");
        absl::StatusOr<const Unit*> unit = units_->Lookup(names[i]);
        if (!unit.ok()) return PrefixFields(unit.status(), field + ": ");
        if (!seen.insert(names[i]).second) {
          return InvalidFieldError(field, "listed twice");
        }
        listed.push_back(*unit);
      }
      break;
    }
    default:
      return InvalidFieldError("target", "set province or units");
  }
  std::optional<absl::Time> assign_time;
  if (request.has_assign_time()) {
    RETURN_IF_ERROR(
        CheckNotFuture(request.assign_time(), "assign_time", absl::Now()));
    assign_time = ToTime(request.assign_time());
  }
  return MakeCommit(
      request, request.request_id(), std::move(actor),
      [units = units_, code, province, listed,
       assign_time](Transaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(v1::Criterion c, LoadCriterion(txn, code));
        RETURN_IF_ERROR(CheckActive(c));
        std::vector<const Unit*> targets = listed;
        if (province != nullptr) {
          const UnitLevel level = *FromProtoLevel(c.level());
          targets = level == UnitLevel::kProvince
                        ? std::vector<const Unit*>{province}
                        : units->Children(province->name, level);
        }
        v1::BatchCreateAssignmentsResponse response;
        for (size_t i = 0; i < targets.size(); ++i) {
          ASSIGN_OR_RETURN(
              std::optional<v1::Assignment> a,
              CreateAssignmentIn(txn, c, *targets[i], assign_time,
                                 province != nullptr
                                     ? std::string("province")
                                     : absl::StrCat("units.units[", i, "]"),
                                 /*skip_existing=*/true));
          if (a.has_value()) {
            *response.add_assignments() = std::move(*a);
          } else {
            response.add_already_assigned(targets[i]->name);
          }
        }
        txn.SetResponse(response.SerializeAsString());
        return absl::OkStatus();
      });
}

// ---- Progress
// -----------------------------------------------------------------

absl::StatusOr<CommitRequest> CriteriaCore::PrepareReportProgress(
    const v1::ReportProgressRequest& request, std::string actor) const {
  RETURN_IF_ERROR(PrefixFields(
      CheckReport(request.report(), *units_, absl::Now()), "report."));
  return MakeCommit(
      request, request.request_id(), std::move(actor),
      [report = request.report()](Transaction& txn) -> absl::Status {
        CriterionCache criteria(txn);
        absl::StatusOr<v1::Assignment> a = ApplyReport(txn, criteria, report);
        if (!a.ok()) return PrefixFields(a.status(), "report.");
        txn.SetResponse(a->SerializeAsString());
        return absl::OkStatus();
      });
}

absl::StatusOr<CommitRequest> CriteriaCore::PrepareBatchReportProgress(
    const v1::BatchReportProgressRequest& request, std::string actor) const {
  if (request.items_size() == 0) return InvalidFieldError("items", "required");
  if (request.items_size() > kMaxBatchItems) {
    return InvalidFieldError(
        "items", absl::StrCat("at most ", kMaxBatchItems, " per batch"));
  }
  const absl::Time now = absl::Now();
  for (int i = 0; i < request.items_size(); ++i) {
    RETURN_IF_ERROR(PrefixFields(CheckReport(request.items(i), *units_, now),
                                 absl::StrCat("items[", i, "].")));
  }
  return MakeCommit(
      request, request.request_id(), std::move(actor),
      [items = request.items()](Transaction& txn) -> absl::Status {
        CriterionCache criteria(txn);
        v1::BatchReportProgressResponse response;
        for (int i = 0; i < items.size(); ++i) {
          absl::StatusOr<v1::Assignment> a =
              ApplyReport(txn, criteria, items[i]);
          if (!a.ok()) {
            return PrefixFields(a.status(), absl::StrCat("items[", i, "]."));
          }
          *response.add_assignments() = std::move(*a);
        }
        txn.SetResponse(response.SerializeAsString());
        return absl::OkStatus();
      });
}

// ---- Reads
// ------------------------------------------------------------------------

absl::StatusOr<v1::Criterion> CriteriaCore::GetCriterion(
    const v1::GetCriterionRequest& request) const {
  ASSIGN_OR_RETURN(std::string code,
                   CodeOfCriterionName(request.name(), "name"));
  ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                   store_->Get(kCriteria, code));
  return ParseStored<v1::Criterion>(bytes,
                                    absl::StrCat("criterion ", request.name()));
}

absl::StatusOr<v1::ListCriteriaResponse> CriteriaCore::ListCriteria(
    const v1::ListCriteriaRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  auto matches = [&request](std::string_view, std::string_view value) {
    v1::Criterion c;
    if (!c.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return true;  // surfaced as DATA_LOSS below
    }
    return (request.block() == v1::BLOCK_UNSPECIFIED ||
            c.block() == request.block()) &&
           (request.group() == v1::GROUP_UNSPECIFIED ||
            c.group() == request.group()) &&
           (request.source() == v1::SOURCE_DOCUMENT_UNSPECIFIED ||
            c.source() == request.source()) &&
           (request.level() == common::v1::UNIT_LEVEL_UNSPECIFIED ||
            c.level() == request.level()) &&
           (request.show_retired() || c.state() != v1::Criterion::RETIRED);
  };
  ASSIGN_OR_RETURN(Page page,
                   store_->ListPrefix(kCriteria, "", request.page_token(),
                                      page_size, matches));
  v1::ListCriteriaResponse response;
  for (const auto& [key, value] : page.entries) {
    if (!response.add_criteria()->ParseFromString(value)) {
      return absl::DataLossError(
          absl::StrCat("criterion ", key, " is corrupt"));
    }
  }
  response.set_next_page_token(page.next_page_token);
  return response;
}

absl::StatusOr<v1::ListAssignmentsResponse> CriteriaCore::ListAssignments(
    const v1::ListAssignmentsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (request.unit().empty() == request.criterion().empty()) {
    return InvalidFieldError("unit", "set exactly one of unit and criterion");
  }
  const absl::Time now = absl::Now();
  std::unique_ptr<Snapshot> snapshot = store_->TakeSnapshot();
  v1::ListAssignmentsResponse response;
  if (!request.unit().empty()) {
    RETURN_IF_ERROR(units_->Lookup(request.unit()).status());
    ASSIGN_OR_RETURN(
        Page page,
        store_->ListPrefix(
            kAssignments, KeyBuilder().String(request.unit()).Build(),
            request.page_token(), page_size,
            [](std::string_view, std::string_view) { return true; },
            snapshot.get()));
    for (const auto& [key, value] : page.entries) {
      v1::Assignment* a = response.add_assignments();
      if (!a->ParseFromString(value)) {
        return absl::DataLossError("stored assignment is corrupt");
      }
      a->set_deadline_status(DeadlineStatusAt(*a, now));
    }
    response.set_next_page_token(page.next_page_token);
    return response;
  }
  ASSIGN_OR_RETURN(std::string code,
                   CodeOfCriterionName(request.criterion(), "criterion"));
  ASSIGN_OR_RETURN(std::optional<std::string> criterion,
                   store_->Get(kCriteria, code, snapshot.get()));
  if (!criterion.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("criterion ", request.criterion(), " not found"));
  }
  const std::string prefix = KeyBuilder().String(code).Build();
  ASSIGN_OR_RETURN(Page page,
                   store_->ListPrefix(
                       kByCriterion, prefix, request.page_token(), page_size,
                       [](std::string_view, std::string_view) { return true; },
                       snapshot.get()));
  for (const auto& [key, value] : page.entries) {
    KeyReader reader(std::string_view(key).substr(prefix.size()));
    std::string unit;
    if (!reader.String(&unit)) return absl::DataLossError("corrupt index key");
    ASSIGN_OR_RETURN(
        std::optional<std::string> bytes,
        store_->Get(kAssignments, AssignmentKey(unit, code), snapshot.get()));
    ASSIGN_OR_RETURN(
        v1::Assignment a,
        ParseStored<v1::Assignment>(
            bytes, absl::StrCat("assignment ", AssignmentNameOf(unit, code))));
    a.set_deadline_status(DeadlineStatusAt(a, now));
    *response.add_assignments() = std::move(a);
  }
  response.set_next_page_token(page.next_page_token);
  return response;
}

absl::StatusOr<v1::GetAssignmentResponse> CriteriaCore::GetAssignment(
    const v1::GetAssignmentRequest& request) const {
  ASSIGN_OR_RETURN(AssignmentName name,
                   ParseAssignmentName(request.name(), "name"));
  ASSIGN_OR_RETURN(
      std::optional<std::string> bytes,
      store_->Get(kAssignments, AssignmentKey(name.unit, name.code)));
  v1::GetAssignmentResponse response;
  ASSIGN_OR_RETURN(*response.mutable_assignment(),
                   ParseStored<v1::Assignment>(
                       bytes, absl::StrCat("assignment ", request.name())));
  response.mutable_assignment()->set_deadline_status(
      DeadlineStatusAt(response.assignment(), absl::Now()));
  ASSIGN_OR_RETURN(std::vector<changes::v1::ChangeRecord> records,
                   store_->History(request.name()));
  for (const changes::v1::ChangeRecord& record : records) {
    v1::AssignmentRevision* revision = response.add_history();
    revision->set_sequence(record.sequence());
    *revision->mutable_commit_time() = record.commit_time();
    revision->set_request_id(record.request_id());
    revision->set_actor(record.actor());
    if (record.has_new_value() &&
        !record.new_value().UnpackTo(revision->mutable_assignment())) {
      return absl::DataLossError("history record is corrupt");
    }
  }
  return response;
}

absl::StatusOr<v1::Summary> CriteriaCore::GetSummary(
    const v1::GetSummaryRequest& request) const {
  ASSIGN_OR_RETURN(std::string scope, ScopeOf(*units_, request.unit(),
                                              request.include_subunits()));
  ASSIGN_OR_RETURN(absl::Time as_of, AsOf(request));
  Rendering rendering{
      request.rounding() == common::v1::ROUNDING_MODE_UNSPECIFIED
          ? common::v1::HALF_UP
          : request.rounding(),
      request.has_decimals() ? request.decimals() : 1};
  if (!common::v1::RoundingMode_IsValid(rendering.mode)) {
    return InvalidFieldError("rounding", "unknown rounding mode");
  }
  if (rendering.decimals < 0 || rendering.decimals > 6) {
    return InvalidFieldError("decimals", "must be between 0 and 6");
  }

  constexpr int kBlocks = v1::Block_ARRAYSIZE;
  constexpr int kGroups = v1::Group_ARRAYSIZE;
  int64_t assigned[kBlocks][kGroups] = {};
  int64_t completed[kBlocks][kGroups] = {};
  int64_t with_deadline = 0, on_time = 0, late = 0, overdue = 0;

  std::unique_ptr<Snapshot> snapshot = store_->TakeSnapshot();
  const std::string prefix = KeyBuilder().String(scope).Build();
  absl::Status decode = absl::OkStatus();
  RETURN_IF_ERROR(store_->Scan(
      kCounters, prefix, PrefixSuccessor(prefix),
      [&](std::string_view key, std::string_view value) {
        KeyReader reader(key.substr(prefix.size()));
        std::string metric;
        uint64_t raw = 0;
        if (!reader.String(&metric) || !DecodeUint64(value, &raw)) {
          decode = absl::DataLossError("corrupt counter");
          return false;
        }
        const int64_t count = static_cast<int64_t>(raw);
        if (metric == kAssigned || metric == kCompleted) {
          uint64_t block = 0, group = 0;
          if (!reader.Uint64(&block) || !reader.Uint64(&group) ||
              block >= kBlocks || group >= kGroups) {
            decode = absl::DataLossError("corrupt counter key");
            return false;
          }
          (metric == kAssigned ? assigned : completed)[block][group] += count;
        } else if (metric == kWithDeadline) {
          with_deadline += count;
        } else if (metric == kOnTime) {
          on_time += count;
        } else if (metric == kLate) {
          late += count;
        }
        return true;
      },
      snapshot.get()));
  RETURN_IF_ERROR(decode);
  // OVERDUE: incomplete with a deadline before as_of; a range count.
  RETURN_IF_ERROR(store_->Scan(
      kOpenDeadlines, prefix,
      KeyBuilder().String(scope).Int64(absl::ToUnixNanos(as_of)).Build(),
      [&](std::string_view, std::string_view) {
        ++overdue;
        return true;
      },
      snapshot.get()));

  v1::Summary summary;
  summary.set_unit(request.unit());
  summary.set_include_subunits(request.include_subunits());
  *summary.mutable_as_of() = ToProto(as_of);
  int64_t total_assigned = 0, total_completed = 0;
  int64_t group_assigned[kGroups] = {}, group_completed[kGroups] = {};
  for (int b = 1; b < kBlocks; ++b) {
    int64_t block_assigned = 0, block_completed = 0;
    for (int g = 1; g < kGroups; ++g) {
      block_assigned += assigned[b][g];
      block_completed += completed[b][g];
      group_assigned[g] += assigned[b][g];
      group_completed[g] += completed[b][g];
      if (assigned[b][g] == 0) continue;
      v1::BlockGroupSummary* cell = summary.add_block_groups();
      cell->set_block(static_cast<v1::Block>(b));
      cell->set_group(static_cast<v1::Group>(g));
      *cell->mutable_completed() =
          Render(completed[b][g], assigned[b][g], rendering);
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
  deadlines->set_on_time(on_time);
  deadlines->set_completed_late(late);
  deadlines->set_overdue(overdue);
  deadlines->set_pending(with_deadline - on_time - late - overdue);
  *deadlines->mutable_completed() =
      Render(on_time + late, with_deadline, rendering);
  return summary;
}

absl::StatusOr<v1::ListOverdueResponse> CriteriaCore::ListOverdue(
    const v1::ListOverdueRequest& request) const {
  ASSIGN_OR_RETURN(std::string scope, ScopeOf(*units_, request.unit(),
                                              request.include_subunits()));
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  absl::Time as_of = absl::Now();
  if (request.has_as_of()) {
    RETURN_IF_ERROR(CheckTimestamp(request.as_of(), "as_of"));
    as_of = ToTime(request.as_of());
  }
  const std::string prefix = KeyBuilder().String(scope).Build();
  std::string start = prefix;
  if (!request.page_token().empty()) {
    std::string last;
    if (!absl::WebSafeBase64Unescape(request.page_token(), &last) ||
        !absl::StartsWith(last, prefix)) {
      return InvalidFieldError("page_token",
                               "not a token of this listing; pass the "
                               "next_page_token of the previous page");
    }
    start = last + '\0';  // the smallest key after the last one listed
  }
  std::unique_ptr<Snapshot> snapshot = store_->TakeSnapshot();
  std::vector<std::string> keys;
  RETURN_IF_ERROR(store_->Scan(
      kOpenDeadlines, start,
      KeyBuilder().String(scope).Int64(absl::ToUnixNanos(as_of)).Build(),
      [&](std::string_view key, std::string_view) {
        keys.emplace_back(key);
        return static_cast<int>(keys.size()) <= page_size;
      },
      snapshot.get()));
  v1::ListOverdueResponse response;
  if (static_cast<int>(keys.size()) > page_size) {
    keys.resize(page_size);
    response.set_next_page_token(absl::WebSafeBase64Escape(keys.back()));
  }
  absl::flat_hash_map<std::string, v1::Criterion> criteria;
  for (const std::string& key : keys) {
    KeyReader reader(std::string_view(key).substr(prefix.size()));
    int64_t deadline = 0;
    std::string assignment;
    if (!reader.Int64(&deadline) || !reader.String(&assignment)) {
      return absl::DataLossError("corrupt open-deadline key");
    }
    ASSIGN_OR_RETURN(AssignmentName name,
                     ParseAssignmentName(assignment, "assignment"));
    ASSIGN_OR_RETURN(
        std::optional<std::string> bytes,
        store_->Get(kAssignments, AssignmentKey(name.unit, name.code),
                    snapshot.get()));
    ASSIGN_OR_RETURN(v1::Assignment a,
                     ParseStored<v1::Assignment>(
                         bytes, absl::StrCat("assignment ", assignment)));
    auto it = criteria.find(name.code);
    if (it == criteria.end()) {
      ASSIGN_OR_RETURN(std::optional<std::string> c,
                       store_->Get(kCriteria, name.code, snapshot.get()));
      ASSIGN_OR_RETURN(v1::Criterion parsed,
                       ParseStored<v1::Criterion>(
                           c, absl::StrCat("criterion ", a.criterion())));
      it = criteria.emplace(name.code, std::move(parsed)).first;
    }
    v1::OverdueItem* item = response.add_items();
    item->set_assignment(assignment);
    item->mutable_unit()->set_name(a.unit());
    if (const Unit* unit = units_->Find(a.unit()); unit != nullptr) {
      item->mutable_unit()->set_level(ToProtoLevel(unit->level));
      item->mutable_unit()->set_display_name(unit->display_name);
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
