#include "tests/support/grpc_probes.h"

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace nq57::testing {

using grpc::health::v1::HealthCheckResponse;

std::shared_ptr<grpc::Channel> InsecureChannel(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

HealthCheckResponse::ServingStatus HealthOf(
    grpc::health::v1::Health::Stub& stub, const std::string& service) {
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  HealthCheckResponse resp;
  if (!stub.Check(&ctx, req, &resp).ok()) return HealthCheckResponse::UNKNOWN;
  return resp.status();
}

HealthCheckResponse::ServingStatus HealthOf(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  return HealthOf(*stub, service);
}

}  // namespace nq57::testing
