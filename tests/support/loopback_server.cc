#include "tests/support/loopback_server.h"

#include "absl/strings/str_cat.h"
#include "common/server/grpc_status.h"
#include "tests/support/grpc_probes.h"
#include "tests/support/test_paths.h"

namespace nq57::testing {

ServerOptions LoopbackServerOptions(const std::string& data_dir) {
  return {.listen = "127.0.0.1:0",
          .data_dir = data_dir,
          .config_dir = ShippedConfigDir()};
}

std::shared_ptr<grpc::Channel> ChannelTo(Server& server) {
  return InsecureChannel(server.host().address());
}

void Shutdown(Server& server, absl::Duration drain) {
  server.BeginShutdown();
  server.host().Shutdown(drain);
}

std::vector<FieldViolation> ViolationsOf(const grpc::Status& status) {
  return FieldViolationsOf(FromGrpcStatus(status));
}

std::string InvalidFieldOf(const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
    return absl::StrCat("<",
                        absl::StatusCodeToString(
                            static_cast<absl::StatusCode>(status.error_code())),
                        ": ", status.error_message(), ">");
  }
  return FieldOf(status);
}

std::string FieldOf(const grpc::Status& status) {
  std::vector<FieldViolation> v = ViolationsOf(status);
  return v.empty() ? "<none: " + status.error_message() + ">" : v[0].field;
}

}  // namespace nq57::testing
