#include "common/security/tls_credentials.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <sstream>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/bounded_file.h"
#include "common/base/status_macros.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace nq57 {
namespace {

using ::grpc::experimental::FileWatcherCertificateProvider;

// A PEM file's whole text can be large only by mistake.
constexpr size_t kMaxPemBytes = 1 << 20;

// OK if `path` is a readable PEM file holding `kind` ("CERTIFICATE",
// "PRIVATE KEY": also matches "RSA PRIVATE KEY", "EC PRIVATE KEY").
absl::Status CheckPemFile(std::string_view flag, const std::string& path,
                          std::string_view kind) {
  ASSIGN_OR_RETURN(const std::string text,
                   ReadBoundedFile(path, kMaxPemBytes, flag));
  if (text.size() > kMaxPemBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(AbslView(flag), ": \"", path, "\" is larger than 1 MiB"));
  }
  const size_t begin = text.find("-----BEGIN ");
  if (begin == std::string::npos ||
      text.find(kind, begin) == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(AbslView(flag), ": \"", path, "\" holds no PEM ",
                     absl::AsciiStrToLower(AbslView(kind))));
  }
  return absl::OkStatus();
}

absl::Status CheckPair(const std::string& cert, const std::string& key) {
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError(
        cert.empty() ? "--tls_key: given without --tls_cert"
                     : "--tls_cert: given without --tls_key");
  }
  if (cert.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(CheckPemFile("--tls_cert", cert, "CERTIFICATE"));
  return CheckPemFile("--tls_key", key, "PRIVATE KEY");
}

// Plaintext: no TLS file may be given without the one that turns TLS on.
absl::Status NothingBut(const std::string& given, std::string_view needed,
                        std::string_view with) {
  if (given.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(AbslView(needed), ": needed with ", AbslView(with)));
}

// The files checked, then watched: `ca` (under `ca_flag`) may be empty on
// a server without client certificates, the pair on a client without one.
absl::StatusOr<std::shared_ptr<FileWatcherCertificateProvider>> WatchedFiles(
    const std::string& cert, const std::string& key, std::string_view ca_flag,
    const std::string& ca, int refresh_seconds) {
  RETURN_IF_ERROR(CheckPair(cert, key));
  if (!ca.empty()) RETURN_IF_ERROR(CheckPemFile(ca_flag, ca, "CERTIFICATE"));
  // The provider has no lower bound; 0 would spin its refresh thread.
  return std::make_shared<FileWatcherCertificateProvider>(
      key, cert, ca,
      refresh_seconds < 1 ? 1u : static_cast<unsigned int>(refresh_seconds));
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const ServerTls& tls) {
  if (!tls.enabled()) {
    RETURN_IF_ERROR(NothingBut(tls.key + tls.client_ca, "--tls_cert",
                               "--tls_key and --tls_client_ca"));
    return grpc::InsecureServerCredentials();
  }
  ASSIGN_OR_RETURN(auto provider,
                   WatchedFiles(tls.cert, tls.key, "--tls_client_ca",
                                tls.client_ca, tls.refresh_seconds));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (tls.client_ca.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    // Verified when presented; a call without one is refused as
    // UNAUTHENTICATED by the access gate rather than at the handshake.
    options.set_cert_request_type(
        GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const ClientTls& tls) {
  if (!tls.enabled()) {
    RETURN_IF_ERROR(
        NothingBut(tls.cert + tls.key, "--tls_ca", "--tls_cert and --tls_key"));
    return grpc::InsecureChannelCredentials();
  }
  ASSIGN_OR_RETURN(auto provider, WatchedFiles(tls.cert, tls.key, "--tls_ca",
                                               tls.ca, tls.refresh_seconds));
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  if (!tls.cert.empty()) options.watch_identity_key_cert_pairs();
  return grpc::experimental::TlsCredentials(options);
}

bool IsLoopbackAddress(const std::string& host_port) {
  std::string_view host = host_port;
  if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") return true;
  // Parsed, not prefix-matched: "127.example.org" is a name, not loopback.
  const std::string text(host);
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  return inet_pton(AF_INET6, text.c_str(), &v6) == 1 &&
         IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace nq57
