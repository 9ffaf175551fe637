#include "tests/crash/crash_harness.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "tests/support/grpc_probes.h"
#include "tests/support/server_process.h"
#include "tests/support/test_paths.h"

namespace nq57::crash {
namespace {

// The last `bytes` of the file at `path`: a failed start's log.
std::string TailOf(const std::string& path, size_t bytes = 2000) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

bool Transient(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED;
}

class CrashRun {
 public:
  CrashRun(CrashWorkload& workload, const CrashOptions& options,
           std::string dir)
      : workload_(workload),
        options_(options),
        dir_(std::move(dir)),
        rng_(options.seed),
        next_k_(static_cast<size_t>(options.writers), 0),
        failed_(static_cast<size_t>(options.writers), 0) {}

  absl::StatusOr<CrashFigures> Run() {
    const absl::Time began = absl::Now();
    absl::StatusOr<std::vector<std::string>> extra = workload_.Prepare(dir_);
    if (!extra.ok()) return extra.status();
    args_ = {"--listen=127.0.0.1:0", absl::StrCat("--data_dir=", dir_, "/data"),
             absl::StrCat("--config_dir=", testing::ShippedConfigDir()),
             "--drain_seconds=1"};
    args_.insert(args_.end(), extra->begin(), extra->end());

    for (int cycle = 0; cycle < options_.cycles; ++cycle) {
      if (Uniform() < options_.start_kill_share) {
        absl::Status killed = KillDuringStart();
        if (!killed.ok()) return killed;
      }
      absl::Status started = StartAndCatchUp();
      if (!started.ok()) return started;
      RunWritersThenKill();
      ++figures_.cycles;
    }
    absl::Status started = StartAndCatchUp(/*replays=*/200);
    if (!started.ok()) return started;
    absl::Status counted = Count();
    if (!counted.ok()) return counted;
    absl::Status verified = workload_.Verify(channel_);
    if (!verified.ok()) return verified;
    channel_.reset();
    server_->Signal(SIGTERM);
    (void)server_->Wait(absl::Seconds(30));
    figures_.elapsed = absl::Now() - began;
    return figures_;
  }

 private:
  double Uniform() { return std::uniform_real_distribution<>(0, 1)(rng_); }
  absl::Duration Between(absl::Duration low, absl::Duration high) {
    return low + (high - low) * Uniform();
  }
  std::string Binary() const { return testing::BinaryPath(workload_.binary()); }
  std::string LogPath() const { return absl::StrCat(dir_, "/server.log"); }

  // SIGKILL at a random point of start-up: before, during or just after
  // the store's open and replay.
  absl::Status KillDuringStart() {
    absl::StatusOr<std::unique_ptr<ServerProcess>> p =
        ServerProcess::Spawn(Binary(), args_, LogPath());
    if (!p.ok()) return p.status();
    absl::SleepFor(Between(absl::ZeroDuration(), start_time_));
    (*p)->Signal(SIGKILL);
    absl::StatusOr<int> code = (*p)->Wait();
    if (!code.ok()) return code.status();
    if (*code != 128 + SIGKILL) {
      return absl::InternalError(
          absl::StrCat(workload_.binary(), " exited with code ", *code,
                       " while starting:\n", TailOf(LogPath())));
    }
    ++figures_.kills_during_start;
    return absl::OkStatus();
  }

  // Starts the server, sets the workload up once, retries the writes that
  // got no answer and replays acknowledged ones.
  absl::Status StartAndCatchUp(int replays = -1) {
    const absl::Time t0 = absl::Now();
    absl::StatusOr<std::unique_ptr<ServerProcess>> p =
        ServerProcess::Start(Binary(), args_, LogPath());
    if (!p.ok()) {
      return absl::Status(
          p.status().code(),
          absl::StrCat(p.status().message(), " after ", figures_.cycles,
                       " cycles:\n", TailOf(LogPath())));
    }
    start_time_ = absl::Now() - t0;
    server_ = std::move(*p);
    channel_ = testing::InsecureChannel(server_->address());
    if (!set_up_) {
      grpc::Status s = Answered([&] { return workload_.Setup(channel_); });
      if (!s.ok())
        return absl::InternalError(absl::StrCat("setup: ", s.error_message()));
      set_up_ = true;
    }
    for (int w = 0; w < options_.writers; ++w) {
      if (!failed_[static_cast<size_t>(w)]) continue;
      std::string response;
      const int64_t k = next_k_[static_cast<size_t>(w)];
      grpc::Status s =
          Answered([&] { return workload_.Write(channel_, w, k, &response); });
      if (!s.ok()) {
        return absl::InternalError(absl::StrCat("retry of ",
                                                CrashWorkload::RequestId(w, k),
                                                ": ", s.error_message()));
      }
      ++figures_.retried;
      Acknowledge(w, k, std::move(response));
      failed_[static_cast<size_t>(w)] = 0;
    }
    // Distinct acknowledged writes, at most `replays` of them.
    std::vector<std::pair<int, int64_t>> sample;
    {
      absl::MutexLock lock(&mu_);
      std::sample(acknowledged_order_.begin(), acknowledged_order_.end(),
                  std::back_inserter(sample),
                  replays < 0 ? options_.replays_per_cycle : replays, rng_);
    }
    for (const std::pair<int, int64_t>& entry : sample) {
      // Not a structured binding: clang 14 cannot capture one in a lambda.
      const int w = entry.first;
      const int64_t k = entry.second;
      std::string response;
      grpc::Status s =
          Answered([&] { return workload_.Write(channel_, w, k, &response); });
      ++figures_.replays;
      const std::string id = CrashWorkload::RequestId(w, k);
      absl::MutexLock lock(&mu_);
      if (!s.ok() || response != acknowledged_[id]) {
        ++figures_.replay_mismatches;
        if (first_mismatch_.empty()) {
          first_mismatch_ = absl::StrCat(id, ": ", s.error_message());
        }
      }
    }
    return absl::OkStatus();
  }

