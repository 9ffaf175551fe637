// criteria-server: the criteria tracking service (nq57.criteria.v1).
#include "common/server/server_main.h"
#include "services/criteria/criteria_bundle.h"

int main(int argc, char** argv) {
  return nq57::ServerMain(
      argc, argv,
      {.program = "criteria-server", .default_listen = "127.0.0.1:50571"},
      &nq57::criteria::CriteriaBundle::Create);
}
