#include "tests/probe/probe_service.h"

#include "absl/strings/str_cat.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/server/caller.h"
#include "common/server/commit_reactor.h"
#include "common/server/data_service_host.h"

namespace nq57 {

using testing::v1::Entry;

constexpr char kEntries[] = "entries";

namespace {

// Echo("hold"): finishes only when the call is cancelled.
class HeldReactor final : public grpc::ServerUnaryReactor {
 public:
  void OnCancel() override {
    Finish(grpc::Status(grpc::StatusCode::CANCELLED, "held until cancelled"));
  }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerUnaryReactor* ProbeService::Echo(
    grpc::CallbackServerContext* context,
    const testing::v1::EchoRequest* request,
    testing::v1::EchoResponse* response) {
  if (request->payload() == "hold") return new HeldReactor();
  response->set_payload(request->payload());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* ProbeService::Put(
    grpc::CallbackServerContext* context,
    const testing::v1::PutRequest* request,
    testing::v1::PutResponse* response) {
  absl::StatusOr<CommitRequest> commit;
  absl::StatusOr<Caller> caller = CallerOf(*context);
  if (!caller.ok()) {
    commit = caller.status();
  } else if (request->key().empty()) {
    commit = InvalidFieldError("key", "must not be empty");
  } else {
    commit = MakeCommit(
        *request, request->request_id(), caller->actor(),
        [key = request->key(),
         value = request->value()](Transaction& txn) -> absl::Status {
          ASSIGN_OR_RETURN(std::optional<std::string> previous,
                           txn.Get(kEntries, key));
          Entry now, before;
          now.set_key(key);
          now.set_value(value);
          before.set_key(key);
          if (previous.has_value()) before.set_value(*previous);
          RETURN_IF_ERROR(txn.Put(kEntries, key, value));
          testing::v1::PutResponse out;
          out.set_sequence(txn.RecordChange(
              absl::StrCat("entries/", key),
              previous.has_value() ? changes::v1::ChangeKind::UPDATED
                                   : changes::v1::ChangeKind::CREATED,
              &now, previous.has_value() ? &before : nullptr));
          if (previous.has_value()) out.set_previous_value(*previous);
          txn.SetResponse(out.SerializeAsString());
          return absl::OkStatus();
        });
  }
  return CommitAndFinish(context, *store_, std::move(commit), response);
}

absl::StatusOr<std::unique_ptr<ProbeServer>> ProbeServer::Create(
    const ProbeOptions& options) {
  ASSIGN_OR_RETURN(
      std::unique_ptr<Store> store,
      Store::Open(options.server.data_dir, {.column_families = {kEntries}}));
  auto server = std::unique_ptr<ProbeServer>(new ProbeServer(std::move(store)));
  ASSIGN_OR_RETURN(
      server->host_,
      StartDataServiceHost(options.server, &server->probe_,
                           testing::v1::Probe::service_full_name(),
                           &server->feed_, *server->store_, "probe"));
  return server;
}

ProbeServer::ProbeServer(std::unique_ptr<Store> store)
    : store_(std::move(store)),
      probe_(store_.get()),
      feed_(&store_->change_log()) {}

}  // namespace nq57
