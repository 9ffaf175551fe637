// The one place absl::Status and grpc::Status meet.
//
// Services work in absl::Status; their gRPC adapters convert once, on the
// way out, with ToGrpcStatus. Every payload under a google.rpc type URL (the
// field violations of common/base/field_error.h, the ResourceInfo,
// PreconditionFailure and RetryInfo of common/base/error_details.h) becomes
// a google.rpc.Status detail, readable by any gRPC client. Clients of our
// services (nq57ctl, the aggregator) convert back with FromGrpcStatus and
// keep the details.
#ifndef NQ57_COMMON_SERVER_GRPC_STATUS_H_
#define NQ57_COMMON_SERVER_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace nq57 {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_GRPC_STATUS_H_
