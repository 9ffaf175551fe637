// The procedure catalogue: CreateProcedure, UpdateProcedure (with the level
// history and its catalogue deltas), GetProcedure (optionally the level on a
// date) and ListProcedures.
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/error_details.h"
#include "common/base/field_error.h"
#include "common/base/resource_code.h"
#include "common/base/status_macros.h"
#include "common/store/key_codec.h"
#include "common/store/page_token.h"
#include "common/time/proto_time.h"
#include "services/publicservice/publicservice_aggregates.h"
#include "services/publicservice/publicservice_core.h"
#include "services/publicservice/publicservice_names.h"

namespace nq57::publicservice {
namespace {

using changes::v1::ChangeKind;

absl::StatusOr<v1::Procedure> ReadProcedure(Transaction& txn,
                                            const std::string& key) {
  ASSIGN_OR_RETURN(std::optional<std::string> stored,
                   txn.Get(kProcedures, key));
  if (!stored.has_value()) return absl::NotFoundError("no such procedure");
  v1::Procedure p;
  if (!p.ParseFromString(*stored)) {
    return absl::DataLossError("corrupt procedure");
  }
  return p;
}

}  // namespace

absl::Status PublicServiceCore::IndexProcedureCodes() const {
  const std::string done = ProcedureCodesIndexedKey();
  ASSIGN_OR_RETURN(std::optional<std::string> indexed,
                   store_->Get(kProcedureCodes, done));
  // A read-only store (full disk at start) takes no writes, so no
  // statistics need the index until it is writable after a restart.
  if (indexed.has_value() || store_->read_only()) return absl::OkStatus();
  std::vector<std::string> keys;
  absl::Status parse = absl::OkStatus();
  RETURN_IF_ERROR(store_->Scan(
      kProcedures, "", "", [&](std::string_view, std::string_view value) {
        v1::Procedure p;
        if (!p.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          parse = absl::DataLossError("corrupt procedure");
          return false;
        }
        keys.push_back(ProcedureCodeKey(p.unit(), p.code()));
        return true;
      }));
  RETURN_IF_ERROR(parse);
  CommitRequest commit;
  commit.actor = "nq57 (procedure code index)";
  commit.apply = [keys = std::move(keys),
                  done](Transaction& txn) -> absl::Status {
    for (const std::string& key : keys) {
      RETURN_IF_ERROR(txn.Put(kProcedureCodes, key, ""));
    }
    return txn.Put(kProcedureCodes, done, "");
  };
  return store_->CommitAndWait(std::move(commit)).status();
}

absl::StatusOr<CommitRequest> PublicServiceCore::PrepareCreateProcedure(
    const v1::CreateProcedureRequest& request, std::string actor) const {
  if (request.parent().empty()) {
    return InvalidFieldError("parent", "must be set");
  }
  ASSIGN_OR_RETURN(const Unit* unit,
                   units_->LookupForWrite(request.parent(), "parent"));
  if (!IsValidCode(request.procedure_id())) {
    return InvalidFieldError("procedure_id", kCodeRule);
  }
  const v1::Procedure& in = request.procedure();
  RETURN_IF_ERROR(
      CheckDisplayName(in.display_name(), "procedure.display_name"));
  if (!IsValidFieldName(in.field())) {
    return InvalidFieldError("procedure.field", kFieldRule);
  }
  RETURN_IF_ERROR(CheckLevel(in.online_level(), "procedure.online_level"));
  if (!IsSet(in.level_effective_from())) {
    return InvalidFieldError("procedure.level_effective_from", "must be set");
  }
  ASSIGN_OR_RETURN(absl::CivilDay from,
                   ParseProtoDate(in.level_effective_from(),
                                  "procedure.level_effective_from"));
  if (from > Today()) {
    return InvalidFieldError("procedure.level_effective_from",
                             "is in the future");
  }
  v1::Procedure p;
  p.set_name(ProcedureName(unit->name, request.procedure_id()));
  p.set_code(request.procedure_id());
  p.set_unit(unit->name);
  p.set_display_name(in.display_name());
  p.set_field(in.field());
  p.set_online_level(in.online_level());
  p.set_essential(in.essential());
  *p.mutable_level_effective_from() = ToProtoDate(from);
  v1::LevelPeriod* first = p.add_level_history();
  first->set_level(in.online_level());
  *first->mutable_effective_from() = ToProtoDate(from);
  const std::string key = ProcedureKey(unit->name, request.procedure_id());
  return MakeCommit(
      request, request.request_id(), std::move(actor),
      [unit, key, p = std::move(p)](Transaction& txn) mutable -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<std::string> existing,
                         txn.Get(kProcedures, key));
        if (existing.has_value()) {
          return absl::AlreadyExistsError(
              absl::StrCat("procedure ", p.name(), " already exists"));
        }
        *p.mutable_create_time() = ToProtoTime(txn.commit_time());
        *p.mutable_update_time() = p.create_time();
        AggregateDelta delta;
        AddHistory(*unit, p, 1, &delta);
        RETURN_IF_ERROR(delta.Apply(txn));
        RETURN_IF_ERROR(txn.Put(kProcedures, key, p.SerializeAsString()));
        RETURN_IF_ERROR(txn.Put(kProcedureCodes,
                                ProcedureCodeKey(unit->name, p.code()), ""));
        txn.RecordChange(p.name(), ChangeKind::CREATED, &p, nullptr);
        txn.SetResponse(p.SerializeAsString());
        return absl::OkStatus();
      });
}

