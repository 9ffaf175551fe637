// The commands of nq57ctl, the command-line client of nq57 for operators and
// internal tools:
//
//   load DIR         load a dataset directory (see dataset_loader.h)
//   report           the provincial report: table, json or csv
//   rank             competition ranking of provinces for a criteria group
//                    (--group) or a figure (--figure)
//   overdue          incomplete tasks past their deadline at --as_of
//   explain FIGURE   how one figure was made
//   watch            follow WatchReports and print what changes
//   publish          freeze the current report as a numbered snapshot
//   snapshots        list published snapshots
//   diff A B         the figures that differ between two snapshots
//   health           every service's grpc.health.v1 status
//   backup           an online backup of every service's store
//   restore B D      offline: a backup of directory B into empty directory D
//
// Exit codes: 0 ok, 1 a server error (or bad rows in `load`), 2 a usage
// error. An error is one line: the gRPC code name and, for
// INVALID_ARGUMENT, the field at fault.
#ifndef NQ57_TOOLS_NQ57CTL_COMMANDS_H_
#define NQ57_TOOLS_NQ57CTL_COMMANDS_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "tools/nq57ctl/endpoints.h"

namespace nq57::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitServerError = 1;
inline constexpr int kExitUsage = 2;

// Everything a command may use besides its positional arguments (filled
// from flags by main).
struct CommandOptions {
  Endpoints endpoints;
  // Overrides the address of the one service the command talks to.
  std::string target;
  std::string province = "provinces/25";
  std::string period;  // "" = the month of as_of
  std::string as_of;   // RFC 3339; "" = now
  std::string format = "table";
  std::string group;
  std::string figure;
  std::string block;
  std::string request_id;
  int count = 0;  // watch: stop after this many reports (0 = never)
  // health: wait up to this long for SERVING; report: for the aggregator
  // to catch up.
  double wait_seconds = 0;
  bool progress_bar = false;  // load
  uint32_t backup_id = 0;     // restore: 0 = the latest
  // health: the grpc.health.v1 service asked about ("" = the server; "live"
  // = what liveness probes ask).
  std::string health_service;
};

// The usage text printed by `nq57ctl help` and on a usage error.
std::string Usage();

// Runs `args` (the command and its positional arguments).
int RunCommand(const std::vector<std::string>& args,
               const CommandOptions& options, std::ostream& out,
               std::ostream& err);

}  // namespace nq57::ctl

#endif  // NQ57_TOOLS_NQ57CTL_COMMANDS_H_
