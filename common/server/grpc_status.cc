#include "common/server/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "common/base/error_details.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/error_details.h"

namespace nq57 {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  google::rpc::Status details;
  // Every google.rpc detail the status carries (BadRequest, ResourceInfo,
  // PreconditionFailure, RetryInfo, ...) goes to the client.
  status.ForEachPayload(
      [&details](absl::string_view type_url, const absl::Cord& payload) {
        if (!absl::StartsWith(type_url, kRpcDetailPrefix)) return;
        google::protobuf::Any* any = details.add_details();
        any->set_type_url(std::string(type_url));
        any->set_value(std::string(payload));
      });
  if (details.details().empty()) return grpc::Status(code, message);
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  grpc::Status out;
  grpc::SetErrorDetails(details, &out);
  return out;
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()),
                   status.error_message());
  google::rpc::Status details;
  if (!status.error_details().empty() &&
      grpc::ExtractErrorDetails(status, &details).ok()) {
    for (const google::protobuf::Any& any : details.details()) {
      if (absl::StartsWith(any.type_url(), kRpcDetailPrefix)) {
        out.SetPayload(any.type_url(), absl::Cord(any.value()));
      }
    }
  }
  return out;
}

}  // namespace nq57
