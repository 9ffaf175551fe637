// Paths of this source tree and of this build, for tests that read the
// shipped configuration or run the built binaries. The values are fixed when
// the support library is compiled (NQ57_SOURCE_DIR, NQ57_BIN_DIR).
#ifndef NQ57_TESTS_SUPPORT_TEST_PATHS_H_
#define NQ57_TESTS_SUPPORT_TEST_PATHS_H_

#include <string>
#include <string_view>

namespace nq57::testing {

// deploy/config of this source tree: the configuration the servers ship.
std::string ShippedConfigDir();
// <source>/`relative`: a file of this source tree, e.g. "tools/run.sh".
std::string SourcePath(std::string_view relative);
// <build>/bin/`name`: a binary of this build.
std::string BinaryPath(std::string_view name);

}  // namespace nq57::testing

#endif  // NQ57_TESTS_SUPPORT_TEST_PATHS_H_
