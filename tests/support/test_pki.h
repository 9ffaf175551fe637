// TestPki: a throwaway certificate authority for tests over real TLS, made
// at test time by tools/dev-certs.sh (Debian's openssl), so no key is ever
// committed and tests use the recipe operators use.
//
// Every certificate it issues is valid for serverAuth and clientAuth, with
// the SANs DNS:localhost and IP:127.0.0.1 and, when given, a URI SAN (the
// holder's SPIFFE identity). Files live under the directory given; the
// caller owns it (a TempDirTest's). Not thread-safe.
//
//   ASSIGN_OR_RETURN(TestPki pki, TestPki::Create(Path("pki")));
//   ASSIGN_OR_RETURN(TestPki::Files server, pki.Issue("server"));
//   ASSIGN_OR_RETURN(TestPki::Files reporter,
//                    pki.Issue("reporter", "spiffe://nq57.local/reporter/a"));
#ifndef NQ57_TESTS_SUPPORT_TEST_PKI_H_
#define NQ57_TESTS_SUPPORT_TEST_PKI_H_

#include <string>

#include "absl/status/statusor.h"

namespace nq57::testing {

class TestPki {
 public:
  struct Files {
    std::string cert;  // PEM certificate
    std::string key;   // PEM private key
  };

  // A new CA in `dir` (created if missing) named `common_name`.
  static absl::StatusOr<TestPki> Create(
      const std::string& dir, const std::string& common_name = "nq57 test CA");

  // Issues (or re-issues, replacing the files atomically) `name`.pem and
  // `name`.key signed by this CA.
  absl::StatusOr<Files> Issue(const std::string& name,
                              const std::string& uri_san = "") const;

  const std::string& dir() const { return dir_; }
  std::string ca_cert() const { return dir_ + "/ca.pem"; }

 private:
  explicit TestPki(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace nq57::testing

#endif  // NQ57_TESTS_SUPPORT_TEST_PKI_H_
