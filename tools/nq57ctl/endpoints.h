// Endpoints: the addresses of the four nq57 services nq57ctl talks to, the
// channels to them, and Call, the one way nq57ctl makes a unary RPC.
//
// Defaults are the local ports `make run` uses. Channels are created lazily
// and shared; an Endpoints is not thread-safe while channels are being
// created, so call the accessors once before fanning out to threads.
#ifndef NQ57_TOOLS_NQ57CTL_ENDPOINTS_H_
#define NQ57_TOOLS_NQ57CTL_ENDPOINTS_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/base/status_macros.h"
#include "common/server/grpc_status.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"

namespace nq57::ctl {

struct Endpoints {
  std::string criteria = "127.0.0.1:50571";
  std::string publicservice = "127.0.0.1:50572";
  std::string eidentity = "127.0.0.1:50573";
  std::string aggregator = "127.0.0.1:50574";
  // Who is recorded in the audit trail of writes (x-nq57-actor).
  std::string actor = "nq57ctl";
  // Per-RPC deadline of unary calls.
  absl::Duration deadline = absl::Seconds(60);
  // TLS (the CA of the servers, nq57ctl's client certificate); null:
  // plaintext.
  std::shared_ptr<grpc::ChannelCredentials> credentials;

  std::shared_ptr<grpc::Channel> Channel(const std::string& address) const;
  // A context with the deadline and the actor metadata set.
  std::unique_ptr<grpc::ClientContext> Context() const;
};

// A unary RPC of a generated stub, e.g.
// &CriteriaService::Stub::CreateCriterion.
template <typename Stub, typename Request, typename Response>
using Rpc = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&,
                                   Response*);

// Sends `request` with `rpc` in a Context() of `endpoints`; the status keeps
// the field violations of an INVALID_ARGUMENT (FromGrpcStatus).
//
//   absl::StatusOr<Rankings> rankings =
//       Call(*stub, &AggregatorService::Stub::GetRankings, endpoints, req);
template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> Call(Stub& stub, Rpc<Stub, Request, Response> rpc,
                              const Endpoints& endpoints,
                              const Request& request) {
  Response response;
  RETURN_IF_ERROR(FromGrpcStatus(
      (stub.*rpc)(endpoints.Context().get(), request, &response)));
  return response;
}

// One line for a failed RPC: "<CODE>: <field>: <problem>" when the status
// names a field (google.rpc.BadRequest), else "<CODE>: <message>".
std::string DescribeError(const absl::Status& status);

}  // namespace nq57::ctl

#endif  // NQ57_TOOLS_NQ57CTL_ENDPOINTS_H_
