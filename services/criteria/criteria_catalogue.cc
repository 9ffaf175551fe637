// The criteria catalogue: CreateCriterion, UpdateCriterion (a deadline
// change moves every assignment's counters), RetireCriterion (its
// assignments stop counting), GetCriterion and ListCriteria.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/error_details.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/store/page_token.h"
#include "common/time/proto_time.h"
#include "services/criteria/criteria_core.h"
#include "services/criteria/criteria_counters.h"
#include "services/criteria/criteria_names.h"
#include "services/criteria/criteria_records.h"

namespace nq57::criteria {

using changes::v1::ChangeKind;

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
        *criterion.mutable_create_time() = ToProtoTime(txn.commit_time());
        *criterion.mutable_update_time() = ToProtoTime(txn.commit_time());
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
        *after.mutable_update_time() = ToProtoTime(txn.commit_time());
        const bool deadline_changed =
            before.has_deadline() != after.has_deadline() ||
            (before.has_deadline() &&
             UnixNanosOf(before.deadline()) != UnixNanosOf(after.deadline()));
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
            *a_after.mutable_update_time() = ToProtoTime(txn.commit_time());
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
          return PreconditionError(
              "RETIRED", before.name(),
              absl::StrCat("criterion ", before.name(), " is already retired"));
        }
        v1::Criterion after = before;
        after.set_state(v1::Criterion::RETIRED);
        *after.mutable_retire_time() = ToProtoTime(txn.commit_time());
        *after.mutable_update_time() = ToProtoTime(txn.commit_time());
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

absl::StatusOr<v1::Criterion> CriteriaCore::GetCriterion(
    const v1::GetCriterionRequest& request) const {
  ASSIGN_OR_RETURN(std::string code,
                   CodeOfCriterionName(request.name(), "name"));
  return ReadCriterion(*store_, code);
}

absl::StatusOr<v1::ListCriteriaResponse> CriteriaCore::ListCriteria(
    const v1::ListCriteriaRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSizeOf(request.page_size()));
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

}  // namespace nq57::criteria
