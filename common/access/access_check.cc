#include "common/access/access_check.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/access/request_units.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"

namespace nq57 {
namespace {

// Violations listed in one error at the most; the message counts the rest.
constexpr size_t kMaxListedViolations = 100;

}  // namespace

std::optional<common::v1::Role> RequiredRole(
    const google::protobuf::MethodDescriptor& method) {
  const common::v1::Role role =
      method.options().GetExtension(common::v1::required_role);
  if (role == common::v1::ROLE_UNSPECIFIED) return std::nullopt;
  return role;
}

absl::Status CheckAccess(const AccessPolicy& policy, std::string_view identity,
                         const google::protobuf::MethodDescriptor& method,
                         const google::protobuf::Message& request,
                         std::string_view deployment) {
  const std::optional<common::v1::Role> role = RequiredRole(method);
  if (!role.has_value()) {
    return absl::PermissionDeniedError(
        absl::StrCat(method.full_name(), " declares no role that may call it"));
  }
  if (!policy.Holds(identity, *role)) {
    return absl::PermissionDeniedError(
        absl::StrCat(AbslView(identity), " does not hold the ", RoleName(*role),
                     " role needed for ", method.full_name(),
                     " (access policy ", policy.version(), ")"));
  }
  ASSIGN_OR_RETURN(std::vector<UnitReference> refs, UnitsOf(request));
  if (refs.empty()) {
    if (policy.Allows(identity, *role, deployment)) return absl::OkStatus();
    return absl::PermissionDeniedError(absl::StrCat(
        AbslView(identity), " may not act as ", RoleName(*role), " for ",
        deployment == kWholeCountry ? "the whole country"
                                    : std::string(deployment),
        ": ", method.full_name(),
        " names no unit, so it is about the whole deployment (access policy ",
        policy.version(), ")"));
  }
  FieldErrors out_of_scope;
  size_t denied = 0;
  for (const UnitReference& ref : refs) {
    if (policy.Allows(identity, *role, ref.unit)) continue;
    if (++denied > kMaxListedViolations) continue;
    out_of_scope.Add(
        ref.field,
        absl::StrCat(AbslView(identity), " may not act as ", RoleName(*role),
                     " for ",
                     ref.unit == kWholeCountry ? "the whole country" : ref.unit,
                     " (access policy ", policy.version(), ")"));
  }
  return out_of_scope.ToStatus(absl::StatusCode::kPermissionDenied);
}

}  // namespace nq57
