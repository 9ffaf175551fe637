// probe-server: the common server around the probe service, for the
// process-level tests of the bootstrap and for benchmarks.
#include "common/server/server_main.h"
#include "tests/probe/probe_service.h"

int main(int argc, char** argv) {
  return nq57::ServerMain<nq57::ProbeServer>(
      argc, argv, {.program = "probe-server", .default_listen = "127.0.0.1:0"},
      [](const nq57::ServerOptions& server)
          -> absl::StatusOr<nq57::ProbeOptions> {
        return {{.server = server}};
      });
}
