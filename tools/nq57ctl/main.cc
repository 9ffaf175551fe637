// nq57ctl: the command-line client of nq57 (see commands.h).
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/security/tls_flags.h"
#include "tools/nq57ctl/commands.h"

ABSL_FLAG(std::string, criteria, "127.0.0.1:50571", "criteria-server address");
ABSL_FLAG(std::string, publicservice, "127.0.0.1:50572",
          "publicservice-server address");
ABSL_FLAG(std::string, eidentity, "127.0.0.1:50573",
          "eidentity-server address");
ABSL_FLAG(std::string, aggregator, "127.0.0.1:50574",
          "aggregator-server address");
ABSL_FLAG(std::string, target, "",
          "the address of the one service a command talks to");
ABSL_FLAG(std::string, province, "provinces/25", "the province");
ABSL_FLAG(std::string, period, "",
          "YYYY-MM, YYYY-Qn or YYYY; default the month of --as_of");
ABSL_FLAG(std::string, as_of, "",
          "RFC 3339 instant, e.g. 2025-10-23T00:00:00+07:00; default now");
ABSL_FLAG(std::string, format, "table", "report: table, json or csv");
ABSL_FLAG(std::string, group, "", "rank: a criteria group, e.g. PLATFORMS");
ABSL_FLAG(std::string, figure, "", "rank: a figure id");
ABSL_FLAG(std::string, block, "", "rank: the block of --group");
ABSL_FLAG(std::string, request_id, "", "publish: the request id");
ABSL_FLAG(int, count, 0, "watch: stop after N reports (0: never)");
ABSL_FLAG(double, wait, 0,
          "health: wait up to SECONDS for SERVING; report: for the "
          "aggregator to catch up with its sources");
ABSL_FLAG(std::string, health_service, "",
          "health: the service to check (\"\" = the server, live = liveness)");
ABSL_FLAG(uint32_t, backup_id, 0, "restore: which backup (0: the latest)");
ABSL_FLAG(std::string, actor, "nq57ctl",
          "on whose behalf the writes are made (recorded beside the verified "
          "identity of the client certificate)");

namespace {
// absl::ParseCommandLine exits with status 1 on a bad flag; nq57ctl's usage
// errors exit with 2, so turn that exit into 2 while flags are parsed.
bool parsing_flags = false;
void ExitTwoOnFlagError() {
  if (parsing_flags) _exit(nq57::ctl::kExitUsage);
}
}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(nq57::ctl::Usage());
  std::atexit(ExitTwoOnFlagError);
  parsing_flags = true;
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  parsing_flags = false;
  nq57::ctl::CommandOptions options;
  options.endpoints.criteria = absl::GetFlag(FLAGS_criteria);
  options.endpoints.publicservice = absl::GetFlag(FLAGS_publicservice);
  options.endpoints.eidentity = absl::GetFlag(FLAGS_eidentity);
  options.endpoints.aggregator = absl::GetFlag(FLAGS_aggregator);
  options.endpoints.actor = absl::GetFlag(FLAGS_actor);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      nq57::ChannelCredentialsFor(nq57::ClientTlsFromFlags());
  if (!credentials.ok()) {
    std::cerr << "nq57ctl: " << credentials.status().message() << "\n";
    return nq57::ctl::kExitUsage;
  }
  options.endpoints.credentials = *credentials;
  options.target = absl::GetFlag(FLAGS_target);
  options.province = absl::GetFlag(FLAGS_province);
  options.period = absl::GetFlag(FLAGS_period);
  options.as_of = absl::GetFlag(FLAGS_as_of);
  options.format = absl::GetFlag(FLAGS_format);
  options.group = absl::GetFlag(FLAGS_group);
  options.figure = absl::GetFlag(FLAGS_figure);
  options.block = absl::GetFlag(FLAGS_block);
  options.request_id = absl::GetFlag(FLAGS_request_id);
  options.count = absl::GetFlag(FLAGS_count);
  options.wait_seconds = absl::GetFlag(FLAGS_wait);
  options.backup_id = absl::GetFlag(FLAGS_backup_id);
  options.health_service = absl::GetFlag(FLAGS_health_service);
  options.progress_bar = isatty(STDOUT_FILENO) != 0;
  std::vector<std::string> args(rest.begin() + 1, rest.end());
  return nq57::ctl::RunCommand(args, options, std::cout, std::cerr);
}
