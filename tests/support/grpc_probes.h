// Client-side probes for tests of any nq57 server, in process or as a child
// process: an insecure loopback channel, a service's grpc.health.v1
// status, and the records of its change feed. (Reflection is in
// reflection_client.h: its generated messages clash with the copy gRPC's server
// library carries, so only client-only tests may link it.)
//
// Links no server code. Every function makes its own calls on the channel
// it is given; thread-safe as gRPC stubs are.
//
//   auto channel = nq57::testing::InsecureChannel(server->address());
//   ASSERT_EQ(HealthOf(channel, "nq57.x.v1.XService"),
//             HealthCheckResponse::SERVING);
#ifndef NQ57_TESTS_SUPPORT_GRPC_PROBES_H_
#define NQ57_TESTS_SUPPORT_GRPC_PROBES_H_

#include <memory>
#include <string>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/channel.h"
#include "nq57/changes/v1/changes.grpc.pb.h"

namespace nq57::testing {

// A channel to `address` ("host:port") without TLS.
std::shared_ptr<grpc::Channel> InsecureChannel(const std::string& address);

// The status the server reports for `service` ("" = the whole server), or
// UNKNOWN when the Check call itself fails.
grpc::health::v1::HealthCheckResponse::ServingStatus HealthOf(
    grpc::health::v1::Health::Stub& stub, const std::string& service = "");
grpc::health::v1::HealthCheckResponse::ServingStatus HealthOf(
    const std::shared_ptr<grpc::Channel>& channel,
    const std::string& service = "");

// The first `count` change records of the server's feed from `from` (fewer
// if the stream ends or 10 s pass first).
std::vector<changes::v1::ChangeRecord> ReadChanges(
    const std::shared_ptr<grpc::Channel>& channel, uint64_t from, size_t count);

// The head sequence and the log identity the server's change feed announces
// in its first batch (head 0 and no identity if no batch came in 10 s).
struct FeedPosition {
  uint64_t head = 0;
  std::string log_id;
};
FeedPosition FeedPositionOf(const std::shared_ptr<grpc::Channel>& channel);

}  // namespace nq57::testing

#endif  // NQ57_TESTS_SUPPORT_GRPC_PROBES_H_
