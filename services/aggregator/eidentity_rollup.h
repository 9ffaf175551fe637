// EidentityRollup: the adapter for eidentity-server's change feed.
//
// Per province it keeps the measures of the Project 06 catalogue
// (deploy/config/indicators/eidentity.textproto), named "eidentity.<code>",
// in "at:" buckets by effective time (00:00 Vietnam of the point's as-of
// date, point_in_time.h), from the "{unit}/metrics/{metric}/points/{date}"
// records:
//   STOCK metrics  each unit's value counts from its date until the unit's
//                  next report of the metric (a step: +change at the date,
//                  -change at the next one), so the sum at t is the sum of
//                  each unit's latest value on or before t. Each series is
//                  mirrored ("e/<unit>|<metric>|<day>") to find neighbours.
//   FLOW metrics   at their date (new - previous, so a replaced report is
//                  not double-counted).
// Coverage: "eidentity.unit.reported" per unit, one per point held.
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
