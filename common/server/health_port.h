// HealthPort: a plaintext gRPC server that answers grpc.health.v1 Check and
// nothing else, for probes that cannot present a client certificate
// (Kubernetes' native gRPC probes) while the main port requires mTLS.
//
// It holds its own status table, which the ServerHost keeps equal to the
// main server's (SetStatus on every change). gRPC's default health service
// and the process-wide reflection plugin are kept off this server, so it
// describes and serves nothing but health. Watch is not served
// (UNIMPLEMENTED): probes poll Check.
//
// Thread-safe.
#ifndef NQ57_COMMON_SERVER_HEALTH_PORT_H_
#define NQ57_COMMON_SERVER_HEALTH_PORT_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/server.h"

namespace nq57 {

class HealthPort final : public grpc::health::v1::Health::CallbackService {
 public:
  // Binds `listen` ("host:port"; port 0 picks one). Every service starts
  // NOT_SERVING.
  static absl::StatusOr<std::unique_ptr<HealthPort>> Start(
      const std::string& listen);
  ~HealthPort() override;

  // The bound address, with the real port.
  const std::string& address() const { return address_; }

  // `service` "" is the whole server.
  void SetStatus(const std::string& service, bool serving);
  void Shutdown();

  grpc::ServerUnaryReactor* Check(
      grpc::CallbackServerContext* context,
      const grpc::health::v1::HealthCheckRequest* request,
      grpc::health::v1::HealthCheckResponse* response) override;

 private:
  HealthPort() = default;

  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, bool> serving_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_HEALTH_PORT_H_
