// eidentity-server: the e-identity and Project 06 metrics service
// (nq57.eidentity.v1).
#include "common/server/server_main.h"
#include "services/eidentity/eidentity_bundle.h"

int main(int argc, char** argv) {
  return nq57::ServerMain(
      argc, argv,
      {.program = "eidentity-server", .default_listen = "127.0.0.1:50573"},
      [](const nq57::ServerConfig& config) {
        return nq57::eidentity::EidentityBundle::Create(config);
      });
}
