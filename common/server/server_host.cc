#include "common/server/server_host.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/server_interceptor.h"

namespace nq57 {
namespace {

// gRPC 1.51 answers a request body that does not parse with UNIMPLEMENTED
// and no message, the same as an unknown method. Says which it is: a
// method this process has compiled in ("/pkg.Service/Method") got a bad
// body (INVALID_ARGUMENT); anything else is not served here.
grpc::Status ExplainUnimplemented(const std::string& method) {
  std::string full_name = method.size() > 1 ? method.substr(1) : method;
  const size_t slash = full_name.rfind('/');
  if (slash != std::string::npos) full_name[slash] = '.';
  const google::protobuf::MethodDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          full_name);
  if (descriptor == nullptr) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        absl::StrCat("no method ", method, " on this server"));
  }
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      absl::StrCat("the request body is not a valid ",
                                   descriptor->input_type()->full_name(),
                                   " (it could not be parsed)"));
}

// Logs one line per finished RPC, and holds unary calls to the host's
// CallDeadline (null: no cap) from their start to their status.
class RpcLogInterceptor : public grpc::experimental::Interceptor {
 public:
  RpcLogInterceptor(grpc::experimental::ServerRpcInfo* info,
                    RpcMetrics* metrics, CallDeadline* deadline)
      : info_(info),
        metrics_(metrics),
        deadline_(info->type() == grpc::experimental::ServerRpcInfo::Type::UNARY
                      ? deadline
                      : nullptr),
        start_(absl::Now()) {}
  ~RpcLogInterceptor() override { ForgetDeadline(); }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (deadline_ != nullptr && methods->QueryInterceptionHookPoint(
                                    grpc::experimental::InterceptionHookPoints::
                                        POST_RECV_INITIAL_METADATA)) {
      watched_ = deadline_->Watch(info_->server_context(), info_->method());
    }
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      ForgetDeadline();
      grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED &&
          status.error_message().empty()) {
        status = ExplainUnimplemented(info_->method());
        methods->ModifySendStatus(status);
      }
      const std::string code = absl::StatusCodeToString(
          static_cast<absl::StatusCode>(status.error_code()));
      const std::string peer = info_->server_context()->peer();
      const absl::Duration latency = absl::Now() - start_;
      const double latency_ms = absl::ToDoubleMilliseconds(latency);
      metrics_->Record(info_->method(), code, absl::ToDoubleSeconds(latency));
      if (status.ok()) {
        LogInfo("rpc", {{"method", info_->method()},
                        {"peer", peer},
                        {"code", code},
                        {"latency_ms", latency_ms}});
      } else {
        LogInfo("rpc", {{"method", info_->method()},
                        {"peer", peer},
                        {"code", code},
                        {"latency_ms", latency_ms},
                        {"error", status.error_message()}});
      }
    }
    methods->Proceed();
  }

 private:
  // Once, and only for a watched call (the status is normally sent before
  // the interceptor is destroyed; the destructor covers a call that is not).
  void ForgetDeadline() {
    if (!watched_) return;
    deadline_->Forget(info_->server_context());
    watched_ = false;
  }

  grpc::experimental::ServerRpcInfo* const info_;
  RpcMetrics* const metrics_;
  CallDeadline* const deadline_;
  bool watched_ = false;
  const absl::Time start_;
};

class RpcLogInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  RpcLogInterceptorFactory(RpcMetrics* metrics, CallDeadline* deadline)
      : metrics_(metrics), deadline_(deadline) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RpcLogInterceptor(info, metrics_, deadline_);
  }

 private:
  RpcMetrics* const metrics_;
  CallDeadline* const deadline_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ServerHost>> ServerHost::Start(
    const ServerHostOptions& options, std::vector<grpc::Service*> services,
    std::vector<std::string> health_names) {
  // Reflection can describe only what the process's descriptor pool holds;
  // gRPC's built-in health service does not put grpc.health.v1 there, so
  // reference our compiled copy of health.proto to link it in.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  if (absl::Status s = CheckListenAddress(options.listen, "--listen");
      !s.ok()) {
    return s;
  }
  const size_t colon = options.listen.rfind(':');
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                   ServerCredentialsFor(options.tls));
  if (options.tls.client_ca.empty() && !IsLoopbackAddress(options.listen)) {
    if (!options.allow_insecure) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--listen: ", options.listen,
          " is not a loopback address; serve it with mTLS (--tls_cert, "
          "--tls_key and --tls_client_ca: without client certificates every "
          "call is admitted), or say --allow_insecure"));
    }
    LogWarning(
        "serving without mTLS on a non-loopback address: every call is "
        "admitted",
        {{"listen", options.listen}, {"flag", "--allow_insecure"}});
  }

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen, credentials, &port);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  // gRPC sets SO_REUSEPORT by default, which would let a second server
  // silently share a port that is already in use.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  auto rpc_metrics = std::make_unique<RpcMetrics>();
  std::unique_ptr<CallDeadline> call_deadline;
  if (options.max_call > absl::ZeroDuration()) {
    call_deadline = std::make_unique<CallDeadline>(options.max_call);
  }
  interceptors.push_back(std::make_unique<RpcLogInterceptorFactory>(
      rpc_metrics.get(), call_deadline.get()));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     " (address in use, or not an address of this host?)"));
  }
  std::string address =
      absl::StrCat(options.listen.substr(0, colon), ":", port);
  auto host = std::unique_ptr<ServerHost>(new ServerHost(
      std::move(rpc_metrics), std::move(call_deadline), std::move(server),
      std::move(address), port, std::move(health_names), options.health_checks,
      options.health_check_period));
  if (!options.health_listen.empty()) {
    RETURN_IF_ERROR(
        CheckListenAddress(options.health_listen, "--health_listen"));
    ASSIGN_OR_RETURN(host->health_port_,
                     HealthPort::Start(options.health_listen));
  }
  host->SetServing(false);
  if (!host->checks_.empty()) {
    {
      absl::MutexLock lock(&host->mu_);
      for (const HealthCheck& c : host->checks_) host->SetStatus(c.name, true);
    }
    ServerHost* const h = host.get();
    host->checker_ = std::thread([h] { h->CheckLoop(); });
  }
  if (!options.metrics_listen.empty()) {
    ServerHost* const h = host.get();
    std::function<void(MetricSink&)> collect =
        [h, service = options.collect_metrics](MetricSink& sink) {
          sink.Counter("nq57_rpc_cancelled_total",
                       "unary calls the server cancelled for running longer "
                       "than --max_call_seconds",
                       {}, static_cast<double>(h->calls_cancelled()));
          if (service) service(sink);
        };
    absl::StatusOr<std::unique_ptr<MetricsExporter>> exporter =
        MetricsExporter::Start(options.metrics_listen,
                               {host->rpc_metrics().registry()},
                               std::move(collect));
    if (!exporter.ok()) return exporter.status();
    host->metrics_ = std::move(*exporter);
  }
  return host;
}

