// google.rpc error details (AIP-193) on an absl::Status.
//
// A detail rides on the Status as a payload under its type URL
// ("type.googleapis.com/google.rpc.RetryInfo"); the gRPC adapter
// (common/server/grpc_status.h) sends every such payload as a
// google.rpc.Status detail, so a client reads it with
// grpc::ExtractErrorDetails. Field violations (BadRequest) have their own
// helpers in field_error.h; this file holds the others.
//
//   return WithRetryDelay(absl::ResourceExhaustedError("queue full"),
//                         absl::Milliseconds(200));
//   return NotFoundResource("nq57.criteria.v1.Assignment", name,
//                           "no such assignment");
#ifndef NQ57_COMMON_BASE_ERROR_DETAILS_H_
#define NQ57_COMMON_BASE_ERROR_DETAILS_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"

namespace nq57 {

// The prefix of the type URLs a gRPC adapter sends as details.
inline constexpr char kRpcDetailPrefix[] = "type.googleapis.com/google.rpc.";

// `status` carrying `detail` (replacing a detail of the same type).
absl::Status WithDetail(absl::Status status,
                        const google::protobuf::Message& detail);

// `status` with a google.rpc.RetryInfo saying when to try again.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

// NOT_FOUND "<description>" with a google.rpc.ResourceInfo naming the
// resource (its name quoted at most QuoteLimit bytes; see quote.h).
absl::Status NotFoundResource(std::string_view resource_type,
                              std::string_view resource_name,
                              std::string_view description);

// FAILED_PRECONDITION "<description>" with a google.rpc.PreconditionFailure
// of one violation: `type` (e.g. "STATE"), `subject` (what it is about, e.g.
// the resource name) and the description.
absl::Status PreconditionError(std::string_view type, std::string_view subject,
                               std::string_view description);

}  // namespace nq57

#endif  // NQ57_COMMON_BASE_ERROR_DETAILS_H_
