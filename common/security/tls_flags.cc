#include "common/security/tls_flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain this process presents: a server to its "
          "clients (with --tls_key it serves TLS), a client as its identity "
          "(env NQ57_TLS_CERT for servers)");
ABSL_FLAG(std::string, tls_key, "",
          "PEM private key of --tls_cert (env NQ57_TLS_KEY for servers)");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM CA of the servers this process calls; a server's default is "
          "its --tls_client_ca (env NQ57_TLS_CA for servers)");
ABSL_FLAG(int, tls_refresh_seconds, 30,
          "how often TLS files are re-read, so that rotated ones are used by "
          "new connections (env NQ57_TLS_REFRESH_SECONDS for servers)");

namespace nq57 {

ClientTls ClientTlsFromFlags() {
  return {.ca = absl::GetFlag(FLAGS_tls_ca),
          .cert = absl::GetFlag(FLAGS_tls_cert),
          .key = absl::GetFlag(FLAGS_tls_key),
          .refresh_seconds = absl::GetFlag(FLAGS_tls_refresh_seconds)};
}

}  // namespace nq57
