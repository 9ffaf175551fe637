// ChangeFeedService: nq57.changes.v1.ChangeFeed over a Store's ChangeLog.
//
// Every data service registers one. Subscribe replays the log from the
// requested sequence in batches, sends a batch (possibly empty) carrying the
// head sequence once it has caught up, and then follows new commits: the
// stream is woken by the store's writer after each durable commit, never by
// polling. A slow client holds at most one batch in memory, and the feed's
// streams share one read-ahead budget: the more streams replay at once, the
// smaller each one's batches, so memory does not grow with their number. The
// stream ends with UNAVAILABLE when the log closes (server draining); the
// client resumes from the sequence after the last one it applied. Every batch
// names the log's identity and the source's scope (changes.proto).
#ifndef NQ57_COMMON_SERVER_CHANGE_FEED_SERVICE_H_
#define NQ57_COMMON_SERVER_CHANGE_FEED_SERVICE_H_

#include <atomic>
#include <memory>
#include <string>
#include <utility>

#include "common/server/access_gate.h"
#include "common/store/change_log.h"
#include "nq57/changes/v1/changes.grpc.pb.h"

namespace nq57 {

class ChangeFeedService final
    : public changes::v1::ChangeFeed::CallbackService {
 public:
  // `log` is not owned and must outlive the service's server. `scope` is the
  // province the source is bound to ("provinces/25"), or empty for the whole
  // country.
  // `gate` admits each Subscribe (access_gate.h) and must outlive it too.
  explicit ChangeFeedService(
      ChangeLog* log, std::string scope = "",
      const AccessGate* gate = &AccessGate::Unrestricted())
      : log_(log), scope_(std::move(scope)), gate_(gate) {}

  grpc::ServerWriteReactor<changes::v1::ChangeBatch>* Subscribe(
      grpc::CallbackServerContext* context,
      const changes::v1::SubscribeRequest* request) override;

 private:
  ChangeLog* const log_;
  const std::string scope_;
  const AccessGate* const gate_;
  const std::shared_ptr<std::atomic<size_t>> streams_ =
      std::make_shared<std::atomic<size_t>>(0);
};

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_CHANGE_FEED_SERVICE_H_
