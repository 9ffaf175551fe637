// ReportWatchHub: the reports WatchReports streams send, built once per
// (province, period) per change of the aggregator's change log, on a thread
// of the hub's own, and shared by every stream watching that pair.
//
// One waiter on the change log (not one per stream) wakes the build thread
// after each commit group (as does a new subscription), and the thread
// rebuilds every watched topic, one after another. Builds coalesce: a topic is
// never built twice at once, and the commits that land during a build cost
// one more build after it, not one each. A build whose content (everything
// but as_of and freshness, AggregatorCore::ContentFingerprint) equals the
// last one's is not sent. A stream still writing when a newer report
// arrives sends only the newest once its write completes, so a slow client
// never holds the others back or makes the hub queue reports for it. So
// 1,000 streams on one province cost one build and one serialization per
// commit group, whatever the write rate, and neither the store's writer nor
// its acknowledging thread ever builds a report.
//
// A new stream gets the topic's current report at once (a first watcher of
// a topic waits for its first build) and the topic is rebuilt, so what it
// sees next is as of its subscription. When the log closes (the server
// drains) every stream ends with UNAVAILABLE; a build that fails ends the
// topic's streams with its error.
//
// Thread-safe. The hub must outlive every Watcher subscribed to it (the
// server's streams end before the hub is destroyed). Lock order: the hub's
// lock, then a watcher's own; a Watcher never calls into the hub while
// holding its own lock.
//
//   class Stream : public ReportWatchHub::Watcher { ... };
//   hub.Subscribe("provinces/25", "2025-10", &stream);  // OnSubscribed(t)
//   ...
//   hub.Unsubscribe(t, &stream);  // in the stream's OnDone
#ifndef NQ57_SERVICES_AGGREGATOR_REPORT_WATCH_HUB_H_
#define NQ57_SERVICES_AGGREGATOR_REPORT_WATCH_HUB_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/store/change_log.h"
#include "grpcpp/support/byte_buffer.h"
#include "nq57/aggregator/v1/aggregator.pb.h"
#include "services/aggregator/aggregator_core.h"

namespace nq57::aggregator {

class ReportWatchHub {
 public:
  class Topic;
  // What a stream implements. All are called with the hub's lock held: they
  // must not block or call into the hub (Topic::Latest is fine).
  class Watcher {
   public:
    virtual ~Watcher() = default;
    // First, from Subscribe: the topic the watcher is now part of.
    virtual void OnSubscribed(std::shared_ptr<Topic> topic) = 0;
    // The topic has a newer report (Topic::Latest()).
    virtual void OnReport() = 0;
    // No more reports will come: the server drains, or a build failed.
    virtual void OnClosed(const absl::Status& why) = 0;
  };

  // One (province, period) and its newest report.
  class Topic {
   public:
    // The newest report and its version (1, 2, ...; 0 before the first).
    std::pair<std::shared_ptr<const v1::Report>, uint64_t> Latest() const {
      absl::MutexLock lock(&mu_);
      return {latest_, version_};
    }
    // The same report serialized, once for every stream: a copy of the
    // buffer shares its bytes (gRPC's slices are reference-counted).
    std::pair<grpc::ByteBuffer, uint64_t> LatestBytes() const {
      absl::MutexLock lock(&mu_);
      return {latest_bytes_, version_};
    }

   private:
    friend class ReportWatchHub;
    Topic(std::string province, std::string period)
        : province_(std::move(province)), period_(std::move(period)) {}
    const std::string province_;
    const std::string period_;
    mutable absl::Mutex mu_;  // a leaf lock
    std::shared_ptr<const v1::Report> latest_ ABSL_GUARDED_BY(mu_);
    grpc::ByteBuffer latest_bytes_ ABSL_GUARDED_BY(mu_);
    uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;
    // The rest is guarded by the hub's lock.
    std::string fingerprint_;
    std::vector<Watcher*> watchers_;
  };

  // `log` and `core` are not owned and must outlive the hub.
  ReportWatchHub(ChangeLog* log, const AggregatorCore* core);
  ~ReportWatchHub();
  ReportWatchHub(const ReportWatchHub&) = delete;
  ReportWatchHub& operator=(const ReportWatchHub&) = delete;

  // Adds `watcher` to the topic of (province, period) (OnSubscribed);
  // `period` empty means the month of each build's as_of. The topic may
  // already have a report (Topic::Latest): the watcher sends it itself.
  void Subscribe(const std::string& province, const std::string& period,
                 Watcher* watcher);
  // After this returns the hub never calls `watcher` again.
  void Unsubscribe(const std::shared_ptr<Topic>& topic, Watcher* watcher);

  // Builds done since start (for tests and metrics).
  uint64_t builds() const;

 private:
  // What the change log's waiter shares with the hub; it may run after the
  // hub is gone, so it holds this, never the hub.
  struct Shared {
    absl::Mutex mu;
    uint64_t seen ABSL_GUARDED_BY(mu) = 0;
    bool stale ABSL_GUARDED_BY(mu) = false;  // the log advanced
    bool log_closed ABSL_GUARDED_BY(mu) = false;
    bool stopping ABSL_GUARDED_BY(mu) = false;
    ChangeLog::WaitId wait_id ABSL_GUARDED_BY(mu) = 0;
  };
  static void Arm(const std::shared_ptr<Shared>& shared, ChangeLog* log);
  static void OnLogAdvanced(const std::shared_ptr<Shared>& shared,
                            ChangeLog* log);
  void BuildLoop();
  void CloseTopics(const absl::Status& why)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared_->mu);

  ChangeLog* const log_;
  const AggregatorCore* const core_;
  const std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  // Guarded by shared_->mu.
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Topic>> topics_;
  bool topics_closed_ = false;
  uint64_t builds_ = 0;
  std::thread builder_;
};

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_REPORT_WATCH_HUB_H_