ServerHost::ServerHost(std::unique_ptr<RpcMetrics> rpc_metrics,
                       std::unique_ptr<CallDeadline> call_deadline,
                       std::unique_ptr<grpc::Server> server,
                       std::string address, int port,
                       std::vector<std::string> health_names,
                       std::vector<HealthCheck> checks,
                       absl::Duration check_period)
    : rpc_metrics_(std::move(rpc_metrics)),
      call_deadline_(std::move(call_deadline)),
      server_(std::move(server)),
      address_(std::move(address)),
      port_(port),
      health_names_(std::move(health_names)),
      checks_(std::move(checks)),
      check_period_(check_period),
      check_ok_(checks_.size(), true) {}

void ServerHost::CheckLoop() {
  while (true) {
    // Checks run without the lock: they may read a store.
    std::vector<absl::Status> results;
    for (const HealthCheck& c : checks_) results.push_back(c.check());
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    for (size_t i = 0; i < checks_.size(); ++i) {
      const bool ok = results[i].ok();
      if (ok == check_ok_[i]) continue;
      check_ok_[i] = ok;
      if (ok) {
        LogInfo("health check passes again", {{"check", checks_[i].name}});
      } else {
        LogError("health check fails", {{"check", checks_[i].name},
                                        {"error", results[i].ToString()}});
      }
      SetStatus(checks_[i].name, ok);
    }
    ApplyServing();
    mu_.AwaitWithTimeout(absl::Condition(&shut_down_), check_period_);
    if (shut_down_) return;
  }
}

void ServerHost::ApplyServing() {
  bool serving = wanted_serving_;
  for (size_t i = 0; i < checks_.size(); ++i) {
    if (checks_[i].gates_server && !check_ok_[i]) serving = false;
  }
  // gRPC's health service applies the overall status to every name it
  // knows, so the checks' own statuses are set again after it.
  SetStatus("", serving);
  SetStatus(kLivenessHealthName, true);
  for (const std::string& name : health_names_) SetStatus(name, serving);
  for (size_t i = 0; i < checks_.size(); ++i) {
    SetStatus(checks_[i].name, check_ok_[i]);
  }
}

ServerHost::~ServerHost() {
  Shutdown(absl::ZeroDuration());
  metrics_.reset();
}

const std::string& ServerHost::health_address() const {
  static const std::string* const kNone = new std::string();
  return health_port_ == nullptr ? *kNone : health_port_->address();
}

const std::string& ServerHost::metrics_address() const {
  static const std::string* const kNone = new std::string();
  return metrics_ == nullptr ? *kNone : metrics_->address();
}

absl::Status CheckListenAddress(std::string_view listen,
                                std::string_view flag) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(AbslView(listen.substr(colon + 1)), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        AbslView(flag), ": expected HOST:PORT (e.g. 127.0.0.1:0), got \"",
        AbslView(listen.substr(0, 64)), "\""));
  }
  return absl::OkStatus();
}

void ServerHost::SetStatus(const std::string& name, bool serving) {
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (name.empty()) {
    health->SetServingStatus(serving);
  } else {
    health->SetServingStatus(name, serving);
  }
  if (health_port_ != nullptr) health_port_->SetStatus(name, serving);
}

void ServerHost::SetServing(bool serving) {
  absl::MutexLock lock(&mu_);
  if (shut_down_) return;
  wanted_serving_ = serving;
  ApplyServing();
}

void ServerHost::SetServiceServing(const std::string& name, bool serving) {
  absl::MutexLock lock(&mu_);
  if (shut_down_) return;
  SetStatus(name, serving);
}

void ServerHost::Shutdown(absl::Duration drain) {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    SetStatus("", false);
    SetStatus(kLivenessHealthName, false);
    for (const std::string& name : health_names_) SetStatus(name, false);
    for (const HealthCheck& c : checks_) SetStatus(c.name, false);
    shut_down_ = true;
  }
  if (checker_.joinable()) checker_.join();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + drain));
  server_->Wait();
  // Probes see NOT_SERVING until the main server has drained.
  if (health_port_ != nullptr) health_port_->Shutdown();
}

}  // namespace nq57
