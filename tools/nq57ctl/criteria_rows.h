// Criteria rows: the dataset files of criteria-server and the requests their
// rows become (see dataset_loader.h for the loading, row_mapper.h for the
// FileSpec contract):
//
//   criteria.csv     -> CreateCriterion, one row a call
//   assignments.csv  -> BatchCreateAssignments, one row a call (a criterion
//                       to every unit of its level in a province, or to one
//                       commune or agency)
//   progress.csv     -> BatchReportProgress, 1,000 rows a call
//
// The *RequestOf functions are pure (thread-safe); a bad row is
// INVALID_ARGUMENT "<file>:<line>: <column>: <problem>".
#ifndef NQ57_TOOLS_NQ57CTL_CRITERIA_ROWS_H_
#define NQ57_TOOLS_NQ57CTL_CRITERIA_ROWS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/csv/csv_reader.h"
#include "nq57/criteria/v1/criteria.pb.h"
#include "tools/nq57ctl/endpoints.h"
#include "tools/nq57ctl/row_mapper.h"

namespace nq57::ctl {

// criteria.csv, assignments.csv and progress.csv, in load order, sent to
// `endpoints->criteria` (which must outlive the specs).
std::vector<FileSpec> CriteriaFileSpecs(const Endpoints* endpoints);

// A criteria.csv row: code,title,source,source_reference,block,group,level,
// deadline (deadline optional).
absl::StatusOr<criteria::v1::CreateCriterionRequest> CreateCriterionRequestOf(
    const CsvRow& row, const std::string& request_id);

// An assignments.csv row: criterion (code or "criteria/<code>"),target (a
// province, or a commune or agency),assign_time (optional).
absl::StatusOr<criteria::v1::BatchCreateAssignmentsRequest>
BatchCreateAssignmentsRequestOf(const CsvRow& row,
                                const std::string& request_id);

// progress.csv rows: unit,criterion,state,complete_time,evidence,note (one
// ProgressReport a row).
absl::StatusOr<criteria::v1::BatchReportProgressRequest>
BatchReportProgressRequestOf(const Batch& batch, const std::string& request_id);

}  // namespace nq57::ctl

#endif  // NQ57_TOOLS_NQ57CTL_CRITERIA_ROWS_H_
