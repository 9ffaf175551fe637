// The TLS flags every nq57 process shares, servers and clients alike
// (--tls_cert, --tls_key, --tls_ca, --tls_refresh_seconds; servers add
// --tls_client_ca), and the client credentials they describe.
//
// A process presents --tls_cert/--tls_key (a server to its clients; the
// aggregator and nq57ctl as their identity when they call a server) and
// trusts --tls_ca for the servers it calls.
//
//   ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> creds,
//                    ChannelCredentialsFor(ClientTlsFromFlags()));
#ifndef NQ57_COMMON_SECURITY_TLS_FLAGS_H_
#define NQ57_COMMON_SECURITY_TLS_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"
#include "common/security/tls_credentials.h"

ABSL_DECLARE_FLAG(std::string, tls_cert);
ABSL_DECLARE_FLAG(std::string, tls_key);
ABSL_DECLARE_FLAG(std::string, tls_ca);
ABSL_DECLARE_FLAG(int, tls_refresh_seconds);

namespace nq57 {

// What the flags say (after parsing); `ca` is --tls_ca as given.
ClientTls ClientTlsFromFlags();

}  // namespace nq57

#endif  // NQ57_COMMON_SECURITY_TLS_FLAGS_H_
