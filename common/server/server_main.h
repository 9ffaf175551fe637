// ServerMain: the whole life of an nq57 server process, shared by every
// service's main.cc.
//
// It blocks SIGTERM and SIGINT (before any thread exists, so every thread
// inherits the mask), parses the common flags into ServerOptions (each also
// settable through the environment: --listen / NQ57_LISTEN, --data_dir /
// NQ57_DATA_DIR, --config_dir / NQ57_CONFIG_DIR, --log_format /
// NQ57_LOG_FORMAT, --drain_seconds / NQ57_DRAIN_SECONDS, --metrics_listen /
// NQ57_METRICS_LISTEN, --province / NQ57_PROVINCE; a flag on the command
// line wins over the
// environment), turns them and the service's own flags into the service's
// options through `options_from_flags`, builds the server with
// `ServerT::Create`, prints "<program> metrics on HOST:PORT" (with
// --metrics_listen) and "<program> listening on HOST:PORT" on stdout, and on
// SIGTERM or SIGINT: marks health NOT_SERVING, lets the server end its
// streams, drains in-flight calls within the drain deadline, destroys the
// server (closing its store) and returns 0. A bad flag value prints one line
// naming the flag and returns 2; a server that cannot start returns 1, or
// kExitDamagedStore (3) when its store is damaged (store.h IsDamage: a WAL
// that does not replay, a table file that fails its checksum), with one
// "store damaged" log line saying what; --accept_data_loss /
// NQ57_ACCEPT_DATA_LOSS starts it anyway. --max_write_queue /
// NQ57_MAX_WRITE_QUEUE bounds the store's queue of writes.
//
//   ABSL_FLAG(int, stale_after_days, 45, "...");
//
//   int main(int argc, char** argv) {
//     return nq57::ServerMain<nq57::eidentity::EidentityServer>(
//         argc, argv,
//         {.program = "eidentity-server", .default_listen = "127.0.0.1:50573"},
//         [](const nq57::ServerOptions& server)
//             -> absl::StatusOr<nq57::eidentity::EidentityOptions> {
//           return nq57::eidentity::EidentityOptions{
//               .server = server,
//               .stale_after_days = absl::GetFlag(FLAGS_stale_after_days)};
//         });
//   }
#ifndef NQ57_COMMON_SERVER_SERVER_MAIN_H_
#define NQ57_COMMON_SERVER_SERVER_MAIN_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/server/server.h"

namespace nq57 {

// The exit code of a server whose store is damaged.
inline constexpr int kExitDamagedStore = 3;

struct ProgramInfo {
  const char* program;         // e.g. "criteria-server"
  const char* default_listen;  // e.g. "127.0.0.1:50571"
};

// Parses flags and environment into ServerOptions (exposed for tests).
// Returns INVALID_ARGUMENT naming the flag on a bad value.
absl::StatusOr<ServerOptions> ParseServerFlags(int argc, char** argv,
                                               const ProgramInfo& info);

namespace server_main_internal {

// Blocks the termination signals of the calling thread and every thread it
// starts later.
void BlockTerminationSignals();
// Sends gRPC's and protobuf's own log lines to the JSON log (log.h).
void RouteLibraryLogs();
// Prints "<program>: <message>" and returns 2.
int FlagError(const ProgramInfo& info, const absl::Status& status);
// Serves `server` until SIGTERM/SIGINT, then drains; returns the exit code
// (1 if `server` is an error).
int Serve(const ProgramInfo& info, const ServerOptions& options,
          absl::StatusOr<std::unique_ptr<Server>> server);

}  // namespace server_main_internal

// `options_from_flags(const ServerOptions&)` returns
// absl::StatusOr<Options> with the service's own flags read; an error there
// is a bad flag (exit 2). `ServerT::Create(const Options&)` builds the
// server.
template <typename ServerT, typename OptionsFromFlags>
int ServerMain(int argc, char** argv, const ProgramInfo& info,
               OptionsFromFlags options_from_flags) {
  server_main_internal::BlockTerminationSignals();
  server_main_internal::RouteLibraryLogs();
  absl::StatusOr<ServerOptions> common = ParseServerFlags(argc, argv, info);
  if (!common.ok())
    return server_main_internal::FlagError(info, common.status());
  auto options = options_from_flags(*common);
  if (!options.ok()) {
    return server_main_internal::FlagError(info, options.status());
  }
  absl::StatusOr<std::unique_ptr<ServerT>> server = ServerT::Create(*options);
  if (!server.ok())
    return server_main_internal::Serve(info, *common, server.status());
  return server_main_internal::Serve(
      info, *common, std::unique_ptr<Server>(std::move(*server)));
}

// For a service with no flags of its own: its options are the common ones.
//
//   return nq57::ServerMain<nq57::criteria::CriteriaServer,
//                           nq57::criteria::CriteriaOptions>(
//       argc, argv,
//       {.program = "criteria-server", .default_listen = "127.0.0.1:50571"});
template <typename ServerT, typename OptionsT>
int ServerMain(int argc, char** argv, const ProgramInfo& info) {
  return ServerMain<ServerT>(
      argc, argv, info,
      [](const ServerOptions& server) -> absl::StatusOr<OptionsT> {
        return OptionsT{.server = server};
      });
}

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_SERVER_MAIN_H_
