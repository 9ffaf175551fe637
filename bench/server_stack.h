// ServerStack: the four servers `make run` starts (criteria, publicservice,
// eidentity and the aggregator following the three), as child processes of a
// benchmark, each on a free loopback port with its store under one
// directory, plaintext as make run serves by default, each with its health
// port as deployed (--health_listen). What system_bench
// measures from outside, as a user's platform would see it.
//
// The stack owns its processes: the destructor stops them (SIGTERM, then
// SIGKILL for one that does not end). Not thread-safe.
//
//   ASSIGN_OR_RETURN(auto stack, ServerStack::Start(dir));
//   RETURN_IF_ERROR(stack->Load(SourcePath("deploy/datasets/phu-tho-2025-10")));
//   RETURN_IF_ERROR(stack->AwaitCaughtUp(absl::Minutes(2)));
#ifndef NQ57_BENCH_SERVER_STACK_H_
#define NQ57_BENCH_SERVER_STACK_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/support/server_process.h"

namespace nq57 {

class ServerStack {
 public:
  // Starts the servers with their data and logs under `dir`.
  static absl::StatusOr<std::unique_ptr<ServerStack>> Start(
      const std::string& dir);
  ~ServerStack();
  ServerStack(const ServerStack&) = delete;
  ServerStack& operator=(const ServerStack&) = delete;

  ServerProcess& criteria() { return *servers_[0]; }
  ServerProcess& aggregator() { return *servers_[3]; }

  // nq57ctl load of a dataset directory.
  absl::Status Load(const std::string& dataset);
  // Until the aggregator has applied everything its sources hold
  // (nq57ctl report --wait).
  absl::Status AwaitCaughtUp(absl::Duration timeout);
  // The address of `server`'s plaintext health port (--health_listen: what
  // Kubernetes' probes ask), or empty.
  static std::string HealthAddress(const ServerProcess& server);

  // SIGSTOP / SIGCONT of the aggregator: its consumption stops (its streams
  // stay open, as a paused consumer's would) and resumes.
  void PauseAggregator();
  void ResumeAggregator();

  // The flags nq57ctl needs to reach every server.
  std::vector<std::string> CtlFlags() const;

 private:
  explicit ServerStack(std::string dir) : dir_(std::move(dir)) {}
  absl::StatusOr<std::string> Ctl(std::vector<std::string> args) const;

  const std::string dir_;
  // criteria, publicservice, eidentity, aggregator (stopped in reverse).
  std::vector<std::unique_ptr<ServerProcess>> servers_;
  bool paused_ = false;
};

}  // namespace nq57

#endif  // NQ57_BENCH_SERVER_STACK_H_
