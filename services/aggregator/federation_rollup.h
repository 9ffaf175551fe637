// FederationRollup: the adapter for another aggregator's feed.
//
// An aggregator's change feed carries its measures (MeasureValue, new and
// previous). A national aggregator applies each as a delta to the same
// (scope, bucket, measure), so it holds every province's measures exactly
// once, with the same exactly-once rules as for data services.
#ifndef NQ57_SERVICES_AGGREGATOR_FEDERATION_ROLLUP_H_
#define NQ57_SERVICES_AGGREGATOR_FEDERATION_ROLLUP_H_

#include "services/aggregator/source_adapter.h"

namespace nq57::aggregator {

class FederationRollup : public SourceAdapter {
 public:
  absl::Status Apply(const changes::v1::ChangeRecord& record,
                     RollupState& state) const override;
};

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_FEDERATION_ROLLUP_H_