  // Calls `call` until it is answered with something other than a
  // transient error (the server may still be opening, or busy).
  template <typename Call>
  grpc::Status Answered(Call call) {
    grpc::Status s;
    for (int attempt = 0; attempt < 200; ++attempt) {
      s = call();
      if (!Transient(s.error_code())) return s;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return s;
  }

  void Acknowledge(int w, int64_t k, std::string response) {
    absl::MutexLock lock(&mu_);
    acknowledged_.emplace(CrashWorkload::RequestId(w, k), std::move(response));
    acknowledged_order_.emplace_back(w, k);
    ++next_k_[static_cast<size_t>(w)];
  }

  void RunWritersThenKill() {
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < options_.writers; ++w) {
      writers.emplace_back([this, w, &stop] {
        while (!stop.load()) {
          std::string response;
          const int64_t k = next_k_[static_cast<size_t>(w)];
          if (!workload_.Write(channel_, w, k, &response).ok()) {
            // Unanswered: it may or may not have been applied. The next
            // start retries it before this writer sends anything else.
            failed_[static_cast<size_t>(w)] = 1;
            return;
          }
          Acknowledge(w, k, std::move(response));
        }
      });
    }
    absl::SleepFor(Between(options_.min_run, options_.max_run));
    server_->Signal(SIGKILL);
    (void)server_->Wait();
    ++figures_.kills_while_writing;
    stop = true;
    for (std::thread& t : writers) t.join();
    channel_.reset();
    server_.reset();
  }

  // Every acknowledged id in exactly one commit of the change feed.
  absl::Status Count() {
    absl::StatusOr<absl::flat_hash_map<std::string, int>> applied =
        AppliedRequestIds(channel_);
    if (!applied.ok()) return applied.status();
    absl::MutexLock lock(&mu_);
    figures_.acknowledged = static_cast<int64_t>(acknowledged_.size());
    for (const auto& [id, response] : acknowledged_) {
      auto it = applied->find(id);
      const int n = it == applied->end() ? 0 : it->second;
      if (n == 0) ++figures_.lost;
      if (n > 1) ++figures_.duplicated;
    }
    for (const auto& [id, n] : *applied) {
      if (absl::StartsWith(id, "crash-w") && !acknowledged_.contains(id)) {
        ++figures_.unexpected;
      }
    }
    if (!first_mismatch_.empty()) {
      return absl::InternalError(absl::StrCat(
          "a replay differed from its acknowledgement: ", first_mismatch_));
    }
    return absl::OkStatus();
  }

  CrashWorkload& workload_;
  const CrashOptions& options_;
  const std::string dir_;
  std::mt19937_64 rng_;
  std::vector<std::string> args_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  absl::Duration start_time_ = absl::Milliseconds(300);
  bool set_up_ = false;
  CrashFigures figures_;
  std::string first_mismatch_;

  absl::Mutex mu_;
  // Request id -> the acknowledged response.
  absl::flat_hash_map<std::string, std::string> acknowledged_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<int, int64_t>> acknowledged_order_ ABSL_GUARDED_BY(mu_);
  // Per writer: its next k, and whether write k got no answer. Each writer
  // thread touches only its own entry, and only while it runs.
  std::vector<int64_t> next_k_;
  std::vector<char> failed_;  // not vector<bool>: one byte per writer
};

}  // namespace

std::string CrashFigures::ToString() const {
  return absl::StrCat(
      "cycles=", cycles, " kills_while_writing=", kills_while_writing,
      " kills_during_start=", kills_during_start,
      " acknowledged=", acknowledged, " retried=", retried,
      " replays=", replays, " replay_mismatches=", replay_mismatches,
      " lost=", lost, " duplicated=", duplicated, " unexpected=", unexpected,
      " elapsed=",
      absl::FormatDuration(absl::Trunc(elapsed, absl::Milliseconds(1))));
}

absl::StatusOr<CrashFigures> RunCrashCycles(CrashWorkload& workload,
                                            const CrashOptions& options,
                                            const std::string& dir) {
  CrashRun run(workload, options, dir);
  return run.Run();
}

}  // namespace nq57::crash
