// StreamLimits: how many long-lived streams (Subscribe, WatchReports) a
// server holds open at once, in all and per peer.
//
// Each open stream holds a replay cursor, a batch and a waiter on the store;
// without a cap, a client opening streams in a loop grows the server's
// memory until it dies, and one peer can take every slot from the others.
// A stream first takes a Lease; when the server or the peer is at its cap,
// Acquire answers RESOURCE_EXHAUSTED (with a retry delay) and the stream is
// refused before it starts. The lease is returned when the stream ends.
//
// Thread-safe. The counts are shared by the limits and their leases, so
// releasing a lease never touches memory the StreamLimits owns: a stream's
// reactor is destroyed on a gRPC thread, ordered after the server's
// destruction only by gRPC's internals, which TSan cannot see.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<StreamLimits::Lease> lease,
//                    limits.Acquire("spiffe://nq57/aggregator"));
#ifndef NQ57_COMMON_SERVER_STREAM_LIMITS_H_
#define NQ57_COMMON_SERVER_STREAM_LIMITS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/server/metrics.h"

namespace nq57 {

class StreamLimits {
  struct Counts;

 public:
  // 0 = no limit.
  StreamLimits(size_t max_streams, size_t max_per_peer);

  class Lease {
   public:
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

   private:
    friend class StreamLimits;
    Lease(std::shared_ptr<Counts> counts, std::string peer)
        : counts_(std::move(counts)), peer_(std::move(peer)) {}
    const std::shared_ptr<Counts> counts_;
    const std::string peer_;
  };

  // A slot for one stream of `peer` (its verified identity, or its address
  // without the port).
  absl::StatusOr<std::unique_ptr<Lease>> Acquire(std::string peer);

  size_t open() const;
  uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  struct Counts {
    absl::Mutex mu;
    size_t open ABSL_GUARDED_BY(mu) = 0;
    absl::flat_hash_map<std::string, size_t> per_peer ABSL_GUARDED_BY(mu);
  };

  const size_t max_streams_;
  const size_t max_per_peer_;
  const std::shared_ptr<Counts> counts_;
  std::atomic<uint64_t> refused_{0};
};

// nq57_open_streams and nq57_streams_refused_total.
void ReportStreamMetrics(const StreamLimits& limits, MetricSink& sink);

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_STREAM_LIMITS_H_
