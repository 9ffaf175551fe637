#include "tests/crash/crash_workload.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "nq57/changes/v1/changes.grpc.pb.h"

namespace nq57::crash {

std::string CrashWorkload::RequestId(int writer, int64_t k) {
  return absl::StrCat("crash-w", writer, "-", k);
}

absl::StatusOr<absl::flat_hash_map<std::string, int>> AppliedRequestIds(
    const std::shared_ptr<grpc::Channel>& channel) {
  auto feed = changes::v1::ChangeFeed::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(120));
  changes::v1::SubscribeRequest request;
  request.set_from_sequence(1);
  request.set_max_batch_records(4096);
  auto reader = feed->Subscribe(&context, request);
  absl::flat_hash_map<std::string, int> applied;
  uint64_t last = 0;
  // A write's records share its request id and commit time; a write
  // applied twice would show a second commit time.
  std::string previous_id;
  int64_t previous_time = -1;
  uint64_t head = 0;
  bool have_head = false;
  changes::v1::ChangeBatch batch;
  // The head of the first batch is the end: the harness reads after every
  // writer has stopped.
  while ((!have_head || last < head) && reader->Read(&batch)) {
    if (!have_head) {
      head = batch.head_sequence();
      have_head = true;
    }
    for (const changes::v1::ChangeRecord& r : batch.records()) {
      if (r.sequence() != last + 1) {
        context.TryCancel();
        return absl::DataLossError(absl::StrCat(
            "change feed jumps from sequence ", last, " to ", r.sequence()));
      }
      last = r.sequence();
      const int64_t time =
          r.commit_time().seconds() * 1000000000 + r.commit_time().nanos();
      if (r.request_id() != previous_id || time != previous_time) {
        ++applied[r.request_id()];
      }
      previous_id = r.request_id();
      previous_time = time;
    }
  }
  context.TryCancel();
  if (!have_head || last < head) {
    grpc::Status s = reader->Finish();
    return absl::UnavailableError(absl::StrCat("change feed ended at sequence ",
                                               last, " of ", head, ": ",
                                               s.error_message()));
  }
  reader->Finish();
  return applied;
}

}  // namespace nq57::crash
