// Page tokens and page sizes: the one paging contract of every List call
// (AIP-158).
//
// A page token is opaque to clients: web-safe base64 of a digest of the
// query it belongs to followed by the position where the next page starts
// (the last key returned, an offset, ...: whatever the listing needs). A
// token is only accepted by the query that issued it; a hand-made token, a
// token of another listing, or one reused with different filters is
// INVALID_ARGUMENT on field "page_token".
//
// `query` is any string that identifies the listing and its filters (e.g.
// the family, the prefix and the serialized filter fields); it is digested,
// never stored in full.
//
// Pure functions: thread-safe.
//
//   ASSIGN_OR_RETURN(int page_size, PageSizeOf(request.page_size()));
//   const std::string query = absl::StrCat("procedures|", request.parent());
//   ASSIGN_OR_RETURN(std::string after,
//                    DecodePageToken(request.page_token(), query));
//   ...
//   response.set_next_page_token(EncodePageToken(query, last_key));
#ifndef NQ57_COMMON_STORE_PAGE_TOKEN_H_
#define NQ57_COMMON_STORE_PAGE_TOKEN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace nq57 {

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

// The page size to use for a requested one: 0 means kDefaultPageSize;
// below 0 or above kMaxPageSize is INVALID_ARGUMENT on "page_size".
absl::StatusOr<int> PageSizeOf(int requested);

// A token for the page that starts after `position`. `position` must not be
// empty (an empty token means "the first page").
std::string EncodePageToken(std::string_view query, std::string_view position);
// The position `token` carries; "" for an empty token (the first page).
absl::StatusOr<std::string> DecodePageToken(std::string_view token,
                                            std::string_view query);

// The same for offset-based listings.
std::string EncodeOffsetToken(std::string_view query, uint64_t offset);
// 0 for an empty token.
absl::StatusOr<uint64_t> DecodeOffsetToken(std::string_view token,
                                           std::string_view query);

}  // namespace nq57

#endif  // NQ57_COMMON_STORE_PAGE_TOKEN_H_
