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
// Status() tells whether the source is connected and caught up (for health
// and the report's freshness fields). Thread-safe; Stop() is idempotent and
// returns after the thread has ended.
#ifndef NQ57_SERVICES_AGGREGATOR_SOURCE_CONSUMER_H_
#define NQ57_SERVICES_AGGREGATOR_SOURCE_CONSUMER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "nq57/aggregator/v1/aggregator.pb.h"
#include "services/aggregator/rollup_engine.h"

namespace nq57::aggregator {

class SourceConsumer {
 public:
  // `engine` is not owned and must outlive the consumer. Starts at once.
  SourceConsumer(RollupEngine* engine, SourceSpec source);
  ~SourceConsumer();

  void Stop();
  v1::SourceFreshness Status() const;
  bool caught_up() const;

 private:
  void Run();
  void FollowOnce();

  RollupEngine* const engine_;
  const SourceSpec source_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t applied_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t head_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_applied_time_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// A FeedReader over gRPC (for Rebuild and tools).
FeedReader GrpcFeedReader();

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_SOURCE_CONSUMER_H_
