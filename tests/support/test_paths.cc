#include "tests/support/test_paths.h"

namespace nq57::testing {

std::string ShippedConfigDir() {
  return std::string(NQ57_SOURCE_DIR) + "/deploy/config";
}

std::string SourcePath(std::string_view relative) {
  return std::string(NQ57_SOURCE_DIR) + "/" + std::string(relative);
}

std::string BinaryPath(std::string_view name) {
  return std::string(NQ57_BIN_DIR) + "/" + std::string(name);
}

}  // namespace nq57::testing
