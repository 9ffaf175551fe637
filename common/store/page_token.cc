#include "common/store/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/digest.h"
#include "common/base/field_error.h"

namespace nq57 {
namespace {

// Version byte, then 8 bytes of SHA-256(query), then the position.
constexpr char kVersion = '\x01';
constexpr size_t kDigestBytes = 8;
// Far more than any key or offset we page by; bounds what a client can make
// us decode.
constexpr size_t kMaxTokenChars = 4096;

std::string QueryDigest(std::string_view query) {
  return Sha256(query).substr(0, kDigestBytes);
}

absl::Status BadToken() {
  return InvalidFieldError("page_token",
                           "not a token of this listing; pass the "
                           "next_page_token of the previous page of the same "
                           "request");
}

}  // namespace

absl::StatusOr<int> PageSizeOf(int requested) {
  if (requested == 0) return kDefaultPageSize;
  if (requested < 0 || requested > kMaxPageSize) {
    return InvalidFieldError("page_size", "must be between 0 and 1000");
  }
  return requested;
}

std::string EncodePageToken(std::string_view query, std::string_view position) {
  std::string raw(1, kVersion);
  raw += QueryDigest(query);
  raw.append(position.data(), position.size());
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<std::string> DecodePageToken(std::string_view token,
                                            std::string_view query) {
  if (token.empty()) return std::string();
  std::string raw;
  if (token.size() > kMaxTokenChars ||
      !absl::WebSafeBase64Unescape(AbslView(token), &raw) ||
      raw.size() <= 1 + kDigestBytes || raw[0] != kVersion ||
      raw.compare(1, kDigestBytes, QueryDigest(query)) != 0) {
    return BadToken();
  }
  return raw.substr(1 + kDigestBytes);
}

std::string EncodeOffsetToken(std::string_view query, uint64_t offset) {
  return EncodePageToken(query, absl::StrCat(offset));
}

absl::StatusOr<uint64_t> DecodeOffsetToken(std::string_view token,
                                           std::string_view query) {
  if (token.empty()) return 0;
  absl::StatusOr<std::string> position = DecodePageToken(token, query);
  if (!position.ok()) return position.status();
  uint64_t offset = 0;
  if (!absl::SimpleAtoi(*position, &offset)) return BadToken();
  return offset;
}

}  // namespace nq57
