// Long-lived streams as many clients would hold them, for system_bench:
// FeedReplayers (Subscribe from sequence 1, read as fast as the server
// sends) and ReportWatchers (WatchReports, every report's arrival time and
// the criteria sequence it reflects recorded). Both use gRPC's callback
// client API, so a thousand streams need no thousand threads.
//
// Each owns its streams; Stop() cancels them and returns once every one has
// ended (the destructor stops too). Counters are thread-safe to read while
// the streams run.
//
//   FeedReplayers replay(channel, 500);
//   absl::SleepFor(absl::Seconds(10));
//   replay.Stop();
#ifndef NQ57_BENCH_STREAM_CLIENTS_H_
#define NQ57_BENCH_STREAM_CLIENTS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "nq57/aggregator/v1/aggregator.grpc.pb.h"
#include "nq57/changes/v1/changes.grpc.pb.h"

namespace nq57 {

class FeedReplayers {
 public:
  FeedReplayers(const std::shared_ptr<grpc::Channel>& channel, int streams);
  ~FeedReplayers();
  void Stop();
  // Records received by all the streams so far.
  uint64_t records() const { return records_.load(); }
  // Streams that ended before Stop (refused or failed), and the first
  // reason.
  int failed() const;
  std::string first_error() const;

 private:
  class Stream;
  const std::unique_ptr<changes::v1::ChangeFeed::Stub> stub_;
  std::vector<std::unique_ptr<Stream>> streams_;
  std::atomic<uint64_t> records_{0};
  bool stopped_ = false;
};

class ReportWatchers {
 public:
  // One report's arrival at one watcher.
  struct Arrival {
    absl::Time at;
    uint64_t criteria_sequence;  // input_sequences["criteria"]
  };
  ReportWatchers(const std::shared_ptr<grpc::Channel>& channel, int streams,
                 const std::string& province);
  ~ReportWatchers();
  // Until every watcher has its first report (false at the deadline).
  bool AwaitFirstReports(absl::Duration timeout);
  void Stop();
  // For each watcher, when it first saw a report reflecting criteria
  // sequence `sequence` or later (InfiniteFuture if it never did).
  std::vector<absl::Time> FirstSeen(uint64_t sequence) const;
  uint64_t reports() const { return reports_.load(); }
  int failed() const;

 private:
  class Stream;
  const std::unique_ptr<aggregator::v1::AggregatorService::Stub> stub_;
  std::vector<std::unique_ptr<Stream>> streams_;
  std::atomic<uint64_t> reports_{0};
  bool stopped_ = false;
};

}  // namespace nq57

#endif  // NQ57_BENCH_STREAM_CLIENTS_H_
