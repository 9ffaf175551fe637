// Finishing callback-API unary RPCs: writes from the store's commit path,
// reads inline.
//
// A write handler validates its request, builds a CommitRequest and returns
// the reactor from CommitAndFinish at once; the store's writer finishes the
// reactor when the commit is durable. No gRPC thread ever waits on fsync.
//
// (Services finish their calls through AccessGate, which admits the
// caller first and then calls these.)
//
//   grpc::ServerUnaryReactor* Put(grpc::CallbackServerContext* ctx,
//                                 const PutRequest* req,
//                                 PutResponse* resp) override {
//     return CommitAndFinish(ctx, *store_, core_.PreparePut(*req, "actor"),
//                            resp);
//   }
#ifndef NQ57_COMMON_SERVER_COMMIT_REACTOR_H_
#define NQ57_COMMON_SERVER_COMMIT_REACTOR_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/base/request_fingerprint.h"
#include "common/server/grpc_status.h"
#include "common/store/store.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

namespace nq57 {

// Queues `request` (or, if it is an error, finishes with it right away) and
// finishes the context's reactor with `response` parsed from the commit's
// response bytes. `response` is owned by gRPC and lives until Finish.
grpc::ServerUnaryReactor* CommitAndFinish(grpc::CallbackServerContext* context,
                                          Store& store,
                                          absl::StatusOr<CommitRequest> request,
                                          google::protobuf::Message* response);

// Finishes a read RPC inline (reads only touch RocksDB's cache and never
// wait): `result` into `response`, or its error converted once.
template <typename Response>
grpc::ServerUnaryReactor* FinishRead(grpc::CallbackServerContext* context,
                                     absl::StatusOr<Response> result,
                                     Response* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (result.ok()) *response = std::move(*result);
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_COMMIT_REACTOR_H_
