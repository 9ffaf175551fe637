// EidentityRollup: the adapter for eidentity-server's change feed.
//
// Per province it keeps the measures of the Project 06 catalogue
// (deploy/config/indicators/eidentity.textproto), named "eidentity.<code>":
//   STOCK metrics  the sum of each unit's latest value, from the
//                  "{unit}/metrics/{metric}" records (new latest - previous
//                  latest), bucket "";
//   FLOW metrics   summed per month of the point's as-of date, from the
//                  "{unit}/metrics/{metric}/points/{date}" records (new -
//                  previous, so a replaced report is not double-counted).
// Coverage: "eidentity.unit.reported" per unit and
// "eidentity.units_reporting" per province (communes with any report), and
// for staleness each commune's latest report day ("eidentity.unit.latest_day",
// days since 1970-01-01) indexed per province in "latest:<date>" buckets.
#ifndef NQ57_SERVICES_AGGREGATOR_EIDENTITY_ROLLUP_H_
#define NQ57_SERVICES_AGGREGATOR_EIDENTITY_ROLLUP_H_

#include "services/aggregator/source_adapter.h"

namespace nq57::aggregator {

class EidentityRollup : public SourceAdapter {
 public:
  absl::Status Apply(const changes::v1::ChangeRecord& record,
                     RollupState& state) const override;
};

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_EIDENTITY_ROLLUP_H_
