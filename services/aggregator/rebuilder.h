// Rebuilder: runs RollupEngine::Rebuild on one worker thread, one rebuild at
// a time.
//
// A rebuild reads every source from sequence 0 (minutes for a national
// aggregator), so it never runs on the caller's thread: Start() hands it to
// the worker and returns at once; `done` is called on the worker with the
// result. A Start() while a rebuild is running is refused with ABORTED ("a
// rebuild is already running; retry when it finishes") — rebuilds are
// comparisons of the whole state, so a second one at the same time would
// only double the load on the sources.
//
// The feed readers come from the factory given at construction (the server
// passes the gRPC one, GrpcFeedReader; tests pass in-memory feeds), so this
// file knows nothing of gRPC. The clock times each rebuild
// (RebuildResponse.seconds).
//
// Ownership: `engine` and `clock` are not owned and must outlive the
// Rebuilder. Thread-safe. The destructor waits for a running rebuild, then
// ends the worker.
#ifndef NQ57_SERVICES_AGGREGATOR_REBUILDER_H_
#define NQ57_SERVICES_AGGREGATOR_REBUILDER_H_

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/time/clock.h"
#include "nq57/aggregator/v1/aggregator.pb.h"
#include "services/aggregator/rollup_engine.h"

namespace nq57::aggregator {

inline constexpr char kRebuildRunning[] =
    "a rebuild is already running; retry when it finishes";

class Rebuilder {
 public:
  // Makes a reader that gives up at `deadline`.
  using ReaderFactory = std::function<FeedReader(absl::Time deadline)>;
  using Done = absl::AnyInvocable<void(absl::StatusOr<v1::RebuildResponse>)>;

  Rebuilder(RollupEngine* engine, ReaderFactory readers, const Clock* clock);
  ~Rebuilder();
  Rebuilder(const Rebuilder&) = delete;
  Rebuilder& operator=(const Rebuilder&) = delete;

  // Queues a rebuild on the worker; `done` gets its result there. ABORTED
  // (kRebuildRunning) if one is running; `done` is then not called. With
  // `replace`, the rebuilt state replaces the incremental one (see
  // RollupEngine::Rebuild). A rebuild still running at `deadline` (the
  // caller's RPC deadline) stops with DEADLINE_EXCEEDED.
  absl::Status Start(Done done, bool replace = false,
                     absl::Time deadline = absl::InfiniteFuture());

  // Whether a rebuild is queued or running.
  bool running() const;

 private:
  void Work();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  RollupEngine* const engine_;
  const ReaderFactory readers_;
  const Clock* const clock_;

  mutable absl::Mutex mu_;
  Done pending_ ABSL_GUARDED_BY(mu_);
  bool pending_replace_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time pending_deadline_ ABSL_GUARDED_BY(mu_);
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread worker_;  // last: started once everything above exists
};

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_REBUILDER_H_
