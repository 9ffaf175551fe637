// AggregatorBundle: the aggregator server's parts, for ServerMain.
//
// It opens the aggregator's store, loads the unit registry, the indicator
// catalogues of the sources it follows and the published figures, starts one
// SourceConsumer per --source once the server listens, and reports health:
// the overall status turns SERVING once every source has caught up, and
// "source:<name>" follows each source (NOT_SERVING while it is down). The
// aggregator's own ChangeFeed makes it a source for a national aggregator.
//
// Flags (also NQ57_SOURCE, ...):
//   --source=name=kind@host:port,...  default: the three data services of
//       `make run` (criteria@127.0.0.1:50571, publicservice@...:50572,
//       eidentity@...:50573); kinds: criteria, publicservice, eidentity,
//       aggregator (federation).
//   --criteria_decimals (1), --criteria_rounding (half_up), --stale_days (45)
#ifndef NQ57_SERVICES_AGGREGATOR_AGGREGATOR_BUNDLE_H_
#define NQ57_SERVICES_AGGREGATOR_AGGREGATOR_BUNDLE_H_

#include <memory>

#include "common/server/server_main.h"

namespace nq57::aggregator {

absl::StatusOr<std::unique_ptr<ServiceBundle>> CreateAggregatorBundle(
    const ServerConfig& config);

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_AGGREGATOR_BUNDLE_H_
