#include "services/publicservice/publicservice_names.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/base/resource_code.h"
#include "common/base/status_macros.h"

namespace nq57::publicservice {

const char* LevelMeasure(v1::OnlineLevel level) {
  switch (level) {
    case v1::FULL_PROCESS:
      return kProceduresFull;
    case v1::PARTIAL:
      return kProceduresPartial;
    default:
      return kProceduresOffline;
  }
}

std::string Field(std::string_view prefix, std::string_view name) {
  return absl::StrCat(AbslView(prefix), AbslView(name));
}

bool IsValidFieldName(std::string_view field) {
  if (field.empty() || field.size() > 64) return false;
  if (!absl::ascii_islower(static_cast<unsigned char>(field[0]))) return false;
  for (char ch : field) {
    if (!absl::ascii_islower(static_cast<unsigned char>(ch)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(ch)) && ch != '_') {
      return false;
    }
  }
  return true;
}

std::string ProcedureName(std::string_view unit, std::string_view code) {
  return absl::StrCat(AbslView(unit), AbslView(kProceduresInfix),
                      AbslView(code));
}

absl::StatusOr<ProcedureId> ParseProcedureName(std::string_view name,
                                               std::string_view field,
                                               const UnitRegistry& units) {
  const size_t pos = name.rfind(kProceduresInfix);
  if (pos == std::string_view::npos || pos == 0) {
    return InvalidFieldError(field, "expected {unit}/procedures/{code}");
  }
  std::string code(name.substr(pos + kProceduresInfix.size()));
  if (!IsValidCode(code)) {
    return InvalidFieldError(field,
                             absl::StrCat("procedure code: ", kCodeRule));
  }
  ASSIGN_OR_RETURN(const Unit* unit, units.Lookup(name.substr(0, pos)));
  return ProcedureId{unit, std::move(code)};
}

absl::Status CheckLevel(v1::OnlineLevel level, std::string_view field) {
  if (level != v1::FULL_PROCESS && level != v1::PARTIAL &&
      level != v1::OFFLINE) {
    return InvalidFieldError(field, "must be FULL_PROCESS, PARTIAL or OFFLINE");
  }
  return absl::OkStatus();
}

absl::Status CheckDisplayName(const std::string& name, std::string_view field) {
  if (name.empty() || name.size() > 1000) {
    return InvalidFieldError(field, "must be 1-1000 bytes");
  }
  return absl::OkStatus();
}

}  // namespace nq57::publicservice
