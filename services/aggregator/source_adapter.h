// SourceAdapter: turns one source's change records into rollup changes.
//
// One adapter per kind of source (criteria, publicservice, eidentity, and
// another aggregator for federation). Apply() must be deterministic and use
// only the record and the RollupState (never wall-clock time or other
// services), so replaying a source from sequence 0 (Rebuild) reproduces the
// incremental state exactly. Records it does not know are ignored.
#ifndef NQ57_SERVICES_AGGREGATOR_SOURCE_ADAPTER_H_
#define NQ57_SERVICES_AGGREGATOR_SOURCE_ADAPTER_H_

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/units/unit_registry.h"
#include "nq57/changes/v1/changes.pb.h"
#include "services/aggregator/rollup_state.h"

namespace nq57::aggregator {

class SourceAdapter {
 public:
  virtual ~SourceAdapter() = default;
  virtual absl::Status Apply(const changes::v1::ChangeRecord& record,
                             RollupState& state) const = 0;
};

// "criteria", "publicservice", "eidentity" or "aggregator"; INVALID_ARGUMENT
// for anything else.
absl::StatusOr<std::unique_ptr<SourceAdapter>> MakeSourceAdapter(
    std::string_view kind);

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_SOURCE_ADAPTER_H_
