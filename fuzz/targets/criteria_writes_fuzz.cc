// Every criteria write, from arbitrary bytes: the first byte picks the
// request type, the rest is parsed as that request, checked against the
// input bounds, prepared by CriteriaCore and committed to a real store.
// A refused request must change nothing (fuzz_support.h).
#include <cstddef>
#include <cstdint>

#include "common/time/clock.h"
#include "fuzz/fuzz_support.h"
#include "services/criteria/criteria_core.h"

namespace nq57::criteria {
namespace {

template <typename Request, typename Prepare>
void Run(const uint8_t* data, size_t size, Prepare prepare) {
  static Store& store = fuzz::NewStore(CriteriaCore::ColumnFamilies());
  static const CriteriaCore core(&store, &fuzz::Units(), RealClock());
  Request request;
  if (!fuzz::ParseBoundedRequest(data, size, request)) return;
  fuzz::CommitAndCheck(store, (core.*prepare)(request, "fuzz"));
}

}  // namespace
}  // namespace nq57::criteria

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nq57::criteria;  // NOLINT: one target, one service
  if (size == 0) return 0;
  const uint8_t which = data[0] % 7;
  ++data;
  --size;
  switch (which) {
    case 0:
      Run<v1::CreateCriterionRequest>(data, size,
                                      &CriteriaCore::PrepareCreateCriterion);
      break;
    case 1:
      Run<v1::UpdateCriterionRequest>(data, size,
                                      &CriteriaCore::PrepareUpdateCriterion);
      break;
    case 2:
      Run<v1::RetireCriterionRequest>(data, size,
                                      &CriteriaCore::PrepareRetireCriterion);
      break;
    case 3:
      Run<v1::CreateAssignmentRequest>(data, size,
                                       &CriteriaCore::PrepareCreateAssignment);
      break;
    case 4:
      Run<v1::BatchCreateAssignmentsRequest>(
          data, size, &CriteriaCore::PrepareBatchCreateAssignments);
      break;
    case 5:
      Run<v1::ReportProgressRequest>(data, size,
                                     &CriteriaCore::PrepareReportProgress);
      break;
    default:
      Run<v1::BatchReportProgressRequest>(
          data, size, &CriteriaCore::PrepareBatchReportProgress);
      break;
  }
  return 0;
}
