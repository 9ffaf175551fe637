// ProbeService: the smallest real nq57 service, for tests and benchmarks of
// the common server. Echo is the baseline (no store); Put goes through the
// same commit path as every data service (validation, group commit with
// fsync, change record, idempotency record). ProbeBundle packages it with
// the change feed for ServerMain, as a real service's bundle does.
#ifndef NQ57_TESTS_PROBE_PROBE_SERVICE_H_
#define NQ57_TESTS_PROBE_PROBE_SERVICE_H_

#include <memory>

#include "common/server/change_feed_service.h"
#include "common/server/metrics.h"
#include "common/server/server_main.h"
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

class ProbeBundle : public ServiceBundle {
 public:
  static absl::StatusOr<std::unique_ptr<ServiceBundle>> Create(
      const ServerConfig& config);
  std::vector<grpc::Service*> services() override;
  std::vector<std::string> service_names() override;
  void BeginShutdown() override;
  void CollectMetrics(MetricSink& sink) override;
  Store& store() { return *store_; }

 private:
  explicit ProbeBundle(std::unique_ptr<Store> store);
  std::unique_ptr<Store> store_;
  ProbeService probe_;
  ChangeFeedService feed_;
};

}  // namespace nq57

#endif  // NQ57_TESTS_PROBE_PROBE_SERVICE_H_
