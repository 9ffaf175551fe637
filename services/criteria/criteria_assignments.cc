// Assignments of criteria to units: CreateAssignment,
// BatchCreateAssignments (a province's units of the criterion's level, or a
// list), ListAssignments (by unit or by criterion) and GetAssignment (with
// its history).
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/error_details.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/store/key_codec.h"
#include "common/store/page_token.h"
#include "common/time/proto_time.h"
#include "common/units/unit_proto.h"
#include "services/criteria/criteria_core.h"
#include "services/criteria/criteria_counters.h"
#include "services/criteria/criteria_names.h"
#include "services/criteria/criteria_records.h"

namespace nq57::criteria {
namespace {

using changes::v1::ChangeKind;

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
  *a.mutable_assign_time() =
      ToProtoTime(assign_time.value_or(txn.commit_time()));
  a.set_state(v1::NOT_STARTED);
  *a.mutable_update_time() = ToProtoTime(txn.commit_time());
  RETURN_IF_ERROR(txn.Put(kAssignments, key, a.SerializeAsString()));
  RETURN_IF_ERROR(
      txn.Put(kByCriterion, ByCriterionKey(c.code(), unit.name), ""));
  RETURN_IF_ERROR(ApplyChange(txn, {}, ContributionOf(a, c)));
  txn.RecordChange(a.name(), ChangeKind::CREATED, &a, nullptr);
  a.set_deadline_status(CriteriaCore::DeadlineStatusAt(a, txn.commit_time()));
  return a;
}

// The request's assign_time if set (not in the future); nullopt means the
// commit time.
template <typename Request>
absl::StatusOr<std::optional<absl::Time>> AssignTimeOf(const Request& request,
                                                       absl::Time now) {
  if (!request.has_assign_time()) return std::nullopt;
  ASSIGN_OR_RETURN(absl::Time t,
                   ParseNotFuture(request.assign_time(), "assign_time", now));
  return t;
}

}  // namespace

absl::StatusOr<CommitRequest> CriteriaCore::PrepareCreateAssignment(
    const v1::CreateAssignmentRequest& request, std::string actor) const {
  if (request.unit().empty()) return InvalidFieldError("unit", "required");
  ASSIGN_OR_RETURN(const Unit* unit,
                   units_->LookupForWrite(request.unit(), "unit"));
  ASSIGN_OR_RETURN(std::string code,
                   CodeOfCriterionName(request.criterion(), "criterion"));
  ASSIGN_OR_RETURN(std::optional<absl::Time> assign_time,
                   AssignTimeOf(request, clock_.Now()));
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
      ASSIGN_OR_RETURN(province,
                       units_->LookupForWrite(request.province(), "province"));
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
        absl::StatusOr<const Unit*> unit =
            units_->LookupForWrite(names[i], field);
        if (!unit.ok()) {
          if (!FieldViolationsOf(unit.status()).empty()) return unit.status();
          return PrefixFields(unit.status(), field + ": ");
        }
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
  ASSIGN_OR_RETURN(std::optional<absl::Time> assign_time,
                   AssignTimeOf(request, clock_.Now()));
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

absl::StatusOr<v1::ListAssignmentsResponse> CriteriaCore::ListAssignments(
    const v1::ListAssignmentsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSizeOf(request.page_size()));
  if (request.unit().empty() == request.criterion().empty()) {
    return InvalidFieldError("unit", "set exactly one of unit and criterion");
  }
  const absl::Time now = clock_.Now();
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
    return NotFoundResource(
        "nq57.criteria.v1.Criterion", request.criterion(),
        absl::StrCat("criterion ", request.criterion(), " not found"));
  }
  const std::string prefix = ByCriterionPrefix(code);
  ASSIGN_OR_RETURN(Page page,
                   store_->ListPrefix(
                       kByCriterion, prefix, request.page_token(), page_size,
                       [](std::string_view, std::string_view) { return true; },
                       snapshot.get()));
  for (const auto& [key, value] : page.entries) {
    KeyReader reader(std::string_view(key).substr(prefix.size()));
    std::string unit;
    if (!reader.String(&unit)) return absl::DataLossError("corrupt index key");
    ASSIGN_OR_RETURN(v1::Assignment a,
                     ReadAssignment(*store_, unit, code, snapshot.get()));
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
  v1::GetAssignmentResponse response;
  ASSIGN_OR_RETURN(*response.mutable_assignment(),
                   ReadAssignment(*store_, name.unit, name.code));
  response.mutable_assignment()->set_deadline_status(
      DeadlineStatusAt(response.assignment(), clock_.Now()));
  ASSIGN_OR_RETURN(std::vector<changes::v1::ChangeRecord> records,
                   store_->History(request.name()));
  for (const changes::v1::ChangeRecord& record : records) {
    v1::AssignmentRevision* revision = response.add_history();
    revision->set_sequence(record.sequence());
    *revision->mutable_commit_time() = record.commit_time();
    revision->set_request_id(record.request_id());
    revision->set_actor(record.actor());
    revision->set_on_behalf_of(record.on_behalf_of());
    revision->set_access_policy(record.access_policy());
    if (record.has_new_value() &&
        !record.new_value().UnpackTo(revision->mutable_assignment())) {
      return absl::DataLossError("history record is corrupt");
    }
  }
  return response;
}

}  // namespace nq57::criteria
