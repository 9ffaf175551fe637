// ServerProcess: a real nq57 server binary run as a child process, for
// end-to-end and process-level tests.
//
// Start() forks and execs the binary with the given flags, waits for its
// "<program> listening on HOST:PORT" line on stdout, and returns with the
// address parsed (Spawn() does not wait; AwaitAddress() does). The child's
// stderr (its JSON log) goes to a file the test can read. The destructor
// SIGKILLs a child that is still running. Not thread-safe; one owner.
#ifndef NQ57_TESTS_SUPPORT_SERVER_PROCESS_H_
#define NQ57_TESTS_SUPPORT_SERVER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace nq57 {

class ServerProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const std::string& binary, const std::vector<std::string>& args,
      const std::string& stderr_path,
      absl::Duration timeout = absl::Seconds(30));
  // Forks and execs without waiting for the "listening on" line: for tests
  // that kill a server while it starts. AwaitAddress() then waits for it.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Spawn(
      const std::string& binary, const std::vector<std::string>& args,
      const std::string& stderr_path);
  absl::Status AwaitAddress(absl::Duration timeout = absl::Seconds(30));
  ~ServerProcess();

  const std::string& address() const { return address_; }
  // The stdout lines printed before the "listening on" line.
  const std::vector<std::string>& startup_lines() const {
    return startup_lines_;
  }
  pid_t pid() const { return pid_; }

  void Signal(int signal);
  // Waits for the child to exit; returns its exit code, or 128+signal if a
  // signal ended it, or DEADLINE_EXCEEDED.
  absl::StatusOr<int> Wait(absl::Duration timeout = absl::Seconds(30));

 private:
  ServerProcess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}
  pid_t pid_;
  int stdout_fd_;
  std::string address_;
  std::vector<std::string> startup_lines_;
  bool exited_ = false;
};

// Runs `binary args...` to completion; returns exit code and combined
// output (for flag-error tests).
struct RunResult {
  int exit_code = -1;
  std::string output;
};
RunResult RunToCompletion(const std::string& binary,
                          const std::vector<std::string>& args);

}  // namespace nq57

#endif  // NQ57_TESTS_SUPPORT_SERVER_PROCESS_H_
