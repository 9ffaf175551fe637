// eidentity-server: the e-identity and Project 06 metrics service
// (nq57.eidentity.v1). Flags -> EidentityOptions -> ServerMain.
#include "absl/flags/flag.h"
#include "common/server/server_main.h"
#include "services/eidentity/eidentity_server.h"

ABSL_FLAG(int, stale_after_days, nq57::eidentity::kDefaultStaleAfterDays,
          "A commune whose latest report is more than this many days before "
          "the as-of date of a rollup is stale, unless the request says");

int main(int argc, char** argv) {
  return nq57::ServerMain<nq57::eidentity::EidentityServer>(
      argc, argv,
      {.program = "eidentity-server", .default_listen = "127.0.0.1:50573"},
      [](const nq57::ServerOptions& server)
          -> absl::StatusOr<nq57::eidentity::EidentityOptions> {
        const int stale_after_days = absl::GetFlag(FLAGS_stale_after_days);
        if (stale_after_days <= 0) {
          return absl::InvalidArgumentError(
              "--stale_after_days must be positive");
        }
        return nq57::eidentity::EidentityOptions{
            .server = server, .stale_after_days = stale_after_days};
      });
}
