// LoadGenerator: drives one unary gRPC method of a running server from this
// process and measures what comes back, as ghz does: a fixed number of calls
// in flight (closed loop), optionally paced to a total rate, for a set
// duration after a warm-up; throughput counts only calls answered OK, and
// every other answer is counted by its status code.
//
// The method is called by name through a generic stub, so the generator
// knows nothing of the service: a RequestSource makes the serialized
// request of call number n (0, 1, 2, ...). It is called from several
// threads at once and must be thread-safe (progress_workload.h makes each
// request a pure function of n).
//
// Calls run on `threads` completion-queue threads, each with its own
// channel (its own HTTP/2 connection), and the calls in flight are spread
// evenly over them. In paced mode a call's latency counts from when it was
// due, not when it was sent, so a server that falls behind shows it (no
// coordinated omission).
//
//   LoadOptions options{.target = "127.0.0.1:50571", .concurrency = 16};
//   absl::StatusOr<LoadResult> result = RunLoad(
//       options, "/nq57.criteria.v1.CriteriaService/ReportProgress",
//       [&](uint64_t n) { return workload.Request(n); });
//
// Thread-compatible: RunLoad blocks until the run is over.
#ifndef NQ57_TOOLS_LOADGEN_LOAD_GENERATOR_H_
#define NQ57_TOOLS_LOADGEN_LOAD_GENERATOR_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/status.h"

namespace nq57::loadgen {

struct LoadOptions {
  std::string target;  // host:port
  // TLS (the server's CA, a client certificate); null: plaintext.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Calls in flight at once (the number of concurrent clients), 1..10000.
  int concurrency = 16;
  // Total calls per second across all of them; 0: each client calls again
  // as soon as it has its answer.
  double rate = 0;
  // Measured after `warmup`, during which calls are made but not counted.
  absl::Duration duration = absl::Seconds(10);
  absl::Duration warmup = absl::Seconds(1);
  // Completion-queue threads (and connections); 0: min(concurrency, 2).
  int threads = 0;
  // Each call's deadline.
  absl::Duration deadline = absl::Seconds(10);
  // Sent with every call as x-nq57-actor (the audit trail's claim).
  std::string actor = "nq57-loadgen";
};

struct LoadResult {
  int concurrency = 0;
  double rate = 0;     // as asked (0: unpaced)
  double seconds = 0;  // the measured window
  uint64_t ok = 0;     // calls answered OK in the window
  // Calls answered otherwise in the window, by status code.
  std::map<grpc::StatusCode, uint64_t> errors;
  // Latency of the OK calls, milliseconds.
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;

  double ok_per_second() const { return seconds > 0 ? ok / seconds : 0; }
  uint64_t error_count() const;
  // One JSON object on one line (for scripts and make bench).
  std::string ToJson() const;
  // A few lines for a person.
  std::string ToText() const;
};

// The serialized request of call number n; thread-safe.
using RequestSource = std::function<std::string(uint64_t n)>;

// Runs the load against `method` ("/package.Service/Method").
// INVALID_ARGUMENT for options out of range; otherwise the result, even if
// every call failed.
absl::StatusOr<LoadResult> RunLoad(const LoadOptions& options,
                                   const std::string& method,
                                   const RequestSource& next_request);

}  // namespace nq57::loadgen

#endif  // NQ57_TOOLS_LOADGEN_LOAD_GENERATOR_H_
