// Page tokens (common/store/page_token.h): arbitrary bytes as a token are
// refused or decode to some position, never crash; a token made for a
// query decodes to its position under that query and is refused under
// another.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/store/page_token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)nq57::DecodePageToken(in, "procedures|provinces/25");
  (void)nq57::DecodeOffsetToken(in, "snapshots|provinces/25");
  if (size < 2) return 0;
  const size_t cut = 1 + data[0] % (size - 1);
  const std::string query(in.substr(1, cut - 1));
  const std::string position(in.substr(cut));
  if (position.empty()) return 0;
  const std::string token = nq57::EncodePageToken(query, position);
  absl::StatusOr<std::string> decoded = nq57::DecodePageToken(token, query);
  if (!decoded.ok() || *decoded != position) abort();
  if (nq57::DecodePageToken(token, query + "x").ok()) abort();
  const uint64_t offset = position.size() * 977u + data[0];
  absl::StatusOr<uint64_t> at =
      nq57::DecodeOffsetToken(nq57::EncodeOffsetToken(query, offset), query);
  if (!at.ok() || *at != offset) abort();
  return 0;
}
