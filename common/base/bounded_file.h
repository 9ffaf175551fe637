// ReadBoundedFile: a small configuration or key file read whole, with a
// bound, for the loaders that validate what they read (access policy, TLS
// material).
//
// It reads at most `max_bytes + 1` bytes, so a caller tells a file that is
// too large by the length, without reading a huge file whole.
// Thread-safe (no state).
//
//   ASSIGN_OR_RETURN(std::string text,
//                    ReadBoundedFile(path, 1 << 20, "--access_policy"));
//   if (text.size() > (1 << 20)) return absl::InvalidArgumentError("...");
#ifndef NQ57_COMMON_BASE_BOUNDED_FILE_H_
#define NQ57_COMMON_BASE_BOUNDED_FILE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace nq57 {

// INVALID_ARGUMENT "<what>: cannot read "<path>"" when the file cannot be
// opened.
absl::StatusOr<std::string> ReadBoundedFile(const std::string& path,
                                            size_t max_bytes,
                                            std::string_view what);

}  // namespace nq57

#endif  // NQ57_COMMON_BASE_BOUNDED_FILE_H_
