// Caller: who is making a call, as this server can tell from the connection
// and the call's metadata.
//
// `identity` is the verified SPIFFE identity of the client certificate (its
// URI SAN), present only on TLS connections where the client presented a
// certificate the server's client CA signed. `on_behalf_of` is what the
// client says about whom it acts for (header x-nq57-on-behalf-of, or
// x-nq57-on-behalf-of-bin for any UTF-8 name; x-nq57-actor is read as the
// same claim), never verified, recorded beside the identity and never
// instead of it.
//
//   ASSIGN_OR_RETURN(Caller caller, CallerOf(*context));
//   if (caller.identity.empty()) return absl::UnauthenticatedError("...");
#ifndef NQ57_COMMON_SERVER_CALLER_H_
#define NQ57_COMMON_SERVER_CALLER_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"

namespace nq57 {

// Longest on-behalf-of claim kept, in bytes.
inline constexpr size_t kMaxOnBehalfOfBytes = 256;

struct Caller {
  std::string identity;      // "spiffe://..." or empty
  std::string on_behalf_of;  // the client's claim, or empty
  std::string peer;          // "ipv4:127.0.0.1:5000"
  // The access policy that admitted the call (access_gate.h); empty when
  // no policy is in force.
  std::string policy_version;

  // What the audit trail records as the actor: the verified identity; on a
  // connection without one (plaintext on loopback), the claim, else the
  // peer address.
  std::string actor() const;
};

// INVALID_ARGUMENT naming the header when the claim is longer than
// kMaxOnBehalfOfBytes, not UTF-8, or holds control characters.
absl::StatusOr<Caller> CallerOf(const grpc::ServerContextBase& context);

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_CALLER_H_
