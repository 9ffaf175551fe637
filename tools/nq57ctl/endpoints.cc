#include "tools/nq57ctl/endpoints.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/base/field_error.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace nq57::ctl {

std::shared_ptr<grpc::Channel> Endpoints::Channel(
    const std::string& address) const {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(
      address,
      credentials != nullptr ? credentials : grpc::InsecureChannelCredentials(),
      args);
}

std::unique_ptr<grpc::ClientContext> Endpoints::Context() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(deadline));
  context->AddMetadata("x-nq57-actor", actor);
  return context;
}

std::string DescribeError(const absl::Status& status) {
  const std::string code = absl::StatusCodeToString(status.code());
  std::vector<FieldViolation> violations = FieldViolationsOf(status);
  if (violations.empty()) return absl::StrCat(code, ": ", status.message());
  std::string out = absl::StrCat(code, ": ", violations[0].field, ": ",
                                 violations[0].description);
  if (violations.size() > 1) {
    absl::StrAppend(&out, " (and ", violations.size() - 1, " more)");
  }
  return out;
}

}  // namespace nq57::ctl
