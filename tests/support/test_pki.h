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

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "tests/support/temp_dir.h"

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

// A TempDirTest with a CA in Path("pki"), made in SetUp (a failure there is
// a fatal test failure).
class PkiTest : public TempDirTest {
 protected:
  void SetUp() override;
  // Issues `name` (a failure is a test failure, and the files are empty).
  TestPki::Files Issue(const std::string& name,
                       const std::string& uri_san = "");
  const TestPki& pki() const { return *pki_; }

 private:
  std::optional<TestPki> pki_;
};

// A PkiTest that also issues a server certificate (URI SAN
// spiffe://nq57.local/criteria-server) and a client one
// (spiffe://nq57.local/nq57ctl).
class MutualTlsTest : public PkiTest {
 protected:
  void SetUp() override;
  TestPki::Files server_, client_;
};

}  // namespace nq57::testing

#endif  // NQ57_TESTS_SUPPORT_TEST_PKI_H_
