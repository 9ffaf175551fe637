#include "common/server/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "common/base/field_error.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/error_details.h"

namespace nq57 {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  auto payload = status.GetPayload(kBadRequestTypeUrl);
  if (!payload.has_value()) return grpc::Status(code, message);
  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  google::protobuf::Any* any = details.add_details();
  any->set_type_url(kBadRequestTypeUrl);
  any->set_value(std::string(*payload));
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
      if (any.type_url() == kBadRequestTypeUrl) {
        out.SetPayload(kBadRequestTypeUrl, absl::Cord(any.value()));
      }
    }
  }
  return out;
}

}  // namespace nq57
