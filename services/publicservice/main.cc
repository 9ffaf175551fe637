// publicservice-server: the public-service statistics service
// (nq57.publicservice.v1). It has no flags of its own.
#include "common/server/server_main.h"
#include "services/publicservice/publicservice_server.h"

int main(int argc, char** argv) {
  return nq57::ServerMain<nq57::publicservice::PublicServiceServer,
                          nq57::publicservice::PublicServiceOptions>(
      argc, argv,
      {.program = "publicservice-server", .default_listen = "127.0.0.1:50572"});
}
