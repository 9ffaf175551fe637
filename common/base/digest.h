// Stable content digests.
//
// absl::Hash is seeded per process, so anything that is stored or compared
// across processes (idempotency fingerprints, published snapshot hashes) uses
// SHA-256 from OpenSSL, which gRPC already links.
#ifndef NQ57_COMMON_BASE_DIGEST_H_
#define NQ57_COMMON_BASE_DIGEST_H_

#include <string>
#include <string_view>

namespace nq57 {

// The 32-byte SHA-256 digest of `data`.
std::string Sha256(std::string_view data);
// The same digest as 64 lowercase hex characters.
std::string Sha256Hex(std::string_view data);

}  // namespace nq57

#endif  // NQ57_COMMON_BASE_DIGEST_H_
