#include "tests/support/grpc_probes.h"

#include <chrono>

#include "grpcpp/client_context.h"
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

std::vector<changes::v1::ChangeRecord> ReadChanges(
    const std::shared_ptr<grpc::Channel>& channel, uint64_t from,
    size_t count) {
  auto feed = changes::v1::ChangeFeed::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  changes::v1::SubscribeRequest request;
  request.set_from_sequence(from);
  auto reader = feed->Subscribe(&context, request);
  std::vector<changes::v1::ChangeRecord> records;
  changes::v1::ChangeBatch batch;
  while (records.size() < count && reader->Read(&batch)) {
    for (const auto& r : batch.records()) records.push_back(r);
  }
  context.TryCancel();
  return records;
}

FeedPosition FeedPositionOf(const std::shared_ptr<grpc::Channel>& channel) {
  auto feed = changes::v1::ChangeFeed::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  changes::v1::SubscribeRequest request;
  request.set_max_batch_records(1);
  auto reader = feed->Subscribe(&context, request);
  changes::v1::ChangeBatch batch;
  FeedPosition out;
  if (reader->Read(&batch)) {
    out = {.head = batch.head_sequence(), .log_id = batch.log_id()};
  }
  context.TryCancel();
  (void)reader->Finish();
  return out;
}

}  // namespace nq57::testing
