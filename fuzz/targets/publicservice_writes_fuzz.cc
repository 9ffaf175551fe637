// Every publicservice write (CreateProcedure, UpdateProcedure,
// ReportDossierStats, BatchReportDossierStats), from arbitrary bytes: the
// first byte picks the request type, the rest is the request, bounded,
// prepared by PublicServiceCore over the shipped catalogue and committed
// to a real store.
#include <cstddef>
#include <cstdint>

#include "common/time/clock.h"
#include "fuzz/fuzz_support.h"
#include "services/publicservice/publicservice_core.h"

namespace nq57::publicservice {
namespace {

template <typename Request, auto kPrepare>
void Run(const uint8_t* data, size_t size) {
  static const PublicServiceCore core(
      &fuzz::SharedStore<PublicServiceCore>(), &fuzz::Units(),
      &fuzz::Catalog("publicservice.textproto"), RealClock());
  fuzz::PrepareAndCommit<Request>(fuzz::SharedStore<PublicServiceCore>(), core,
                                  kPrepare, data, size);
}

constexpr fuzz::WriteTarget kTargets[] = {
    &Run<v1::CreateProcedureRequest,
         &PublicServiceCore::PrepareCreateProcedure>,
    &Run<v1::UpdateProcedureRequest,
         &PublicServiceCore::PrepareUpdateProcedure>,
    &Run<v1::ReportDossierStatsRequest,
         &PublicServiceCore::PrepareReportDossierStats>,
    &Run<v1::BatchReportDossierStatsRequest,
         &PublicServiceCore::PrepareBatchReportDossierStats>,
};

}  // namespace
}  // namespace nq57::publicservice

NQ57_FUZZ_WRITE_TARGETS(nq57::publicservice::kTargets)
