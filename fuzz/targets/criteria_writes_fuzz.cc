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

template <typename Request, auto kPrepare>
void Run(const uint8_t* data, size_t size) {
  static const CriteriaCore core(&fuzz::SharedStore<CriteriaCore>(),
                                 &fuzz::Units(), RealClock());
  fuzz::PrepareAndCommit<Request>(fuzz::SharedStore<CriteriaCore>(), core,
                                  kPrepare, data, size);
}

constexpr fuzz::WriteTarget kTargets[] = {
    // The catalogue.
    &Run<v1::CreateCriterionRequest, &CriteriaCore::PrepareCreateCriterion>,
    &Run<v1::UpdateCriterionRequest, &CriteriaCore::PrepareUpdateCriterion>,
    &Run<v1::RetireCriterionRequest, &CriteriaCore::PrepareRetireCriterion>,
    // Assignments.
    &Run<v1::CreateAssignmentRequest, &CriteriaCore::PrepareCreateAssignment>,
    &Run<v1::BatchCreateAssignmentsRequest,
         &CriteriaCore::PrepareBatchCreateAssignments>,
    // Progress.
    &Run<v1::ReportProgressRequest, &CriteriaCore::PrepareReportProgress>,
    &Run<v1::BatchReportProgressRequest,
         &CriteriaCore::PrepareBatchReportProgress>};

}  // namespace
}  // namespace nq57::criteria

NQ57_FUZZ_WRITE_TARGETS(nq57::criteria::kTargets)
