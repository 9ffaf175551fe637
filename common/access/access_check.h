// CheckAccess: may this verified identity make this call with this request?
//
// The role a call needs is declared on its RPC (the method option
// nq57.common.v1.required_role). The identity must hold that role (else
// PERMISSION_DENIED naming the role and the policy version), and every unit
// the request names (request_units.h) must lie in a scope where it holds it
// (else PERMISSION_DENIED with a google.rpc.BadRequest violation per field
// out of scope, naming the unit). A method without a declared role is
// refused: a new RPC is closed until its contract says who may call it.
//
// Thread-safe (pure function over an immutable policy).
#ifndef NQ57_COMMON_ACCESS_ACCESS_CHECK_H_
#define NQ57_COMMON_ACCESS_ACCESS_CHECK_H_

#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "common/access/access_policy.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace nq57 {

// The role `method` declares, if any.
std::optional<common::v1::Role> RequiredRole(
    const google::protobuf::MethodDescriptor& method);

// A request that names no unit (a criterion of the catalogue, a listing of
// every report, the change feed, Rebuild) is about the whole deployment:
// `deployment` is the server's province ("provinces/25"), or "*" for a
// server of the whole country, and the caller must hold the role for it.
absl::Status CheckAccess(const AccessPolicy& policy, std::string_view identity,
                         const google::protobuf::MethodDescriptor& method,
                         const google::protobuf::Message& request,
                         std::string_view deployment = "*");

}  // namespace nq57

#endif  // NQ57_COMMON_ACCESS_ACCESS_CHECK_H_
