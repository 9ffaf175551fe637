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
//  Replays 500 concurrent Subscribe streams from sequence 1 against
//          criteria-server for the measured time: its peak RSS (target
//          < 512 MB) and its health Check latency meanwhile (target p99
//          < 100 ms), against the same Check with no streams.
//  Reads   GetReport p99 while nq57-loadgen writes 1,000/s (target < 2 ms),
//          against GetReport with no writes.
//  Watch   1,000 WatchReports streams while nq57-loadgen writes 1,000/s:
//          freshness, from a marker write's acknowledgement to the first
//          report reflecting it at every watcher (target p99 < 50 ms),
//          against the marker writes' own acknowledgement latency.
//
// Prints every figure with its same-run baseline and the target it is held
// to; exits 1 if the run could not measure (a target missed is reported, not
// an error). Flags: --seconds=N per point (default 10), --warmup=N (2),
// --phases=ingest,replays,reads,watch (default all), --watchers=N (1000),
// --replays=N (500); Google Benchmark's flags (make bench passes them) are
// ignored.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_support.h"
#include "bench/postgres_peer.h"
#include "bench/server_stack.h"
#include "bench/stream_clients.h"
#include "common/base/percentile.h"
#include "common/base/status_macros.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "nq57/aggregator/v1/aggregator.grpc.pb.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "tests/support/server_process.h"
#include "tests/support/test_paths.h"

