#include "common/base/quote.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace nq57 {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
    n = 2;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
  } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
    n = 4;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

std::string Prefix(std::string_view value, size_t limit, bool* cut) {
  *cut = false;
  std::string out;
  size_t i = 0;
  while (i < value.size()) {
    const size_t n = Utf8Length(value, i);
    std::string piece;
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (n == 0) {
      piece = absl::StrFormat("\\x%02x", c);
    } else if (n == 1 && (c < 0x20 || c == 0x7f)) {
      piece = c == '\n'   ? "\\n"
              : c == '\t' ? "\\t"
                          : absl::StrFormat("\\x%02x", c);
    } else if (n == 1 && (c == '"' || c == '\\')) {
      piece = absl::StrCat("\\", std::string(1, static_cast<char>(c)));
    } else {
      piece = std::string(value.substr(i, n));
    }
    if (out.size() + piece.size() > limit) {
      out += "…";
      *cut = true;
      return out;
    }
    out += piece;
    i += n == 0 ? 1 : n;
  }
  return out;
}

}  // namespace

std::string QuotePrefix(std::string_view value, size_t limit) {
  bool cut;
  return Prefix(value, limit, &cut);
}

std::string Quoted(std::string_view value, size_t limit) {
  bool cut;
  std::string out = absl::StrCat("\"", Prefix(value, limit, &cut), "\"");
  if (cut) absl::StrAppend(&out, " (", value.size(), " bytes)");
  return out;
}

}  // namespace nq57
