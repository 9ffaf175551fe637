#include "common/base/bounded_file.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"

namespace nq57 {

absl::StatusOr<std::string> ReadBoundedFile(const std::string& path,
                                            size_t max_bytes,
                                            std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(AbslView(what), ": cannot read \"", path, "\""));
  }
  std::string text(max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

}  // namespace nq57
