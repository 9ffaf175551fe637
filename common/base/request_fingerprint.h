// RequestFingerprint: the bytes that identify a request's content.
//
// A write's idempotency record keeps a digest of these bytes, so a retry
// (same request_id, same content) can be told from a different request that
// reuses the request_id. Deterministic serialization gives identical bytes
// for identical messages (map order included) within one build.
#ifndef NQ57_COMMON_BASE_REQUEST_FINGERPRINT_H_
#define NQ57_COMMON_BASE_REQUEST_FINGERPRINT_H_

#include <string>

#include "google/protobuf/message.h"

namespace nq57 {

std::string RequestFingerprint(const google::protobuf::Message& request);

}  // namespace nq57

#endif  // NQ57_COMMON_BASE_REQUEST_FINGERPRINT_H_
