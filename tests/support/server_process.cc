#include "tests/support/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace nq57 {
namespace {

std::vector<char*> Argv(const std::string& binary,
                        const std::vector<std::string>& args,
                        std::vector<std::string>& storage) {
  storage.clear();
  storage.push_back(binary);
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const std::string& binary, const std::vector<std::string>& args,
    const std::string& stderr_path, absl::Duration timeout) {
  absl::StatusOr<std::unique_ptr<ServerProcess>> process =
      Spawn(binary, args, stderr_path);
  if (!process.ok()) return process.status();
  absl::Status listening = (*process)->AwaitAddress(timeout);
  if (!listening.ok()) {
    return absl::Status(
        listening.code(),
        absl::StrCat(binary, " ", listening.message(), "; see ", stderr_path));
  }
  return process;
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Spawn(
    const std::string& binary, const std::vector<std::string>& args,
    const std::string& stderr_path) {
  int out[2];
  if (pipe(out) != 0) return absl::InternalError("pipe failed");
  std::vector<std::string> storage;
  std::vector<char*> argv = Argv(binary, args, storage);
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (err >= 0) dup2(err, STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  return std::unique_ptr<ServerProcess>(new ServerProcess(pid, out[0]));
}

absl::Status ServerProcess::AwaitAddress(absl::Duration timeout) {
  if (!address_.empty()) return absl::OkStatus();
  const absl::Time deadline = absl::Now() + timeout;
  std::string seen;
  while (true) {
    size_t nl = seen.find('\n');
    if (nl != std::string::npos) {
      std::string line = seen.substr(0, nl);
      seen.erase(0, nl + 1);
      size_t at = line.find(" listening on ");
      if (at != std::string::npos) {
        address_ = line.substr(at + 14);
        return absl::OkStatus();
      }
      startup_lines_.push_back(std::move(line));
      continue;
    }
    const int wait_ms =
        static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (wait_ms <= 0) {
      return absl::DeadlineExceededError("did not report its address");
    }
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, wait_ms) <= 0) continue;
    char buf[512];
    ssize_t n = read(stdout_fd_, buf, sizeof(buf));
    if (n <= 0) {
      auto code = Wait(absl::Seconds(5));
      return absl::FailedPreconditionError(absl::StrCat(
          "exited before listening (exit ", code.ok() ? *code : -1, ")"));
    }
    seen.append(buf, static_cast<size_t>(n));
  }
}

ServerProcess::~ServerProcess() {
  if (!exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close(stdout_fd_);
}

void ServerProcess::Signal(int signal) {
  if (!exited_) kill(pid_, signal);
}

absl::StatusOr<int> ServerProcess::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError("process did not exit in time");
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
}

RunResult RunToCompletion(const std::string& binary,
                          const std::vector<std::string>& args) {
  RunResult result;
  int out[2];
  if (pipe(out) != 0) return result;
  std::vector<std::string> storage;
  std::vector<char*> argv = Argv(binary, args, storage);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(out[1], STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof(buf))) > 0) {
    result.output.append(buf, static_cast<size_t>(n));
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace nq57
