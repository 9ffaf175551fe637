#include "common/base/digest.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"

namespace nq57 {

std::string Sha256(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof(out));
}

std::string Sha256Hex(std::string_view data) {
  return absl::BytesToHexString(Sha256(data));
}

}  // namespace nq57
