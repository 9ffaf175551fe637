// SourceConsumer: follows one source's change feed into the RollupEngine.
//
// A consumer owns one thread. It subscribes from the sequence after the one
// the engine durably applied, applies each batch (one durable commit per
// batch), and on any failure (source down or restarting, stream broken, a
// gap) backs off exponentially with full jitter (100 ms doubling to 5 s) and
// resubscribes from what was durably applied — so a re-delivered record is
// skipped, never counted twice. It never blocks readers of the feed: they
// read the store, not the consumer.
//
// Every batch is checked against what was applied (RollupEngine::
// CheckBasis) before anything of it is applied. A source whose log is not a
// continuation (another log identity: a wiped, replaced or restored store;
// or a head below what was applied) is LOST_BASIS: nothing more of it is
// applied, health says NOT_SERVING for it, a warning is logged and counted.
// With `reset_automatically` (the default) the consumer then rebuilds the
// aggregator's state from every source's current log in one commit
// (RollupEngine::Rebuild with replace) and follows the new log; otherwise it
// stays LOST_BASIS until an operator runs Rebuild{replace: true}. A source
// whose scope overlaps another source of its kind is OVERLAPPING_SCOPE and
// never counted.
//
// Status() tells where the source stands (for health, metrics and the
// report's freshness fields). Thread-safe; Stop() is idempotent and returns
// after the thread has ended.
#ifndef NQ57_SERVICES_AGGREGATOR_SOURCE_CONSUMER_H_
#define NQ57_SERVICES_AGGREGATOR_SOURCE_CONSUMER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "nq57/aggregator/v1/aggregator.pb.h"
#include "services/aggregator/rollup_engine.h"

namespace nq57::aggregator {

class SourceConsumer {
 public:
  struct Options {
    bool reset_automatically = true;
    // How to reach the sources (TLS, the aggregator's client certificate);
    // null: plaintext.
    std::shared_ptr<grpc::ChannelCredentials> credentials;
  };
  // `engine` is not owned and must outlive the consumer. Starts at once.
  SourceConsumer(RollupEngine* engine, SourceSpec source, Options options);
  ~SourceConsumer();

  void Stop();
  v1::SourceFreshness Status() const;
  // Connected, caught up, and on the same history.
  bool caught_up() const;
  // Whether what the aggregator shows for this source is known to be wrong
  // (LOST_BASIS, REBUILDING), not merely stale. A refused overlapping source
  // is not counted at all, so it makes no figure wrong.
  bool known_wrong() const;
  // Times the source lost its basis since start.
  uint64_t lost_basis_count() const;

 private:
  void Run();
  // Follows until the stream ends; false when the consumer should resume at
  // once (after a reset) rather than back off.
  bool FollowOnce();
  void ResetFromSources(const absl::Status& why);

  RollupEngine* const engine_;
  const SourceSpec source_;
  const Options options_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  v1::SourceState state_ ABSL_GUARDED_BY(mu_) = v1::NEVER_CONNECTED;
  std::string log_id_ ABSL_GUARDED_BY(mu_);
  std::string scope_ ABSL_GUARDED_BY(mu_);
  absl::Time last_reachable_time_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  uint64_t lost_basis_count_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t applied_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t head_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_applied_time_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// A FeedReader over gRPC (for Rebuild and tools) whose streams end with
// DEADLINE_EXCEEDED at `deadline`; null `credentials`: plaintext.
FeedReader GrpcFeedReader(
    absl::Time deadline = absl::InfiniteFuture(),
    std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_SOURCE_CONSUMER_H_
