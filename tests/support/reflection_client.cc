#include "tests/support/reflection_client.h"

#include <algorithm>

#include "absl/status/status.h"

namespace nq57::testing {

namespace reflection = grpc::reflection::v1alpha;

std::vector<std::string> MissingNames(
    const std::vector<std::string>& names,
    const std::vector<std::string>& expected) {
  std::vector<std::string> missing;
  for (const std::string& name : expected) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      missing.push_back(name);
    }
  }
  return missing;
}

ReflectionClient::ReflectionClient(
    const std::shared_ptr<grpc::Channel>& channel)
    : stub_(reflection::ServerReflection::NewStub(channel)),
      stream_(stub_->ServerReflectionInfo(&context_)) {}

ReflectionClient::~ReflectionClient() { Close(); }

void ReflectionClient::Close() {
  if (stream_ == nullptr) return;
  stream_->WritesDone();
  context_.TryCancel();
  stream_->Finish();
  stream_.reset();
}

absl::StatusOr<reflection::ServerReflectionResponse> ReflectionClient::Ask(
    const reflection::ServerReflectionRequest& request) {
  if (stream_ == nullptr) {
    return absl::FailedPreconditionError("reflection stream closed");
  }
  if (!stream_->Write(request)) {
    return absl::UnavailableError("reflection stream: write failed");
  }
  reflection::ServerReflectionResponse response;
  if (!stream_->Read(&response)) {
    return absl::UnavailableError("reflection stream: no answer");
  }
  return response;
}

absl::StatusOr<std::vector<std::string>> ReflectionClient::ListServices() {
  reflection::ServerReflectionRequest list;
  list.set_list_services("*");
  absl::StatusOr<reflection::ServerReflectionResponse> response = Ask(list);
  if (!response.ok()) return response.status();
  std::vector<std::string> names;
  for (const auto& s : response->list_services_response().service()) {
    names.push_back(s.name());
  }
  return names;
}

absl::StatusOr<reflection::ServerReflectionResponse>
ReflectionClient::FileContaining(const std::string& symbol) {
  reflection::ServerReflectionRequest describe;
  describe.set_file_containing_symbol(symbol);
  return Ask(describe);
}

}  // namespace nq57::testing
