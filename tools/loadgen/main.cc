// nq57-loadgen: durable ReportProgress load against a running criteria
// server, from a process of its own (load_generator.h, progress_workload.h).
//
//   nq57-loadgen --target=127.0.0.1:50571 --concurrency=1,16,64 --duration=10
//
// One run per --concurrency value, in order; each prints its throughput
// (calls answered OK per second), its errors by status code and its latency
// percentiles, as text or (--format=json) one JSON object per line. Exits 1
// if a run had no call answered OK, 2 on a usage error.
#include <iostream>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/security/tls_flags.h"
#include "grpcpp/create_channel.h"
#include "tools/loadgen/load_generator.h"
#include "tools/loadgen/progress_workload.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50571", "criteria-server address");
ABSL_FLAG(std::string, concurrency, "16",
          "calls in flight at once; a comma-separated list runs each in turn");
ABSL_FLAG(double, rate, 0,
          "total calls per second (0: as fast as the answers come)");
ABSL_FLAG(double, duration, 10, "seconds measured per run");
ABSL_FLAG(double, warmup, 1, "seconds of calls before measuring");
ABSL_FLAG(int, threads, 0, "client threads and connections (0: up to 2)");
ABSL_FLAG(std::string, format, "text", "text or json");
ABSL_FLAG(std::string, unit_prefix, "",
          "only assignments of units under this name, e.g. provinces/25");
ABSL_FLAG(int, max_assignments, 100000, "assignments the load spreads over");
ABSL_FLAG(uint64_t, seed, 57, "the workload's random seed");
ABSL_FLAG(std::string, actor, "nq57-loadgen", "the x-nq57-actor claim");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "durable ReportProgress load against a criteria server.\n"
      "  nq57-loadgen --target=HOST:PORT --concurrency=1,16,64 --duration=10");
  absl::ParseCommandLine(argc, argv);
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "text" && format != "json") {
    std::cerr << "nq57-loadgen: --format must be text or json\n";
    return 2;
  }
  std::vector<int> levels;
  for (absl::string_view part :
       absl::StrSplit(absl::GetFlag(FLAGS_concurrency), ',')) {
    int n = 0;
    if (!absl::SimpleAtoi(part, &n) || n < 1) {
      std::cerr << "nq57-loadgen: --concurrency: \"" << part
                << "\" is not a positive number\n";
      return 2;
    }
    levels.push_back(n);
  }
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      nq57::ChannelCredentialsFor(nq57::ClientTlsFromFlags());
  if (!credentials.ok()) {
    std::cerr << "nq57-loadgen: " << credentials.status().message() << "\n";
    return 2;
  }
  nq57::loadgen::LoadOptions options{
      .target = absl::GetFlag(FLAGS_target),
      .credentials = *credentials,
      .rate = absl::GetFlag(FLAGS_rate),
      .duration = absl::Seconds(absl::GetFlag(FLAGS_duration)),
      .warmup = absl::Seconds(absl::GetFlag(FLAGS_warmup)),
      .threads = absl::GetFlag(FLAGS_threads),
      .actor = absl::GetFlag(FLAGS_actor)};
  std::shared_ptr<grpc::ChannelCredentials> creds =
      options.credentials != nullptr ? options.credentials
                                     : grpc::InsecureChannelCredentials();
  absl::StatusOr<nq57::loadgen::ProgressWorkload> workload =
      nq57::loadgen::ProgressWorkload::Discover(
          grpc::CreateChannel(options.target, creds), options.actor,
          absl::GetFlag(FLAGS_unit_prefix),
          static_cast<size_t>(absl::GetFlag(FLAGS_max_assignments)),
          absl::GetFlag(FLAGS_seed));
  if (!workload.ok()) {
    std::cerr << "nq57-loadgen: " << workload.status() << "\n";
    return 1;
  }
  if (format == "text") {
    std::cout << "load over " << workload->size() << " assignments at "
              << options.target << "\n";
  }
  int exit_code = 0;
  for (int level : levels) {
    options.concurrency = level;
    absl::StatusOr<nq57::loadgen::LoadResult> result = nq57::loadgen::RunLoad(
        options, nq57::loadgen::kReportProgressMethod,
        [&](uint64_t n) { return workload->Request(n); });
    if (!result.ok()) {
      std::cerr << "nq57-loadgen: " << result.status().message() << "\n";
      return 2;
    }
    std::cout << (format == "json" ? result->ToJson() + "\n" : result->ToText())
              << std::flush;
    if (result->ok == 0) exit_code = 1;
  }
  return exit_code;
}
