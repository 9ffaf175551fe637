// PublicServiceRollup: the adapter for publicservice-server's change feed.
//
// Per province it keeps the measures of the public-service indicator
// catalogue (deploy/config/indicators/publicservice.textproto), named
// "publicservice.<code>", in "at:" buckets by effective time
// (point_in_time.h):
//   procedures_total / _full_process / _partial / _offline   stocks, from
//     each Procedure version's online level as of its level_effective_from
//     (a new version replaces the old one from then on);
//   every DossierCounts field (dossiers_received_online, ...)  flows, at the
//     first instant of the statistics' month, applied as new - previous so a
//     replaced report is not double-counted;
// plus "publicservice.unit.reported" per unit (statistics records held, by
// month).
#ifndef NQ57_SERVICES_AGGREGATOR_PUBLICSERVICE_ROLLUP_H_
#define NQ57_SERVICES_AGGREGATOR_PUBLICSERVICE_ROLLUP_H_

#include "services/aggregator/source_adapter.h"

namespace nq57::aggregator {

class PublicServiceRollup : public SourceAdapter {
 public:
  absl::Status Apply(const changes::v1::ChangeRecord& record,
                     RollupState& state) const override;
};

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_PUBLICSERVICE_ROLLUP_H_
