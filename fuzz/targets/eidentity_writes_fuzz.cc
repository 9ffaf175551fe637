// Every eidentity write (ReportSnapshot, BatchReportSnapshots), from
// arbitrary bytes: the first byte picks the request type, the rest is the
// request, bounded, prepared by EidentityCore over the shipped Project 06
// catalogue and committed to a real store.
#include <cstddef>
#include <cstdint>

#include "common/time/clock.h"
#include "fuzz/fuzz_support.h"
#include "services/eidentity/eidentity_core.h"

namespace nq57::eidentity {
namespace {

template <typename Request, auto kPrepare>
void Run(const uint8_t* data, size_t size) {
  static const EidentityCore core(&fuzz::SharedStore<EidentityCore>(),
                                  &fuzz::Units(),
                                  &fuzz::Catalog("eidentity.textproto"),
                                  RealClock(), EidentityCoreOptions{});
  fuzz::PrepareAndCommit<Request>(fuzz::SharedStore<EidentityCore>(), core,
                                  kPrepare, data, size);
}

constexpr fuzz::WriteTarget kTargets[] = {
    &Run<v1::ReportSnapshotRequest, &EidentityCore::PrepareReportSnapshot>,
    &Run<v1::BatchReportSnapshotsRequest,
         &EidentityCore::PrepareBatchReportSnapshots>,
};

}  // namespace
}  // namespace nq57::eidentity

NQ57_FUZZ_WRITE_TARGETS(nq57::eidentity::kTargets)
