#include "tests/support/test_pki.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/support/test_paths.h"

namespace nq57::testing {
namespace {

// Single-quotes `arg` for /bin/sh.
std::string Quoted(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

absl::Status RunDevCerts(const std::string& args) {
  const std::string command = absl::StrCat(
      "NQ57_CERT_DAYS=2 ", Quoted(SourcePath("tools/dev-certs.sh")), " ", args);
  const int rc = std::system(command.c_str());
  if (rc != 0) {
    return absl::InternalError(absl::StrCat(command, " exited with ", rc));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TestPki> TestPki::Create(const std::string& dir,
                                        const std::string& common_name) {
  if (absl::Status s = RunDevCerts(
          absl::StrCat("ca ", Quoted(dir), " ", Quoted(common_name)));
      !s.ok()) {
    return s;
  }
  return TestPki(dir);
}

absl::StatusOr<TestPki::Files> TestPki::Issue(
    const std::string& name, const std::string& uri_san) const {
  if (absl::Status s = RunDevCerts(absl::StrCat(
          "issue ", Quoted(dir_), " ", Quoted(name), " ", Quoted(uri_san)));
      !s.ok()) {
    return s;
  }
  return Files{.cert = absl::StrCat(dir_, "/", name, ".pem"),
               .key = absl::StrCat(dir_, "/", name, ".key")};
}

void PkiTest::SetUp() {
  absl::StatusOr<TestPki> pki = TestPki::Create(Path("pki"));
  ASSERT_TRUE(pki.ok()) << pki.status();
  pki_.emplace(std::move(*pki));
}

TestPki::Files PkiTest::Issue(const std::string& name,
                              const std::string& uri_san) {
  absl::StatusOr<TestPki::Files> files = pki_->Issue(name, uri_san);
  EXPECT_TRUE(files.ok()) << files.status();
  return files.ok() ? *files : TestPki::Files{};
}

void MutualTlsTest::SetUp() {
  ASSERT_NO_FATAL_FAILURE(PkiTest::SetUp());
  server_ = Issue("server", "spiffe://nq57.local/criteria-server");
  client_ = Issue("client", "spiffe://nq57.local/nq57ctl");
}

}  // namespace nq57::testing
