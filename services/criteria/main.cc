// criteria-server: the criteria tracking service (nq57.criteria.v1). It has
// no flags of its own.
#include "common/server/server_main.h"
#include "services/criteria/criteria_server.h"

int main(int argc, char** argv) {
  return nq57::ServerMain<nq57::criteria::CriteriaServer,
                          nq57::criteria::CriteriaOptions>(
      argc, argv,
      {.program = "criteria-server", .default_listen = "127.0.0.1:50571"});
}
