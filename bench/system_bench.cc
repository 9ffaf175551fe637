// Issue 15: the whole system measured from outside, as a user's platform
// loads it, against the stack it would pick instead, in the same run.
//
//  Ingest  durable single-report ReportProgress from nq57-loadgen (a process
//          of its own) against make run's four servers as processes
//          (ServerStack, Phú Thọ loaded), at 1, 16 and 64 concurrent clients:
//          with the aggregator consuming live, and with it paused (SIGSTOP);
//          against PostgreSQL 15's durable upsert (PostgresPeer: pgbench,
//          synchronous_commit=on, the same machine and client counts).
//          Targets: live >= 1.5x PostgreSQL at 16 and 64 clients and >= 1.0x
//          at 1; live >= 85% of paused.
//
// Prints every figure with its same-run baseline and the target it is held
// to; exits 1 if the run could not measure (a target missed is reported, not
// an error). Flags: --seconds=N per point (default 10), --warmup=N (2);
// Google Benchmark's flags (make bench passes them) are ignored.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/postgres_peer.h"
#include "bench/server_stack.h"
#include "common/base/status_macros.h"
#include "tests/support/server_process.h"
#include "tests/support/test_paths.h"

namespace nq57 {
namespace {

using testing::BinaryPath;
using testing::SourcePath;

struct Settings {
  double seconds = 10;
  double warmup = 2;
};

// What one nq57-loadgen run printed (LoadResult::ToJson).
struct LoadFigures {
  double ok_per_second = 0;
  double p99_ms = 0;
  double max_ms = 0;
  std::string errors;  // the JSON object, "{}" when none
};

// The number after "\"<key>\":" in `json`.
double JsonNumber(const std::string& json, const std::string& key) {
  const std::string tag = absl::StrCat("\"", key, "\":");
  const size_t at = json.find(tag);
  if (at == std::string::npos) return -1;
  const size_t from = at + tag.size();
  const size_t to = json.find_first_of(",}", from);
  double v = -1;
  (void)absl::SimpleAtod(json.substr(from, to - from), &v);
  return v;
}

absl::StatusOr<LoadFigures> RunLoadgen(const std::string& target, int clients,
                                       const Settings& s,
                                       const std::string& extra = "") {
  std::vector<std::string> args = {"--target=" + target,
                                   absl::StrCat("--concurrency=", clients),
                                   absl::StrCat("--duration=", s.seconds),
                                   absl::StrCat("--warmup=", s.warmup),
                                   "--unit_prefix=provinces/25",
                                   "--format=json"};
  if (!extra.empty()) args.push_back(extra);
  RunResult r = RunToCompletion(BinaryPath("nq57-loadgen"), args);
  if (r.exit_code != 0) {
    return absl::InternalError(
        absl::StrCat("nq57-loadgen exited ", r.exit_code, ": ", r.output));
  }
  LoadFigures f;
  f.ok_per_second = JsonNumber(r.output, "ok_per_second");
  f.p99_ms = JsonNumber(r.output, "p99");
  f.max_ms = JsonNumber(r.output, "max");
  const size_t e = r.output.find("\"errors\":");
  f.errors = e == std::string::npos
                 ? "?"
                 : r.output.substr(e + 9, r.output.find('}', e) - e - 8);
  return f;
}

// "met" or "MISSED", for a figure held to `ratio >= target`.
const char* Verdict(double ratio, double target) {
  return ratio >= target ? "met" : "MISSED";
}

absl::Status Ingest(ServerStack& stack, PostgresPeer& pg, const Settings& s) {
  std::printf(
      "\n== ingest: durable ReportProgress from nq57-loadgen (its own "
      "process) against the four servers, Phú Thọ loaded; PostgreSQL 15 "
      "upsert by pgbench (synchronous_commit=on); %.0f s per point after "
      "%.0f s warm-up\n",
      s.seconds, s.warmup);
  std::printf("%7s %12s %8s %8s %13s %12s %9s %9s %7s %12s %7s\n", "clients",
              "nq57 live/s", "p99 ms", "max ms", "agg paused/s", "PostgreSQL/s",
              "live/PG", "target", "", "live/paused", "target");
  std::vector<std::string> verdicts;
  for (int clients : {1, 16, 64}) {
    RETURN_IF_ERROR(stack.AwaitCaughtUp(absl::Minutes(3)));
    ASSIGN_OR_RETURN(LoadFigures live,
                     RunLoadgen(stack.criteria().address(), clients, s));
    stack.PauseAggregator();
    absl::StatusOr<LoadFigures> paused =
        RunLoadgen(stack.criteria().address(), clients, s);
    stack.ResumeAggregator();
    RETURN_IF_ERROR(paused.status());
    ASSIGN_OR_RETURN(double pg_rate,
                     pg.UpsertRate(clients, absl::Seconds(s.seconds),
                                   absl::Seconds(s.warmup)));
    const double vs_pg = live.ok_per_second / pg_rate;
    const double pg_target = clients == 1 ? 1.0 : 1.5;
    const double vs_paused = live.ok_per_second / paused->ok_per_second;
    std::printf(
        "%7d %12.0f %8.2f %8.1f %13.0f %12.0f %8.2fx %8s %7s %11.0f%% %7s "
        "%s\n",
        clients, live.ok_per_second, live.p99_ms, live.max_ms,
        paused->ok_per_second, pg_rate, vs_pg,
        absl::StrFormat(">=%.1fx", pg_target).c_str(),
        Verdict(vs_pg, pg_target), 100 * vs_paused, ">=85%",
        Verdict(vs_paused, 0.85));
    if (live.errors != "{}" || paused->errors != "{}") {
      std::printf("        errors: live %s, paused %s\n", live.errors.c_str(),
                  paused->errors.c_str());
    }
    verdicts.push_back(absl::StrFormat(
        "target 1, %d clients: live ingest %.2fx PostgreSQL (>= %.1fx): %s",
        clients, vs_pg, pg_target, Verdict(vs_pg, pg_target)));
    verdicts.push_back(absl::StrFormat(
        "target 2, %d clients: live ingest %.0f%% of the aggregator paused "
        "(>= 85%%): %s",
        clients, 100 * vs_paused, Verdict(vs_paused, 0.85)));
  }
  for (const std::string& v : verdicts) std::printf("%s\n", v.c_str());
  return absl::OkStatus();
}

absl::Status Run(const Settings& s) {
  const char* base = std::getenv("NQ57_BENCH_DIR");
  const std::string dir =
      absl::StrCat(base != nullptr ? base : "/tmp", "/system_bench-", getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // PostgreSQL's owner must reach its directory: a fresh one under /tmp.
  char pg_template[] = "/tmp/nq57-bench-pg-XXXXXX";
  if (mkdtemp(pg_template) == nullptr) {
    return absl::InternalError("mkdtemp failed");
  }
  const std::string pg_dir = pg_template;
  absl::Status status = [&]() -> absl::Status {
    const absl::Time start = absl::Now();
    ASSIGN_OR_RETURN(std::unique_ptr<ServerStack> stack,
                     ServerStack::Start(dir));
    RETURN_IF_ERROR(stack->Load(SourcePath("deploy/datasets/phu-tho-2025-10")));
    RETURN_IF_ERROR(stack->AwaitCaughtUp(absl::Minutes(3)));
    std::printf("stack: 4 servers started and Phú Thọ loaded in %.1f s (%s)\n",
                absl::ToDoubleSeconds(absl::Now() - start), dir.c_str());
    ASSIGN_OR_RETURN(std::unique_ptr<PostgresPeer> pg,
                     PostgresPeer::Start(pg_dir));
    // As many rows as Phú Thọ has assignments.
    RETURN_IF_ERROR(pg->CreateAssignments(13650));
    std::printf("PostgreSQL 15: port %d, owner %s, data in %s\n", pg->port(),
                pg->user().empty() ? "this user" : pg->user().c_str(),
                pg_dir.c_str());
    return Ingest(*stack, *pg, s);
  }();
  std::filesystem::remove_all(pg_dir);
  if (status.ok()) std::filesystem::remove_all(dir);
  return status;
}

}  // namespace
}  // namespace nq57

int main(int argc, char** argv) {
  nq57::Settings settings;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    double v = 0;
    if (arg.rfind("--seconds=", 0) == 0 &&
        absl::SimpleAtod(arg.substr(10), &v) && v > 0) {
      settings.seconds = v;
    } else if (arg.rfind("--warmup=", 0) == 0 &&
               absl::SimpleAtod(arg.substr(9), &v) && v >= 0) {
      settings.warmup = v;
    } else if (arg.rfind("--benchmark_", 0) != 0) {
      std::fprintf(stderr, "system_bench: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  setvbuf(stdout, nullptr, _IOLBF, 0);
  const absl::Status status = nq57::Run(settings);
  if (!status.ok()) {
    std::fprintf(stderr, "system_bench: %s\n", status.ToString().c_str());
    std::printf("system_bench: could not measure: %s\n",
                std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
