// ProbeService: the smallest real nq57 service, for tests and benchmarks of
// the common server. Echo is the baseline (no store); Put goes through the
// same commit path as every data service (validation, group commit with
// fsync, change record, idempotency record). ProbeServer assembles it with
// the change feed, as a real service's server does.
#ifndef NQ57_TESTS_PROBE_PROBE_SERVICE_H_
#define NQ57_TESTS_PROBE_PROBE_SERVICE_H_

#include <memory>

#include "common/server/change_feed_service.h"
#include "common/server/server.h"
#include "common/store/store.h"
#include "nq57/testing/v1/probe.grpc.pb.h"

namespace nq57 {

class ProbeService final : public testing::v1::Probe::CallbackService {
 public:
  explicit ProbeService(Store* store) : store_(store) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const testing::v1::EchoRequest* request,
                                 testing::v1::EchoResponse* response) override;
  grpc::ServerUnaryReactor* Put(grpc::CallbackServerContext* context,
                                const testing::v1::PutRequest* request,
                                testing::v1::PutResponse* response) override;

 private:
  Store* const store_;
};

struct ProbeOptions {
  ServerOptions server;
};

// The probe server: a store, the probe service and the change feed.
class ProbeServer final : public Server {
 public:
  static absl::StatusOr<std::unique_ptr<ProbeServer>> Create(
      const ProbeOptions& options);
  ServerHost& host() override { return *host_; }
  void BeginShutdown() override { store_->change_log().Close(); }
  Store& store() { return *store_; }

 private:
  explicit ProbeServer(std::unique_ptr<Store> store);
  const std::unique_ptr<Store> store_;
  ProbeService probe_;
  ChangeFeedService feed_;
  std::unique_ptr<ServerHost> host_;  // last: stops serving first
};

}  // namespace nq57

#endif  // NQ57_TESTS_PROBE_PROBE_SERVICE_H_
