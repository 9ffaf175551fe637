// The aggregator's change-record adapters (services/aggregator/
// source_adapter.h) on arbitrary change records: the input is a
// ChangeBatch; its first byte picks the source kind. Each record goes
// through the adapter into an in-memory rollup state; an adapter refuses a
// record it cannot read with a status and must never crash, whatever a
// (compromised or buggy) source sends.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "nq57/changes/v1/changes.pb.h"
#include "services/aggregator/rollup_state.h"
#include "services/aggregator/source_adapter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr const char* kKinds[] = {"criteria", "publicservice",
                                           "eidentity", "aggregator"};
  absl::StatusOr<nq57::aggregator::SourceAdapter> adapter =
      nq57::aggregator::SourceAdapterFor(kKinds[data[0] % 4]);
  if (!adapter.ok()) abort();
  nq57::changes::v1::ChangeBatch batch;
  if (!batch.ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;
  if (batch.records_size() > 64) return 0;
  nq57::aggregator::MemoryRollupState state;
  for (const nq57::changes::v1::ChangeRecord& record : batch.records()) {
    (void)(*adapter)(record, state);
  }
  return 0;
}
