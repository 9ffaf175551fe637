#include "services/criteria/criteria_names.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/base/resource_code.h"
#include "common/base/status_macros.h"
#include "common/time/proto_time.h"
#include "common/units/unit_proto.h"

namespace nq57::criteria {

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

absl::StatusOr<absl::Time> ParseNotFuture(const google::protobuf::Timestamp& t,
                                          std::string_view field,
                                          absl::Time now) {
  ASSIGN_OR_RETURN(absl::Time time, ParseTimestamp(t, field));
  if (time > now + kClockSkew) {
    return InvalidFieldError(field, "is in the future");
  }
  return time;
}

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

absl::Status CheckReport(const v1::ProgressReport& r, const UnitRegistry& units,
                         absl::Time now) {
  ASSIGN_OR_RETURN(AssignmentName name,
                   ParseAssignmentName(r.assignment(), "assignment"));
  RETURN_IF_ERROR(units.LookupForWrite(name.unit, "assignment").status());
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
    RETURN_IF_ERROR(
        ParseNotFuture(r.complete_time(), "complete_time", now).status());
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
  if (r.reporter().size() > 200) {
    return InvalidFieldError("reporter", "too long");
  }
  if (r.note().size() > 2000) return InvalidFieldError("note", "too long");
  return absl::OkStatus();
}

}  // namespace nq57::criteria
