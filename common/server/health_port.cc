#include "common/server/health_port.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/health_check_service_server_builder_option.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace nq57 {
namespace {

using grpc::health::v1::HealthCheckResponse;

// Keeps the process-wide reflection plugin off one server.
class WithoutReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    std::erase_if(*plugins, [](const auto& p) {
      return p->name() == "proto_server_reflection";
    });
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<HealthPort>> HealthPort::Start(
    const std::string& listen) {
  auto port = std::unique_ptr<HealthPort>(new HealthPort());
  port->serving_[""] = false;
  grpc::ServerBuilder builder;
  int bound = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &bound);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // No default health service: this one is the only service here.
  builder.SetOption(
      std::make_unique<grpc::HealthCheckServiceServerBuilderOption>(nullptr));
  builder.SetOption(std::make_unique<WithoutReflection>());
  builder.RegisterService(port.get());
  port->server_ = builder.BuildAndStart();
  if (port->server_ == nullptr || bound == 0) {
    return absl::UnavailableError(
        absl::StrCat("--health_listen: cannot listen on ", listen,
                     " (address in use, or not an address of this host?)"));
  }
  port->address_ =
      absl::StrCat(listen.substr(0, listen.rfind(':')), ":", bound);
  return port;
}

HealthPort::~HealthPort() { Shutdown(); }

void HealthPort::SetStatus(const std::string& service, bool serving) {
  absl::MutexLock lock(&mu_);
  serving_[service] = serving;
}

void HealthPort::Shutdown() {
  if (server_ == nullptr) return;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [service, serving] : serving_) serving = false;
  }
  server_->Shutdown(absl::ToChronoTime(absl::Now()));
  server_->Wait();
  server_.reset();
}

grpc::ServerUnaryReactor* HealthPort::Check(
    grpc::CallbackServerContext* context,
    const grpc::health::v1::HealthCheckRequest* request,
    HealthCheckResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::MutexLock lock(&mu_);
  auto it = serving_.find(request->service());
  if (it == serving_.end()) {
    // As gRPC's own health service answers an unknown service.
    reactor->Finish(
        grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service"));
    return reactor;
  }
  response->set_status(it->second ? HealthCheckResponse::SERVING
                                  : HealthCheckResponse::NOT_SERVING);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace nq57
