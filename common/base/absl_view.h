// Bridging std::string_view into Abseil.
//
// Our APIs take std::string_view; Debian's Abseil 20220623 does not alias
// absl::string_view to it, so absl::StrCat and friends do not accept one.
// AbslView converts without copying.
//
//   absl::StrCat(AbslView(field), ": ", AbslView(description));
#ifndef NQ57_COMMON_BASE_ABSL_VIEW_H_
#define NQ57_COMMON_BASE_ABSL_VIEW_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace nq57 {

inline absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace nq57

#endif  // NQ57_COMMON_BASE_ABSL_VIEW_H_
