// CrashWorkload: what the crash harness (crash_harness.h) writes to one
// server binary, and how it reads back what that server holds.
//
// A write is named by (writer, k): writer `writer`'s k-th write, k from 0
// up without gaps, sent with the request id "crash-w{writer}-{k}". The same
// (writer, k) always builds the same request, so a retry after a crash is a
// true retry, and a writer's writes reach the server in k order (the harness
// retries a writer's failed write before that writer sends the next one).
//
// Every server the harness drives records each applied write in its change
// feed (nq57.changes.v1.ChangeFeed) under the write's request id; that feed
// is how "present exactly once" is checked (AppliedRequestIds).
//
// Implementations are used by one harness thread for Prepare, Setup and
// Verify, and by many writer threads for Write at once; Write must be
// thread-safe.
#ifndef NQ57_TESTS_CRASH_CRASH_WORKLOAD_H_
#define NQ57_TESTS_CRASH_CRASH_WORKLOAD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"

namespace nq57::crash {

class CrashWorkload {
 public:
  virtual ~CrashWorkload() = default;

  // The server binary under test, e.g. "criteria-server".
  virtual std::string binary() const = 0;

  // Runs once before the first cycle; starts whatever the server needs
  // besides itself (the aggregator's source) under `dir` and returns the
  // server's extra flags.
  virtual absl::StatusOr<std::vector<std::string>> Prepare(
      const std::string& dir) {
    (void)dir;
    return std::vector<std::string>{};
  }

  // Creates what writes refer to. Idempotent (fixed request ids): the
  // harness calls it after every restart until it succeeds once.
  virtual grpc::Status Setup(const std::shared_ptr<grpc::Channel>& channel) {
    (void)channel;
    return grpc::Status::OK;
  }

  // Sends write (writer, k) with RequestId(writer, k). On OK `*response`
  // holds the response, deterministically serialized (RequestFingerprint),
  // so a replay can be compared byte for byte.
  virtual grpc::Status Write(const std::shared_ptr<grpc::Channel>& channel,
                             int writer, int64_t k, std::string* response) = 0;

  // After the last cycle: checks what the server derives from its inputs
  // (the aggregator's figures against its source's own count).
  virtual absl::Status Verify(const std::shared_ptr<grpc::Channel>& channel) {
    (void)channel;
    return absl::OkStatus();
  }

  static std::string RequestId(int writer, int64_t k);
};

// How many commits of the server's feed carry each request id (a commit's
// records are consecutive and share their commit time): the whole feed,
// from sequence 1 to the head the server reports.
absl::StatusOr<absl::flat_hash_map<std::string, int>> AppliedRequestIds(
    const std::shared_ptr<grpc::Channel>& channel);

// The workloads of the four servers: criteria (ReportProgress on the
// assignments of a seeded criterion), eidentity (same-day ReportSnapshot
// replacements, rising), publicservice (ReportDossierStats, one procedure
// per write) and the aggregator (Publish, while a criteria-server it
// consumes is written to).
std::unique_ptr<CrashWorkload> CriteriaWorkload();
std::unique_ptr<CrashWorkload> EidentityWorkload();
std::unique_ptr<CrashWorkload> PublicServiceWorkload();
std::unique_ptr<CrashWorkload> AggregatorWorkload();

}  // namespace nq57::crash

#endif  // NQ57_TESTS_CRASH_CRASH_WORKLOAD_H_
