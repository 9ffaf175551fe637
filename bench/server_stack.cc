#include "bench/server_stack.h"

#include <signal.h>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "tests/support/test_paths.h"

namespace nq57 {

using testing::BinaryPath;
using testing::ShippedConfigDir;

absl::StatusOr<std::unique_ptr<ServerStack>> ServerStack::Start(
    const std::string& dir) {
  auto stack = std::unique_ptr<ServerStack>(new ServerStack(dir));
  const char* names[] = {"criteria", "publicservice", "eidentity",
                         "aggregator"};
  std::string sources;
  for (int i = 0; i < 4; ++i) {
    const std::string name = names[i];
    std::vector<std::string> args = {
        "--listen=127.0.0.1:0", absl::StrCat("--data_dir=", dir, "/", name),
        absl::StrCat("--config_dir=", ShippedConfigDir()), "--drain_seconds=2",
        // system_bench opens a thousand streams from one address.
        "--max_streams=2000", "--max_streams_per_peer=2000",
        // The plaintext health port Kubernetes' probes ask (deploy/k8s).
        "--health_listen=127.0.0.1:0"};
    if (name == "aggregator") args.push_back("--source=" + sources);
    ASSIGN_OR_RETURN(
        std::unique_ptr<ServerProcess> server,
        ServerProcess::Start(BinaryPath(name + "-server"), args,
                             absl::StrCat(dir, "/", name, ".log")));
    if (i < 3) {
      absl::StrAppend(&sources, sources.empty() ? "" : ",", name, "=", name,
                      "@", server->address());
    }
    stack->servers_.push_back(std::move(server));
  }
  return stack;
}

ServerStack::~ServerStack() {
  if (paused_) ResumeAggregator();
  for (auto it = servers_.rbegin(); it != servers_.rend(); ++it) {
    (*it)->Signal(SIGTERM);
    if (!(*it)->Wait(absl::Seconds(20)).ok()) (*it)->Signal(SIGKILL);
  }
}

std::vector<std::string> ServerStack::CtlFlags() const {
  return {"--criteria=" + servers_[0]->address(),
          "--publicservice=" + servers_[1]->address(),
          "--eidentity=" + servers_[2]->address(),
          "--aggregator=" + servers_[3]->address()};
}

absl::StatusOr<std::string> ServerStack::Ctl(
    std::vector<std::string> args) const {
  std::vector<std::string> all = CtlFlags();
  all.insert(all.end(), args.begin(), args.end());
  RunResult result = RunToCompletion(BinaryPath("nq57ctl"), all);
  if (result.exit_code != 0) {
    return absl::InternalError(absl::StrCat("nq57ctl ", args[0], " exited ",
                                            result.exit_code, ": ",
                                            result.output));
  }
  return result.output;
}

absl::Status ServerStack::Load(const std::string& dataset) {
  return Ctl({"load", dataset}).status();
}

absl::Status ServerStack::AwaitCaughtUp(absl::Duration timeout) {
  return Ctl({"report", "--format=json", "--province=provinces/25",
              absl::StrCat("--wait=", absl::ToInt64Seconds(timeout))})
      .status();
}

std::string ServerStack::HealthAddress(const ServerProcess& server) {
  // "<program> health on HOST:PORT", printed before "listening on".
  for (const std::string& line : server.startup_lines()) {
    const size_t at = line.find(" health on ");
    if (at != std::string::npos) return line.substr(at + 11);
  }
  return "";
}

void ServerStack::PauseAggregator() {
  aggregator().Signal(SIGSTOP);
  paused_ = true;
}

void ServerStack::ResumeAggregator() {
  aggregator().Signal(SIGCONT);
  paused_ = false;
}

}  // namespace nq57
