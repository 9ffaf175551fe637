#include "common/base/resource_code.h"

#include "absl/strings/ascii.h"

namespace nq57 {

bool IsValidCode(std::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  if (!absl::ascii_isalnum(static_cast<unsigned char>(code[0]))) return false;
  for (char ch : code) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '.' &&
        ch != '_' && ch != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace nq57
