// Public-service rows: the dataset files of publicservice-server and the
// requests their rows become (see dataset_loader.h for the loading,
// row_mapper.h for the FileSpec contract):
//
//   procedures.csv     -> CreateProcedure, one row a call
//   dossier_stats.csv  -> BatchReportDossierStats, 1,000 rows a call
//
// The *RequestOf functions are pure (thread-safe); a bad row is
// INVALID_ARGUMENT "<file>:<line>: <column>: <problem>".
#ifndef NQ57_TOOLS_NQ57CTL_PUBLICSERVICE_ROWS_H_
#define NQ57_TOOLS_NQ57CTL_PUBLICSERVICE_ROWS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/csv/csv_reader.h"
#include "nq57/publicservice/v1/publicservice.pb.h"
#include "tools/nq57ctl/endpoints.h"
#include "tools/nq57ctl/row_mapper.h"

namespace nq57::ctl {

// procedures.csv and dossier_stats.csv, in load order, sent to
// `endpoints->publicservice` (which must outlive the specs).
std::vector<FileSpec> PublicServiceFileSpecs(const Endpoints* endpoints);

// A procedures.csv row: unit,code,display_name,field,online_level,essential
// (true, false or empty),level_effective_from (optional date).
absl::StatusOr<publicservice::v1::CreateProcedureRequest>
CreateProcedureRequestOf(const CsvRow& row, const std::string& request_id);

// dossier_stats.csv rows: unit,month,procedure or field, and a column per
// DossierCounts field (empty: not reported). One DossierStats a row.
absl::StatusOr<publicservice::v1::BatchReportDossierStatsRequest>
BatchReportDossierStatsRequestOf(const Batch& batch,
                                 const std::string& request_id);

}  // namespace nq57::ctl

#endif  // NQ57_TOOLS_NQ57CTL_PUBLICSERVICE_ROWS_H_
