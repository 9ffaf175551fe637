#include "nq57/aggregator/v1/aggregator.pb.h"
#include "services/aggregator/source_adapter.h"

namespace nq57::aggregator {

absl::Status ApplyFederatedChange(const changes::v1::ChangeRecord& record,
                                  RollupState& state) {
  v1::MeasureValue now, before;
  const bool has_now =
      record.has_new_value() && record.new_value().UnpackTo(&now);
  const bool has_before =
      record.has_previous_value() && record.previous_value().UnpackTo(&before);
  if (!has_now && !has_before) return absl::OkStatus();  // not a measure
  const v1::MeasureValue& key = has_now ? now : before;
  const int64_t delta =
      (has_now ? now.value() : 0) - (has_before ? before.value() : 0);
  return state.AddMeasure({key.scope(), key.bucket(), key.measure()}, delta);
}

}  // namespace nq57::aggregator
