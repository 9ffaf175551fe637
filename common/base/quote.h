// Quoting client-supplied values in errors and logs, bounded.
//
// An error that echoes a whole hostile value (a 10 MiB unit name) can exceed
// a client's metadata limit, so the client sees RESOURCE_EXHAUSTED instead of
// the error, and it fills the server's log. Every value an nq57 error or log
// line quotes goes through QuotePrefix: at most kQuoteLimit bytes, cut on a
// UTF-8 boundary, control characters escaped, and an ellipsis with the full
// length when cut.
//
//   InvalidFieldError("unit", absl::StrCat("unknown unit ", Quoted(unit)));
//   // unit: unknown unit "communes/0790…" (100000 bytes)
#ifndef NQ57_COMMON_BASE_QUOTE_H_
#define NQ57_COMMON_BASE_QUOTE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace nq57 {

inline constexpr size_t kQuoteLimit = 64;

// `value` cut to at most `limit` bytes (on a UTF-8 boundary), with C-style
// escapes for control characters and invalid UTF-8, and "…" when cut.
std::string QuotePrefix(std::string_view value, size_t limit = kQuoteLimit);
// QuotePrefix in double quotes, followed by " (N bytes)" when cut.
std::string Quoted(std::string_view value, size_t limit = kQuoteLimit);

}  // namespace nq57

#endif  // NQ57_COMMON_BASE_QUOTE_H_
