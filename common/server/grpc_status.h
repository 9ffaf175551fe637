// The one place absl::Status and grpc::Status meet.
//
// Services work in absl::Status; their gRPC adapters convert once, on the
// way out, with ToGrpcStatus. Field violations attached by
// common/base/field_error.h become google.rpc.Status details carrying a
// google.rpc.BadRequest, readable by any gRPC client. Clients of our
// services (nq57ctl, the aggregator) convert back with FromGrpcStatus and
// keep the violations.
#ifndef NQ57_COMMON_SERVER_GRPC_STATUS_H_
#define NQ57_COMMON_SERVER_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace nq57 {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_GRPC_STATUS_H_
