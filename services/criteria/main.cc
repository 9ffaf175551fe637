// criteria-server: the criteria tracking service (nq57.criteria.v1).
#include "common/server/server_main.h"
#include "services/criteria/criteria_server.h"

int main(int argc, char** argv) {
  return nq57::ServerMain<nq57::criteria::CriteriaServer>(
      argc, argv,
      {.program = "criteria-server", .default_listen = "127.0.0.1:50571"},
      [](const nq57::ServerOptions& server)
          -> absl::StatusOr<nq57::criteria::CriteriaOptions> {
        return nq57::criteria::CriteriaOptions{.server = server};
      });
}
