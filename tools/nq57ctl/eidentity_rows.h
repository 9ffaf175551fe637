// E-identity rows: the dataset file of eidentity-server and the requests its
// rows become (see dataset_loader.h for the loading, row_mapper.h for the
// FileSpec contract):
//
//   metric_snapshots.csv -> BatchReportSnapshots, 500 snapshots a call;
//                           consecutive rows of one unit, date and source
//                           are one Snapshot (one value per metric).
//
// The *RequestOf functions are pure (thread-safe); a bad row is
// INVALID_ARGUMENT "<file>:<line>: <column>: <problem>".
#ifndef NQ57_TOOLS_NQ57CTL_EIDENTITY_ROWS_H_
#define NQ57_TOOLS_NQ57CTL_EIDENTITY_ROWS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/csv/csv_reader.h"
#include "nq57/eidentity/v1/eidentity.pb.h"
#include "tools/nq57ctl/endpoints.h"
#include "tools/nq57ctl/row_mapper.h"

namespace nq57::ctl {

// metric_snapshots.csv, sent to `endpoints->eidentity` (which must outlive
// the specs).
std::vector<FileSpec> EidentityFileSpecs(const Endpoints* endpoints);

// The item key of a metric_snapshots.csv row: "<unit>|<as_of_date>|<source>".
std::string SnapshotKeyOf(const CsvRow& row);

// metric_snapshots.csv rows, grouped by SnapshotKeyOf: unit,as_of_date,
// source,metric,value. One Snapshot a group; a metric repeated within a
// group is an error.
absl::StatusOr<eidentity::v1::BatchReportSnapshotsRequest>
BatchReportSnapshotsRequestOf(const Batch& batch,
                              const std::string& request_id);

}  // namespace nq57::ctl

#endif  // NQ57_TOOLS_NQ57CTL_EIDENTITY_ROWS_H_
