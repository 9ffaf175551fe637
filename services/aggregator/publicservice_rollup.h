// PublicServiceRollup: the adapter for publicservice-server's change feed.
//
// Per province it keeps the measures of the public-service indicator
// catalogue (deploy/config/indicators/publicservice.textproto), named
// "publicservice.<code>":
//   procedures_total / _full_process / _partial / _offline   current stocks,
//     from each Procedure's current online level (bucket "");
//   every DossierCounts field (dossiers_received_online, ...)  flows, in the
//     month bucket "YYYY-MM" of the statistics, applied as new - previous so a
//     replaced report is not double-counted;
// plus "publicservice.unit.reported" per unit (statistics records held) and
// "publicservice.units_reporting" per province (communes with any).
#ifndef NQ57_SERVICES_AGGREGATOR_PUBLICSERVICE_ROLLUP_H_
#define NQ57_SERVICES_AGGREGATOR_PUBLICSERVICE_ROLLUP_H_

#include "services/aggregator/source_adapter.h"

namespace nq57::aggregator {

class PublicServiceRollup : public SourceAdapter {
 public:
  absl::Status Apply(const changes::v1::ChangeRecord& record,
                     RollupState& state) const override;
};

// Counts a unit reporting (+1) or no longer reporting (-1) under `source`:
// maintains "<source>.unit.reported" for the unit and, for communes,
// "<source>.units_reporting" for its province when the unit's count crosses
// zero. Shared by the catalogue-driven adapters.
absl::Status CountReporting(std::string_view source, std::string_view unit,
                            int delta, RollupState& state);

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_PUBLICSERVICE_ROLLUP_H_
