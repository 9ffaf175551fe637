// AccessGate: the one place a server decides whether a call may proceed,
// and the one-line adapters that finish a call through it.
//
// An open gate (plaintext, or TLS without client certificates) admits every
// call: such a server trusts its network (loopback by default, see
// server_host.h), and records the client's claim as the actor. A gate with a
// policy (mTLS) admits a call only when the client certificate carries a
// verified SPIFFE identity (else UNAUTHENTICATED) and the access policy lets
// that identity call the method for every unit the request names (else
// PERMISSION_DENIED naming the field and the unit; access_check.h). The
// method is found from the request's message type among the services the
// gate was made for, so adapters need not name it.
//
// The policy file is re-read when it changes (checked every `refresh`); a
// changed file that does not validate is logged and the policy in force
// stays. Every admitted write records the verified identity as its actor,
// the client's on-behalf-of claim beside it, and the policy version.
//
// Thread-safe. The gate must outlive the services that use it.
//
//   return gate_->CommitAndFinish(
//       context, *request, *store_,
//       [&](const std::string& actor) {
//         return core_->PrepareReportProgress(*request, actor);
//       },
//       response);
#ifndef NQ57_COMMON_SERVER_ACCESS_GATE_H_
#define NQ57_COMMON_SERVER_ACCESS_GATE_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/server/caller.h"
#include "common/server/commit_reactor.h"
#include "common/server/stream_limits.h"
#include "common/store/store.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/server_callback.h"

namespace nq57 {

class AccessPolicy;

class AccessGate {
 public:
  struct Options {
    // The access policy file (textproto); empty: an open gate.
    std::string policy_path;
    // Full names of the services whose methods the gate admits, e.g.
    // "nq57.criteria.v1.CriteriaService".
    std::vector<std::string> services;
    absl::Duration refresh = absl::Seconds(30);
    // The deployment's province; empty: the whole country. A request naming
    // no unit is about it (access_check.h).
    std::string province;
    // Open streams (stream_limits.h) in all and per peer; 0: no limit.
    size_t max_streams = 0;
    size_t max_streams_per_peer = 0;
  };

  // Admits every call (holding at most the given open streams; 0: any).
  static std::unique_ptr<AccessGate> Open(size_t max_streams = 0,
                                          size_t max_streams_per_peer = 0);
  // One open gate for the process (services built without a gate: benches,
  // in-process tests of a core's adapter).
  static const AccessGate& Unrestricted();
  // INVALID_ARGUMENT when the policy does not load or validate, or a
  // service is unknown.
  static absl::StatusOr<std::unique_ptr<AccessGate>> Create(
      const Options& options);
  ~AccessGate();

  // Who is calling, if they may make this call with `request`: its sizes
  // and characters within bounds (input_bounds.h, INVALID_ARGUMENT), then
  // the caller authenticated and authorised.
  absl::StatusOr<Caller> Admit(const grpc::ServerContextBase& context,
                               const google::protobuf::Message& request) const;

  // A stream: Admit, then a slot among the open streams (RESOURCE_EXHAUSTED
  // when the server or this peer is at its cap), held until the lease is
  // destroyed with the stream.
  absl::StatusOr<std::unique_ptr<StreamLimits::Lease>> AdmitStream(
      const grpc::ServerContextBase& context,
      const google::protobuf::Message& request) const;
  const StreamLimits& streams() const { return streams_; }

  // The version of the policy in force; empty for an open gate.
  std::string policy_version() const;

  // A read: `read()` runs only for an admitted call.
  template <typename Response, typename Read>
  grpc::ServerUnaryReactor* FinishRead(grpc::CallbackServerContext* context,
                                       const google::protobuf::Message& request,
                                       Read read, Response* response) const {
    absl::StatusOr<Caller> caller = Admit(*context, request);
    if (!caller.ok()) {
      return nq57::FinishRead<Response>(context, caller.status(), response);
    }
    return nq57::FinishRead<Response>(context, read(), response);
  }

  // A write: `prepare(actor)` builds the commit for an admitted call; the
  // gate adds the on-behalf-of claim and the policy version to its audit.
  template <typename Prepare>
  grpc::ServerUnaryReactor* CommitAndFinish(
      grpc::CallbackServerContext* context,
      const google::protobuf::Message& request, Store& store, Prepare prepare,
      google::protobuf::Message* response) const {
    absl::StatusOr<Caller> caller = Admit(*context, request);
    if (!caller.ok()) {
      return nq57::CommitAndFinish(context, store, caller.status(), response);
    }
    absl::StatusOr<CommitRequest> commit = prepare(caller->actor());
    if (commit.ok()) {
      commit->on_behalf_of = caller->on_behalf_of;
      commit->access_policy = caller->policy_version;
    }
    return nq57::CommitAndFinish(context, store, std::move(commit), response);
  }

 private:
  AccessGate(std::shared_ptr<const AccessPolicy> policy, std::string path,
             std::string deployment,
             absl::flat_hash_map<const google::protobuf::Descriptor*,
                                 const google::protobuf::MethodDescriptor*>
                 methods,
             absl::Duration refresh, size_t max_streams,
             size_t max_streams_per_peer);
  void Watch();
  std::shared_ptr<const AccessPolicy> policy() const;

  const std::string path_;
  // Request type -> the method that takes it.
  const absl::flat_hash_map<const google::protobuf::Descriptor*,
                            const google::protobuf::MethodDescriptor*>
      methods_;
  const absl::Duration refresh_;
  const std::string deployment_;  // "provinces/NN" or "*"
  mutable StreamLimits streams_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const AccessPolicy> policy_ ABSL_GUARDED_BY(mu_);
  absl::Notification stop_;
  std::thread watcher_;
};

// A server stream refused before it starts: finishes with `status`.
template <typename Message>
class RefusedStream final : public grpc::ServerWriteReactor<Message> {
 public:
  explicit RefusedStream(const absl::Status& status) {
    this->Finish(ToGrpcStatus(status));
  }
  void OnDone() override { delete this; }
};

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_ACCESS_GATE_H_
