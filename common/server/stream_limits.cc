#include "common/server/stream_limits.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/base/error_details.h"
#include "common/base/quote.h"

namespace nq57 {

StreamLimits::StreamLimits(size_t max_streams, size_t max_per_peer)
    : max_streams_(max_streams),
      max_per_peer_(max_per_peer),
      counts_(std::make_shared<Counts>()) {}

absl::StatusOr<std::unique_ptr<StreamLimits::Lease>> StreamLimits::Acquire(
    std::string peer) {
  absl::MutexLock lock(&counts_->mu);
  size_t& mine = counts_->per_peer[peer];
  absl::Status refused;
  if (max_streams_ > 0 && counts_->open >= max_streams_) {
    refused = absl::ResourceExhaustedError(
        absl::StrCat("this server holds its maximum of ", max_streams_,
                     " open streams (--max_streams); retry later"));
  } else if (max_per_peer_ > 0 && mine >= max_per_peer_) {
    refused = absl::ResourceExhaustedError(absl::StrCat(
        Quoted(peer), " holds its maximum of ", max_per_peer_,
        " open streams (--max_streams_per_peer); close one or retry later"));
  }
  if (!refused.ok()) {
    if (mine == 0) counts_->per_peer.erase(peer);
    refused_.fetch_add(1, std::memory_order_relaxed);
    return WithRetryDelay(std::move(refused), absl::Seconds(1));
  }
  ++mine;
  ++counts_->open;
  return std::unique_ptr<Lease>(new Lease(counts_, std::move(peer)));
}

StreamLimits::Lease::~Lease() {
  absl::MutexLock lock(&counts_->mu);
  --counts_->open;
  auto it = counts_->per_peer.find(peer_);
  if (it != counts_->per_peer.end() && --it->second == 0) {
    counts_->per_peer.erase(it);
  }
}

size_t StreamLimits::open() const {
  absl::MutexLock lock(&counts_->mu);
  return counts_->open;
}

void ReportStreamMetrics(const StreamLimits& limits, MetricSink& sink) {
  sink.Gauge("nq57_open_streams",
             "Long-lived streams (Subscribe, WatchReports) open now.", {},
             static_cast<double>(limits.open()));
  sink.Counter("nq57_streams_refused_total",
               "Streams refused because the server or the peer was at its "
               "cap (--max_streams, --max_streams_per_peer).",
               {}, static_cast<double>(limits.refused()));
}

}  // namespace nq57
