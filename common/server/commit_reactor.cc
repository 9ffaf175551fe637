#include "common/server/commit_reactor.h"

#include <utility>

#include "common/server/grpc_status.h"

namespace nq57 {

grpc::ServerUnaryReactor* CommitAndFinish(grpc::CallbackServerContext* context,
                                          Store& store,
                                          absl::StatusOr<CommitRequest> request,
                                          google::protobuf::Message* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!request.ok()) {
    reactor->Finish(ToGrpcStatus(request.status()));
    return reactor;
  }
  store.Commit(std::move(*request),
               [reactor, response](absl::StatusOr<CommitResult> result) {
                 if (!result.ok()) {
                   reactor->Finish(ToGrpcStatus(result.status()));
                 } else if (!response->ParseFromString(result->response)) {
                   reactor->Finish(grpc::Status(grpc::StatusCode::INTERNAL,
                                                "stored response is corrupt"));
                 } else {
                   reactor->Finish(grpc::Status::OK);
                 }
               });
  return reactor;
}

}  // namespace nq57