namespace nq57 {
namespace {

using testing::BinaryPath;
using testing::SourcePath;

struct Settings {
  double seconds = 10;
  double warmup = 2;
  std::string phases = "ingest,replays,reads,watch";
  int watchers = 1000;
  int replays = 500;
  bool Runs(absl::string_view phase) const {
    return absl::StrContains(phases, phase);
  }
};

// What one nq57-loadgen run printed (LoadResult::ToJson).
struct LoadFigures {
  double ok_per_second = 0;
  double p99_ms = 0;
  double max_ms = 0;
  std::string errors;  // the JSON object, "{}" when none
};

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
  // Its last JSON line (LoadResult::ToJson), read by protobuf's parser.
  const size_t line = r.output.rfind("\n{");
  const std::string json =
      r.output.substr(line == std::string::npos ? 0 : line + 1);
  google::protobuf::Struct result;
  if (!google::protobuf::util::JsonStringToMessage(json, &result).ok()) {
    return absl::InternalError(
        absl::StrCat("nq57-loadgen printed no JSON result: ", r.output));
  }
  const auto& fields = result.fields();
  if (fields.count("ok_per_second") == 0 || fields.count("errors") == 0 ||
      fields.count("latency_ms") == 0 ||
      fields.at("latency_ms").struct_value().fields().count("p99") == 0 ||
      fields.at("latency_ms").struct_value().fields().count("max") == 0) {
    return absl::InternalError(
        absl::StrCat("nq57-loadgen's result lacks a figure: ", json));
  }
  const auto& latency = fields.at("latency_ms").struct_value().fields();
  LoadFigures f;
  f.ok_per_second = fields.at("ok_per_second").number_value();
  f.p99_ms = latency.at("p99").number_value();
  f.max_ms = latency.at("max").number_value();
  std::string errors;
  (void)google::protobuf::util::MessageToJsonString(
      fields.at("errors").struct_value(), &errors);
  f.errors = errors;
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

// ---- Helpers for the stream and read phases --------------------------------

std::shared_ptr<grpc::Channel> ChannelTo(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(16 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

// A process's "VmRSS" / "VmHWM" (its peak), in MB.
double ProcStatusMb(pid_t pid, std::string_view field) {
  return ProcStatusKb(absl::StrCat(pid), field) / 1024.0;
}

// Latency percentiles of a sample, in ms.
struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
  size_t n = 0;
};
Percentiles PercentilesOf(std::vector<double> ms) {
  Percentiles p;
  p.n = ms.size();
  std::sort(ms.begin(), ms.end());
  p.p50 = Percentile(ms, 50);
  p.p99 = Percentile(ms, 99);
  p.max = ms.empty() ? 0 : ms.back();
  return p;
}

// Calls `call` back to back for `duration`; the latency of each, in ms.
template <typename Call>
std::vector<double> TimeCalls(absl::Duration duration, absl::Duration gap,
                              Call call) {
  std::vector<double> ms;
  const absl::Time end = absl::Now() + duration;
  while (absl::Now() < end) {
    const absl::Time start = absl::Now();
    call();
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    if (gap > absl::ZeroDuration()) absl::SleepFor(gap);
  }
  return ms;
}

// The main port's grpc.health.v1 Check (what a probe asks), 2 s deadline.
void CheckHealth(grpc::health::v1::Health::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  (void)stub.Check(&context, request, &response);
}

// nq57-loadgen paced at `rate` writes/s on a thread of its own, for the
// phases that measure something else under write load.
class BackgroundWrites {
 public:
  BackgroundWrites(const std::string& target, double rate, const Settings& s)
      : thread_([this, target, rate, seconds = s.seconds + 2] {
          result_ = RunLoadgen(target, 32, {.seconds = seconds, .warmup = 1},
                               absl::StrCat("--rate=", rate));
        }) {}
  // Waits for the load to end; what it achieved.
  absl::StatusOr<LoadFigures> Finish() {
    thread_.join();
    return result_;
  }

 private:
  absl::StatusOr<LoadFigures> result_ = absl::UnknownError("not run");
  std::thread thread_;
};

absl::Status Replays(ServerStack& stack, const Settings& s) {
  std::printf(
      "\n== replays: %d concurrent Subscribe streams from sequence 1 against "
      "criteria-server for %.0f s\n",
      s.replays, s.seconds);
  const pid_t pid = stack.criteria().pid();
  auto health =
      grpc::health::v1::Health::NewStub(ChannelTo(stack.criteria().address()));
  // The plaintext port Kubernetes' probes ask (--health_listen).
  const std::string probe_address =
      ServerStack::HealthAddress(stack.criteria());
  if (probe_address.empty()) {
    return absl::InternalError("criteria-server printed no health port");
  }
  auto probe = grpc::health::v1::Health::NewStub(ChannelTo(probe_address));
  const Percentiles idle = PercentilesOf(TimeCalls(
      absl::Seconds(2), absl::Milliseconds(20), [&] { CheckHealth(*health); }));
  const double rss_before = ProcStatusMb(pid, "VmRSS");
  ResetPeakRss(absl::StrCat(pid));
  FeedReplayers replay(ChannelTo(stack.criteria().address()), s.replays);
  // The main port and the probes' port, alternately.
  std::vector<double> main_ms, probe_ms;
  const absl::Time end = absl::Now() + absl::Seconds(s.seconds);
  while (absl::Now() < end) {
    for (std::vector<double>* samples : {&main_ms, &probe_ms}) {
      const absl::Time start = absl::Now();
      CheckHealth(samples == &main_ms ? *health : *probe);
      samples->push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  const Percentiles loaded = PercentilesOf(main_ms);
  const Percentiles probed = PercentilesOf(probe_ms);
  const double peak = ProcStatusMb(pid, "VmHWM");
  const uint64_t records = replay.records();
  const int failed = replay.failed();
  const std::string error = replay.first_error();
  replay.Stop();
  absl::SleepFor(absl::Seconds(1));
  const double rss_after = ProcStatusMb(pid, "VmRSS");
  std::printf(
      "%llu records sent; %d streams ended early%s%s\n"
      "criteria-server RSS: %.0f MB before, peak %.0f MB during (target < "
      "512 MB): %s; %.0f MB a second after\n"
      "health Check, main port: p50 %.2f ms, p99 %.2f ms, max %.1f ms "
      "(target p99 < 100 ms): %s; without streams p99 %.2f ms\n"
      "health Check, probes' port: p50 %.2f ms, p99 %.2f ms, max %.1f ms\n",
      static_cast<unsigned long long>(records), failed,
      error.empty() ? "" : ": ", error.c_str(), rss_before, peak,
      peak < 512 ? "met" : "MISSED", rss_after, loaded.p50, loaded.p99,
      loaded.max, loaded.p99 < 100 ? "met" : "MISSED", idle.p99, probed.p50,
      probed.p99, probed.max);
  std::printf(
      "target 5: peak RSS %.0f MB (< 512 MB): %s; health p99 %.1f ms "
      "(< 100 ms): %s\n",
      peak, peak < 512 ? "met" : "MISSED", loaded.p99,
      loaded.p99 < 100 ? "met" : "MISSED");
  return absl::OkStatus();
}

absl::Status Reads(ServerStack& stack, const Settings& s) {
  std::printf(
      "\n== reads: GetReport (Phú Thọ, 2025-10) back to back for %.0f s "
      "while nq57-loadgen writes 1,000/s, against the same with no writes\n",
      s.seconds);
  RETURN_IF_ERROR(stack.AwaitCaughtUp(absl::Minutes(3)));
  auto stub = aggregator::v1::AggregatorService::NewStub(
      ChannelTo(stack.aggregator().address()));
  aggregator::v1::GetReportRequest request;
  request.set_province("provinces/25");
  request.set_period("2025-10");
  int failures = 0;
  auto get = [&] {
    grpc::ClientContext context;
    aggregator::v1::Report report;
    if (!stub->GetReport(&context, request, &report).ok()) ++failures;
  };
  const Percentiles idle = PercentilesOf(
      TimeCalls(absl::Seconds(std::min(s.seconds, 5.0)), {}, get));
  BackgroundWrites writes(stack.criteria().address(), 1000, s);
  absl::SleepFor(absl::Seconds(1.5));
  const Percentiles loaded =
      PercentilesOf(TimeCalls(absl::Seconds(s.seconds), {}, get));
  ASSIGN_OR_RETURN(LoadFigures w, writes.Finish());
  std::printf(
      "under %.0f writes/s: p50 %.2f ms, p99 %.2f ms, max %.1f ms (%zu "
      "calls, %d failed); no writes: p50 %.2f ms, p99 %.2f ms\n",
      w.ok_per_second, loaded.p50, loaded.p99, loaded.max, loaded.n, failures,
      idle.p50, idle.p99);
  std::printf(
      "target 6: GetReport p99 %.2f ms under 1,000 writes/s (< 2 ms): "
      "%s\n",
      loaded.p99, loaded.p99 < 2 ? "met" : "MISSED");
  return absl::OkStatus();
}

// One Phú Thọ assignment the watch phase toggles, and when it was assigned.
absl::StatusOr<std::pair<std::string, absl::Time>> MarkerAssignment(
    criteria::v1::CriteriaService::Stub& stub) {
  grpc::ClientContext c1;
  criteria::v1::ListCriteriaRequest list;
  list.set_page_size(1);
  criteria::v1::ListCriteriaResponse criteria;
  if (!stub.ListCriteria(&c1, list, &criteria).ok() ||
      criteria.criteria().empty()) {
    return absl::FailedPreconditionError("no criteria to watch");
  }
  grpc::ClientContext c2;
  criteria::v1::ListAssignmentsRequest req;
  req.set_criterion("criteria/" + criteria.criteria(0).code());
  req.set_page_size(1000);
  criteria::v1::ListAssignmentsResponse page;
  if (!stub.ListAssignments(&c2, req, &page).ok()) {
    return absl::FailedPreconditionError("cannot list assignments");
  }
  for (const auto& a : page.assignments()) {
    if (absl::StartsWith(a.unit(), "provinces/25")) {
      return std::make_pair(
          a.name(), absl::FromUnixSeconds(a.assign_time().seconds() + 1));
    }
  }
  return absl::FailedPreconditionError("no Phú Thọ assignment");
}

absl::Status Watch(ServerStack& stack, const Settings& s) {
  std::printf(
      "\n== watch: %d WatchReports streams (Phú Thọ) while nq57-loadgen "
      "writes 1,000/s; marker writes every 100 ms for %.0f s\n",
      s.watchers, s.seconds);
  RETURN_IF_ERROR(stack.AwaitCaughtUp(absl::Minutes(3)));
  auto criteria = criteria::v1::CriteriaService::NewStub(
      ChannelTo(stack.criteria().address()));
  ASSIGN_OR_RETURN(auto marker, MarkerAssignment(*criteria));
  ReportWatchers watchers(ChannelTo(stack.aggregator().address()), s.watchers,
                          "provinces/25");
  if (!watchers.AwaitFirstReports(absl::Seconds(60))) {
    return absl::DeadlineExceededError(
        absl::StrCat("not every watcher had its first report within 60 s (",
                     watchers.failed(), " ended)"));
  }
  BackgroundWrites writes(stack.criteria().address(), 1000, s);
  absl::SleepFor(absl::Seconds(1.5));
  struct Mark {
    absl::Time acked;
    uint64_t sequence;
  };
  std::vector<Mark> marks;
  std::vector<double> ack_ms;
  const absl::Time end = absl::Now() + absl::Seconds(s.seconds);
  for (int n = 0; absl::Now() < end; ++n) {
    criteria::v1::ReportProgressRequest req;
    req.set_request_id(absl::StrCat("watch-marker-", getpid(), "-", n));
    req.mutable_report()->set_assignment(marker.first);
    if (n % 2 == 0) {
      req.mutable_report()->set_state(criteria::v1::COMPLETED);
      req.mutable_report()->mutable_complete_time()->set_seconds(
          absl::ToUnixSeconds(
              std::max(marker.second, absl::Now() - absl::Seconds(1))));
    } else {
      req.mutable_report()->set_state(criteria::v1::IN_PROGRESS);
    }
    grpc::ClientContext context;
    criteria::v1::Assignment out;
    const absl::Time sent = absl::Now();
    const grpc::Status st = criteria->ReportProgress(&context, req, &out);
    const absl::Time acked = absl::Now();
    if (!st.ok()) return absl::InternalError(st.error_message());
    ack_ms.push_back(absl::ToDoubleMilliseconds(acked - sent));
    grpc::ClientContext c2;
    criteria::v1::GetAssignmentRequest get;
    get.set_name(marker.first);
    criteria::v1::GetAssignmentResponse history;
    if (!criteria->GetAssignment(&c2, get, &history).ok() ||
        history.history().empty()) {
      return absl::InternalError("no history of the marker");
    }
    marks.push_back({acked, history.history().rbegin()->sequence()});
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSIGN_OR_RETURN(LoadFigures w, writes.Finish());
  absl::SleepFor(absl::Seconds(1));  // the last marks' reports
  std::vector<double> freshness;
  int never = 0;
  for (const Mark& m : marks) {
    std::vector<absl::Time> seen = watchers.FirstSeen(m.sequence);
    const absl::Time last = *std::max_element(seen.begin(), seen.end());
    if (last == absl::InfiniteFuture()) {
      ++never;
      continue;
    }
    freshness.push_back(absl::ToDoubleMilliseconds(last - m.acked));
  }
  const uint64_t reports = watchers.reports();
  watchers.Stop();
  const Percentiles f = PercentilesOf(freshness);
  const Percentiles a = PercentilesOf(ack_ms);
  std::printf(
      "%zu marker writes under %.0f writes/s; %llu reports delivered; "
      "freshness to every watcher: p50 %.1f ms, p99 %.1f ms, max %.1f ms%s; "
      "the marker's own ack: p50 %.2f ms, p99 %.2f ms\n",
      marks.size(), w.ok_per_second, static_cast<unsigned long long>(reports),
      f.p50, f.p99, f.max,
      never > 0 ? absl::StrCat(" (", never, " never seen)").c_str() : "", a.p50,
      a.p99);
  const bool met = never == 0 && !freshness.empty() && f.p99 < 50;
  std::printf(
      "target 4: freshness p99 %.1f ms with %d watchers (< 50 ms): %s\n", f.p99,
      s.watchers, met ? "met" : "MISSED");
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
    if (s.Runs("ingest")) RETURN_IF_ERROR(Ingest(*stack, *pg, s));
    if (s.Runs("replays")) RETURN_IF_ERROR(Replays(*stack, s));
    if (s.Runs("reads")) RETURN_IF_ERROR(Reads(*stack, s));
    if (s.Runs("watch")) RETURN_IF_ERROR(Watch(*stack, s));
    return absl::OkStatus();
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
    } else if (arg.rfind("--phases=", 0) == 0) {
      settings.phases = std::string(arg.substr(9));
    } else if (arg.rfind("--watchers=", 0) == 0 &&
               absl::SimpleAtod(arg.substr(11), &v) && v >= 1) {
      settings.watchers = static_cast<int>(v);
    } else if (arg.rfind("--replays=", 0) == 0 &&
               absl::SimpleAtod(arg.substr(10), &v) && v >= 1) {
      settings.replays = static_cast<int>(v);
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
