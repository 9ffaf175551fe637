// publicservice-server: the public-service statistics service
// (nq57.publicservice.v1).
#include "common/server/server_main.h"
#include "services/publicservice/publicservice_bundle.h"

int main(int argc, char** argv) {
  return nq57::ServerMain(
      argc, argv,
      {.program = "publicservice-server", .default_listen = "127.0.0.1:50572"},
      &nq57::publicservice::PublicServiceBundle::Create);
}
