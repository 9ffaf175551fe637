// aggregator-server: the province's nq57 report and feed (see
// aggregator_bundle.h for its flags).
#include "common/server/server_main.h"
#include "services/aggregator/aggregator_bundle.h"

int main(int argc, char** argv) {
  return nq57::ServerMain(
      argc, argv,
      {.program = "aggregator-server", .default_listen = "127.0.0.1:50574"},
      &nq57::aggregator::CreateAggregatorBundle);
}
