#include "common/server/access_gate.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/access/access_check.h"
#include "common/access/access_policy.h"
#include "common/base/bounded_file.h"
#include "common/base/input_bounds.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"

namespace nq57 {
namespace {

// The policy file's bytes, or empty if it cannot be read. Compared whole,
// so any changed byte is a change, whatever its modification time says
// (cp -p, rsync -t, coarse timestamps).
std::string ContentOf(const std::string& path) {
  absl::StatusOr<std::string> text =
      ReadBoundedFile(path, AccessPolicy::kMaxFileBytes, "--access_policy");
  return text.ok() ? *std::move(text) : std::string();
}

}  // namespace

std::unique_ptr<AccessGate> AccessGate::Open(size_t max_streams,
                                             size_t max_streams_per_peer) {
  return std::unique_ptr<AccessGate>(
      new AccessGate(nullptr, "", "*", {}, absl::InfiniteDuration(),
                     max_streams, max_streams_per_peer));
}

const AccessGate& AccessGate::Unrestricted() {
  static const AccessGate* const kOpen = Open().release();
  return *kOpen;
}

absl::StatusOr<std::unique_ptr<AccessGate>> AccessGate::Create(
    const Options& options) {
  if (options.policy_path.empty()) {
    return Open(options.max_streams, options.max_streams_per_peer);
  }
  absl::flat_hash_map<const google::protobuf::Descriptor*,
                      const google::protobuf::MethodDescriptor*>
      methods;
  for (const std::string& name : options.services) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            name);
    if (service == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("access gate: unknown service ", name));
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* m = service->method(i);
      auto [it, inserted] = methods.emplace(m->input_type(), m);
      if (!inserted) {
        // Two methods taking one request type could need different roles.
        return absl::InvalidArgumentError(absl::StrCat(
            "access gate: ", it->second->full_name(), " and ", m->full_name(),
            " both take ", m->input_type()->full_name()));
      }
    }
  }
  ASSIGN_OR_RETURN(std::unique_ptr<AccessPolicy> policy,
                   AccessPolicy::LoadFile(options.policy_path));
  LogInfo("access policy loaded",
          {{"path", options.policy_path}, {"version", policy->version()}});
  return std::unique_ptr<AccessGate>(new AccessGate(
      std::move(policy), options.policy_path,
      options.province.empty() ? "*" : options.province, std::move(methods),
      options.refresh, options.max_streams, options.max_streams_per_peer));
}

AccessGate::AccessGate(
    std::shared_ptr<const AccessPolicy> policy, std::string path,
    std::string deployment,
    absl::flat_hash_map<const google::protobuf::Descriptor*,
                        const google::protobuf::MethodDescriptor*>
        methods,
    absl::Duration refresh, size_t max_streams, size_t max_streams_per_peer)
    : path_(std::move(path)),
      methods_(std::move(methods)),
      refresh_(refresh),
      deployment_(std::move(deployment)),
      streams_(max_streams, max_streams_per_peer),
      policy_(std::move(policy)) {
  if (!path_.empty()) watcher_ = std::thread([this] { Watch(); });
}

AccessGate::~AccessGate() {
  stop_.Notify();
  if (watcher_.joinable()) watcher_.join();
}

std::shared_ptr<const AccessPolicy> AccessGate::policy() const {
  // Every call reads it, a reload writes it: readers share the lock.
  absl::ReaderMutexLock lock(&mu_);
  return policy_;
}

std::string AccessGate::policy_version() const {
  std::shared_ptr<const AccessPolicy> p = policy();
  return p == nullptr ? "" : p->version();
}

void AccessGate::Watch() {
  std::string seen = ContentOf(path_);
  while (!stop_.WaitForNotificationWithTimeout(refresh_)) {
    std::string now = ContentOf(path_);
    if (now == seen) continue;
    seen = std::move(now);
    // What was just read is what is parsed: one read per refresh.
    absl::StatusOr<std::unique_ptr<AccessPolicy>> loaded =
        seen.empty() ? absl::InvalidArgumentError(absl::StrCat(
                           "--access_policy: cannot read \"", path_, "\""))
                     : AccessPolicy::Parse(seen, path_);
    if (!loaded.ok()) {
      LogError("access policy not reloaded; the one in force stays",
               {{"path", path_},
                {"version", policy_version()},
                {"error", std::string(loaded.status().message())}});
      continue;
    }
    LogInfo("access policy reloaded",
            {{"path", path_}, {"version", (*loaded)->version()}});
    absl::WriterMutexLock lock(&mu_);
    policy_ = std::move(*loaded);
  }
}

absl::StatusOr<Caller> AccessGate::Admit(
    const grpc::ServerContextBase& context,
    const google::protobuf::Message& request) const {
  ASSIGN_OR_RETURN(Caller caller, CallerOf(context));
  // Sizes and characters first: nothing unbounded reaches a service (or
  // its errors and logs), whoever sends it.
  RETURN_IF_ERROR(CheckInputBounds(request));
  std::shared_ptr<const AccessPolicy> p = policy();
  if (p == nullptr) return caller;  // an open gate
  caller.policy_version = p->version();
  if (caller.identity.empty()) {
    return absl::UnauthenticatedError(
        "this server needs a client certificate whose URI SAN is a SPIFFE "
        "identity (spiffe://<trust-domain>/<path>)");
  }
  auto method = methods_.find(request.GetDescriptor());
  if (method == methods_.end()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "no role may send ", request.GetDescriptor()->full_name()));
  }
  RETURN_IF_ERROR(
      CheckAccess(*p, caller.identity, *method->second, request, deployment_));
  return caller;
}

absl::StatusOr<std::unique_ptr<StreamLimits::Lease>> AccessGate::AdmitStream(
    const grpc::ServerContextBase& context,
    const google::protobuf::Message& request) const {
  ASSIGN_OR_RETURN(Caller caller, Admit(context, request));
  std::string peer = caller.identity;
  if (peer.empty()) {
    // "ipv4:127.0.0.1:5000" -> "ipv4:127.0.0.1": one client, many ports.
    peer = caller.peer.substr(0, caller.peer.rfind(':'));
  }
  return streams_.Acquire(std::move(peer));
}

}  // namespace nq57
