// Every publicservice write (CreateProcedure, UpdateProcedure,
// ReportDossierStats, BatchReportDossierStats), from arbitrary bytes: the
// first byte picks the request type, the rest is the request, bounded,
// prepared by PublicServiceCore over the shipped catalogue and committed
// to a real store.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "common/indicators/indicator_catalog.h"
#include "common/time/clock.h"
#include "fuzz/fuzz_support.h"
#include "services/publicservice/publicservice_core.h"

namespace nq57::publicservice {
namespace {

const IndicatorCatalog& Catalog() {
  static const IndicatorCatalog* catalog = [] {
    auto loaded = IndicatorCatalog::LoadFile(
        fuzz::ConfigDir() + "/indicators/publicservice.textproto");
    if (!loaded.ok()) abort();
    return loaded->release();
  }();
  return *catalog;
}

template <typename Request, typename Prepare>
void Run(const uint8_t* data, size_t size, Prepare prepare) {
  static Store& store = fuzz::NewStore(PublicServiceCore::ColumnFamilies());
  static const PublicServiceCore core(&store, &fuzz::Units(), &Catalog(),
                                      RealClock());
  Request request;
  if (!fuzz::ParseBoundedRequest(data, size, request)) return;
  fuzz::CommitAndCheck(store, (core.*prepare)(request, "fuzz"));
}

}  // namespace
}  // namespace nq57::publicservice

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nq57::publicservice;  // NOLINT: one target, one service
  if (size == 0) return 0;
  const uint8_t which = data[0] % 4;
  ++data;
  --size;
  switch (which) {
    case 0:
      Run<v1::CreateProcedureRequest>(
          data, size, &PublicServiceCore::PrepareCreateProcedure);
      break;
    case 1:
      Run<v1::UpdateProcedureRequest>(
          data, size, &PublicServiceCore::PrepareUpdateProcedure);
      break;
    case 2:
      Run<v1::ReportDossierStatsRequest>(
          data, size, &PublicServiceCore::PrepareReportDossierStats);
      break;
    default:
      Run<v1::BatchReportDossierStatsRequest>(
          data, size, &PublicServiceCore::PrepareBatchReportDossierStats);
      break;
  }
  return 0;
}
