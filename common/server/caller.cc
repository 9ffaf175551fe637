#include "common/server/caller.h"

#include <string_view>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/field_error.h"
#include "google/protobuf/stubs/common.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/auth_context.h"

namespace nq57 {
namespace {

constexpr char kOnBehalfOf[] = "x-nq57-on-behalf-of";
constexpr char kOnBehalfOfBin[] = "x-nq57-on-behalf-of-bin";
constexpr char kLegacyActor[] = "x-nq57-actor";

// The SPIFFE id of a verified client certificate: gRPC's own reading of it
// (one URI SAN that is a SPIFFE id), else the certificate's only URI SAN if
// it is a spiffe:// one.
std::string IdentityOf(const grpc::AuthContext& auth) {
  if (!auth.IsPeerAuthenticated()) return "";
  for (const grpc::string_ref& v :
       auth.FindPropertyValues(GRPC_PEER_SPIFFE_ID_PROPERTY_NAME)) {
    return std::string(v.data(), v.size());
  }
  // SPIFFE allows exactly one URI SAN; anything else is no identity.
  std::vector<grpc::string_ref> uris =
      auth.FindPropertyValues(GRPC_PEER_URI_PROPERTY_NAME);
  if (uris.size() != 1) return "";
  std::string uri(uris[0].data(), uris[0].size());
  return absl::StartsWith(uri, "spiffe://") ? uri : "";
}

absl::Status CheckClaim(std::string_view header, std::string_view claim) {
  if (claim.size() > kMaxOnBehalfOfBytes) {
    return InvalidFieldError(
        header, absl::StrCat("is longer than ", kMaxOnBehalfOfBytes, " bytes"));
  }
  if (!google::protobuf::internal::IsStructurallyValidUTF8(
          claim.data(), static_cast<int>(claim.size()))) {
    return InvalidFieldError(header, "is not UTF-8");
  }
  for (char c : claim) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidFieldError(header, "holds a control character");
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string Caller::actor() const {
  if (!identity.empty()) return identity;
  if (!on_behalf_of.empty()) return on_behalf_of;
  return peer;
}

absl::StatusOr<Caller> CallerOf(const grpc::ServerContextBase& context) {
  Caller caller;
  caller.peer = context.peer();
  if (std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
      auth != nullptr) {
    caller.identity = IdentityOf(*auth);
  }
  const auto& metadata = context.client_metadata();
  for (const char* header : {kOnBehalfOfBin, kOnBehalfOf, kLegacyActor}) {
    auto it = metadata.find(header);
    if (it == metadata.end()) continue;
    const std::string_view claim(it->second.data(), it->second.size());
    if (absl::Status s = CheckClaim(header, claim); !s.ok()) return s;
    caller.on_behalf_of = std::string(claim);
    break;
  }
  return caller;
}

}  // namespace nq57
