// TLS material for nq57 servers and clients, as gRPC credentials that follow
// their files.
//
// Certificates and keys are PEM files named by flags (--tls_cert, --tls_key,
// --tls_client_ca on servers; --tls_ca, --tls_cert, --tls_key on clients).
// The credentials are built on gRPC's FileWatcherCertificateProvider, which
// re-reads the files every `refresh_seconds`: a rotated certificate or CA is
// used by new connections without a restart, and connections already open
// keep the material they were made with. The files are read once here, at
// start, so a missing or malformed file is a clear error instead of a server
// that fails every handshake.
//
// A server with a client CA verifies any client certificate against it and
// refuses the handshake for one it did not sign. A client without a
// certificate still connects, so that the call (not the connection) can be
// refused with UNAUTHENTICATED, which a client can act on (caller.h).
//
// Thread-safe: the functions keep no state; the credentials they return may
// be shared between servers and channels.
//
//   ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> creds,
//                    ServerCredentialsFor({.cert = "server.pem",
//                                          .key = "server.key",
//                                          .client_ca = "ca.pem"}));
//   ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> channel_creds,
//                    ChannelCredentialsFor({.ca = "ca.pem",
//                                           .cert = "client.pem",
//                                           .key = "client.key"}));
#ifndef NQ57_COMMON_SECURITY_TLS_CREDENTIALS_H_
#define NQ57_COMMON_SECURITY_TLS_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace nq57 {

// A server's TLS files. No cert: plaintext.
struct ServerTls {
  std::string cert;       // the server's certificate chain (PEM)
  std::string key;        // its private key (PEM)
  std::string client_ca;  // empty: TLS without client certificates
  int refresh_seconds = 30;
  bool enabled() const { return !cert.empty(); }
};

// A client's TLS files. No CA: plaintext.
struct ClientTls {
  std::string ca;    // the CA that signed the servers' certificates
  std::string cert;  // the client's own certificate (empty: none)
  std::string key;
  int refresh_seconds = 30;
  bool enabled() const { return !ca.empty(); }
};

// INVALID_ARGUMENT naming the flag when a file is missing, unreadable, not
// PEM of the expected kind, or a cert comes without its key (or the
// reverse); insecure credentials when TLS is not enabled.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const ServerTls& tls);
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const ClientTls& tls);

// True for a listen or target host that only this machine can reach
// ("127.x.y.z", "localhost", "[::1]"); "0.0.0.0" and "[::]" are not.
bool IsLoopbackAddress(const std::string& host_port);

}  // namespace nq57

#endif  // NQ57_COMMON_SECURITY_TLS_CREDENTIALS_H_
