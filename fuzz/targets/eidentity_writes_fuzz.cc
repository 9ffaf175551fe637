// Every eidentity write (ReportSnapshot, BatchReportSnapshots), from
// arbitrary bytes: the first byte picks the request type, the rest is the
// request, bounded, prepared by EidentityCore over the shipped Project 06
// catalogue and committed to a real store.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "common/indicators/indicator_catalog.h"
#include "common/time/clock.h"
#include "fuzz/fuzz_support.h"
#include "services/eidentity/eidentity_core.h"

namespace nq57::eidentity {
namespace {

const IndicatorCatalog& Catalog() {
  static const IndicatorCatalog* catalog = [] {
    auto loaded = IndicatorCatalog::LoadFile(fuzz::ConfigDir() +
                                             "/indicators/eidentity.textproto");
    if (!loaded.ok()) abort();
    return loaded->release();
  }();
  return *catalog;
}

template <typename Request, typename Prepare>
void Run(const uint8_t* data, size_t size, Prepare prepare) {
  static Store& store = fuzz::NewStore(EidentityCore::ColumnFamilies());
  static const EidentityCore core(&store, &fuzz::Units(), &Catalog(),
                                  RealClock(), EidentityCoreOptions{});
  Request request;
  if (!fuzz::ParseBoundedRequest(data, size, request)) return;
  fuzz::CommitAndCheck(store, (core.*prepare)(request, "fuzz"));
}

}  // namespace
}  // namespace nq57::eidentity

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nq57::eidentity;  // NOLINT: one target, one service
  if (size == 0) return 0;
  if (data[0] % 2 == 0) {
    Run<v1::ReportSnapshotRequest>(data + 1, size - 1,
                                   &EidentityCore::PrepareReportSnapshot);
  } else {
    Run<v1::BatchReportSnapshotsRequest>(
        data + 1, size - 1, &EidentityCore::PrepareBatchReportSnapshots);
  }
  return 0;
}