absl::StatusOr<CommitRequest> PublicServiceCore::PrepareUpdateProcedure(
    const v1::UpdateProcedureRequest& request, std::string actor) const {
  const v1::Procedure& in = request.procedure();
  ASSIGN_OR_RETURN(ProcedureId id,
                   ParseProcedureName(in.name(), "procedure.name", *units_));
  RETURN_IF_ERROR(
      units_->LookupForWrite(id.unit->name, "procedure.name").status());
  if (request.update_mask().paths_size() == 0) {
    return InvalidFieldError("update_mask", "must name at least one field");
  }
  bool display_name = false, field = false, essential = false, level = false;
  for (int i = 0; i < request.update_mask().paths_size(); ++i) {
    const std::string& path = request.update_mask().paths(i);
    if (path == "display_name") {
      display_name = true;
      RETURN_IF_ERROR(
          CheckDisplayName(in.display_name(), "procedure.display_name"));
    } else if (path == "field") {
      field = true;
      if (!IsValidFieldName(in.field())) {
        return InvalidFieldError("procedure.field", kFieldRule);
      }
    } else if (path == "essential") {
      essential = true;
    } else if (path == "online_level") {
      level = true;
      RETURN_IF_ERROR(CheckLevel(in.online_level(), "procedure.online_level"));
    } else if (path == "level_effective_from") {
      // Only meaningful with online_level; checked below.
    } else {
      return InvalidFieldError(
          absl::StrCat("update_mask.paths[", i, "]"),
          "not updatable: display_name, field, essential, online_level");
    }
  }
  std::optional<absl::CivilDay> from;
  if (level) {
    if (!IsSet(in.level_effective_from())) {
      return InvalidFieldError("procedure.level_effective_from",
                               "a level change must say when it took effect");
    }
    ASSIGN_OR_RETURN(from, ParseProtoDate(in.level_effective_from(),
                                          "procedure.level_effective_from"));
    if (*from > Today()) {
      return InvalidFieldError("procedure.level_effective_from",
                               "is in the future");
    }
  }
  const std::string key = ProcedureKey(id.unit->name, id.code);
  return MakeCommit(
      request, request.request_id(), std::move(actor),
      [unit = id.unit, key, in, display_name, field, essential, level,
       from](Transaction& txn) -> absl::Status {
        absl::StatusOr<v1::Procedure> stored = ReadProcedure(txn, key);
        if (absl::IsNotFound(stored.status())) {
          return NotFoundResource(
              "nq57.publicservice.v1.Procedure", in.name(),
              absl::StrCat("procedure ", in.name(), " does not exist"));
        }
        RETURN_IF_ERROR(stored.status());
        const v1::Procedure previous = *stored;
        v1::Procedure p = previous;
        if (display_name) p.set_display_name(in.display_name());
        if (field) p.set_field(in.field());
        if (essential) p.set_essential(in.essential());
        AggregateDelta delta;
        if (level && in.online_level() != p.online_level()) {
          const common::v1::Date& cur = p.level_effective_from();
          if (*from <= FromProtoDate(cur)) {
            return InvalidFieldError(
                "procedure.level_effective_from",
                absl::StrFormat("must be after the current level's date "
                                "%04d-%02d-%02d",
                                cur.year(), cur.month(), cur.day()));
          }
          AddHistory(*unit, previous, -1, &delta);
          p.set_online_level(in.online_level());
          *p.mutable_level_effective_from() = ToProtoDate(*from);
          v1::LevelPeriod* next = p.add_level_history();
          next->set_level(in.online_level());
          *next->mutable_effective_from() = ToProtoDate(*from);
          AddHistory(*unit, p, 1, &delta);
        }
        *p.mutable_update_time() = ToProtoTime(txn.commit_time());
        RETURN_IF_ERROR(delta.Apply(txn));
        RETURN_IF_ERROR(txn.Put(kProcedures, key, p.SerializeAsString()));
        txn.RecordChange(p.name(), ChangeKind::UPDATED, &p, &previous);
        txn.SetResponse(p.SerializeAsString());
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Procedure> PublicServiceCore::GetProcedure(
    const v1::GetProcedureRequest& request) const {
  ASSIGN_OR_RETURN(ProcedureId id,
                   ParseProcedureName(request.name(), "name", *units_));
  std::optional<absl::CivilDay> as_of;
  if (IsSet(request.as_of_date())) {
    ASSIGN_OR_RETURN(as_of, ParseProtoDate(request.as_of_date(), "as_of_date"));
  }
  ASSIGN_OR_RETURN(
      std::optional<std::string> stored,
      store_->Get(kProcedures, ProcedureKey(id.unit->name, id.code)));
  if (!stored.has_value()) {
    return NotFoundResource(
        "nq57.publicservice.v1.Procedure", request.name(),
        absl::StrCat("procedure ", request.name(), " does not exist"));
  }
  v1::Procedure p;
  if (!p.ParseFromString(*stored)) {
    return absl::DataLossError("corrupt procedure");
  }
  if (as_of.has_value()) {
    const v1::LevelPeriod* in_force = nullptr;
    for (const auto& period : p.level_history()) {
      if (FromProtoDate(period.effective_from()) <= *as_of) {
        in_force = &period;
      }
    }
    if (in_force == nullptr) {
      return NotFoundResource(
          "nq57.publicservice.v1.Procedure", request.name(),
          absl::StrCat("procedure ", request.name(), " had no level on ",
                       absl::FormatCivilTime(*as_of)));
    }
    p.set_online_level(in_force->level());
    *p.mutable_level_effective_from() = in_force->effective_from();
  }
  return p;
}

absl::StatusOr<v1::ListProceduresResponse> PublicServiceCore::ListProcedures(
    const v1::ListProceduresRequest& request) const {
  if (request.parent().empty()) {
    return InvalidFieldError("parent", "must be set");
  }
  ASSIGN_OR_RETURN(const Unit* unit, units_->Lookup(request.parent()));
  ASSIGN_OR_RETURN(int page_size, PageSizeOf(request.page_size()));
  if (request.online_level() != v1::ONLINE_LEVEL_UNSPECIFIED) {
    RETURN_IF_ERROR(CheckLevel(request.online_level(), "online_level"));
  }
  if (!request.field().empty() && !IsValidFieldName(request.field())) {
    return InvalidFieldError("field", kFieldRule);
  }
  ASSIGN_OR_RETURN(
      Page page,
      store_->ListPrefix(
          kProcedures, KeyBuilder().String(unit->name).Build(),
          request.page_token(), page_size,
          [&](std::string_view, std::string_view value) {
            v1::Procedure p;
            if (!p.ParseFromArray(value.data(), static_cast<int>(value.size())))
              return false;
            if (request.online_level() != v1::ONLINE_LEVEL_UNSPECIFIED &&
                p.online_level() != request.online_level())
              return false;
            if (!request.field().empty() && p.field() != request.field())
              return false;
            if (request.has_essential() && p.essential() != request.essential())
              return false;
            return true;
          }));
  v1::ListProceduresResponse out;
  for (const auto& [key, value] : page.entries) {
    if (!out.add_procedures()->ParseFromString(value)) {
      return absl::DataLossError("corrupt procedure");
    }
  }
  out.set_next_page_token(page.next_page_token);
  return out;
}

}  // namespace nq57::publicservice
