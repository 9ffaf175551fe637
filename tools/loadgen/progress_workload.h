// ProgressWorkload: the requests nq57-loadgen sends to a criteria server:
// ReportProgress on the assignments the server holds, the mix a province's
// communes send in a reporting period.
//
// Discover() lists every assignment (through ListCriteria and
// ListAssignments, up to a bound) so the load touches the whole dataset, not
// one hot key. Request(n) is then a pure function of n and the seed: a
// uniformly random assignment; 60% COMPLETED with a complete_time drawn
// between its assign_time and the start of the run, with an evidence
// document; otherwise IN_PROGRESS; a note; and a request id unique to the
// run and the call, so every call is a distinct, durable, idempotent write
// (the same work the server does for a real client, idempotency record
// included).
//
// Immutable after construction; Request() is thread-safe.
#ifndef NQ57_TOOLS_LOADGEN_PROGRESS_WORKLOAD_H_
#define NQ57_TOOLS_LOADGEN_PROGRESS_WORKLOAD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"

namespace nq57::loadgen {

inline constexpr char kReportProgressMethod[] =
    "/nq57.criteria.v1.CriteriaService/ReportProgress";

class ProgressWorkload {
 public:
  struct Target {
    std::string assignment;  // "{unit}/assignments/{code}"
    absl::Time assign_time;
  };

  // Lists up to `max_assignments` assignments of active criteria whose unit
  // starts with `unit_prefix` ("" = any). FAILED_PRECONDITION if there are
  // none; the RPC's error if listing fails.
  static absl::StatusOr<ProgressWorkload> Discover(
      const std::shared_ptr<grpc::Channel>& channel, std::string_view actor,
      std::string_view unit_prefix, size_t max_assignments, uint64_t seed);

  // `run_id` prefixes every request id; `now` bounds the complete times.
  ProgressWorkload(std::vector<Target> targets, uint64_t seed,
                   std::string run_id, absl::Time now);

  // The serialized nq57.criteria.v1.ReportProgressRequest of call `n`.
  std::string Request(uint64_t n) const;

  size_t size() const { return targets_.size(); }

 private:
  std::vector<Target> targets_;
  uint64_t seed_;
  std::string run_id_;
  absl::Time now_;
};

}  // namespace nq57::loadgen

#endif  // NQ57_TOOLS_LOADGEN_PROGRESS_WORKLOAD_H_
