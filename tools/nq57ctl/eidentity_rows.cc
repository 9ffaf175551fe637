#include "tools/nq57ctl/eidentity_rows.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "nq57/eidentity/v1/eidentity.grpc.pb.h"
#include "tools/nq57ctl/row_fields.h"

namespace nq57::ctl {
namespace {

namespace eidentity = ::nq57::eidentity::v1;

// The rows of one snapshot: unit, date and source from the first, one value
// a row.
absl::StatusOr<eidentity::Snapshot> SnapshotOf(const RowGroup& rows) {
  eidentity::Snapshot s;
  s.set_unit(std::string(rows[0]->Get("unit")));
  ASSIGN_OR_RETURN(*s.mutable_as_of_date(), DateField(*rows[0], "as_of_date"));
  s.set_source(std::string(rows[0]->Get("source")));
  for (const CsvRow* row : rows) {
    ASSIGN_OR_RETURN(int64_t v, CountField(*row, "value"));
    const std::string metric(row->Get("metric"));
    if (s.values().contains(metric)) {
      return RowError(*row, "metric", "repeated in the snapshot");
    }
    (*s.mutable_values())[metric].set_count(v);
  }
  return s;
}

}  // namespace

std::string SnapshotKeyOf(const CsvRow& row) {
  return absl::StrCat(AbslView(row.Get("unit")), "|",
                      AbslView(row.Get("as_of_date")), "|",
                      AbslView(row.Get("source")));
}

absl::StatusOr<eidentity::BatchReportSnapshotsRequest>
BatchReportSnapshotsRequestOf(const Batch& batch,
                              const std::string& request_id) {
  return BatchRequestOf(batch, request_id,
                        &eidentity::BatchReportSnapshotsRequest::add_snapshots,
                        SnapshotOf);
}

std::vector<FileSpec> EidentityFileSpecs(const Endpoints* endpoints) {
  using Stub = eidentity::EidentityService::Stub;
  const std::shared_ptr<Stub> stub = eidentity::EidentityService::NewStub(
      endpoints->Channel(endpoints->eidentity));
  return {
      FileSpec{.file = "metric_snapshots.csv",
               .columns = {"unit", "as_of_date", "source", "metric", "value"},
               .item_key = SnapshotKeyOf,
               .batch_size = 500,
               .items_field = "snapshots",
               .aliases = {{"as_of_date", "as_of_date"}},
               .send = BatchSender(
                   stub, &Stub::BatchReportSnapshots, endpoints,
                   BatchReportSnapshotsRequestOf,
                   [](const eidentity::BatchReportSnapshotsResponse& resp) {
                     int64_t accepted = 0;
                     for (const auto& r : resp.results()) {
                       accepted += r.values_written();
                     }
                     return accepted;
                   })},
  };
}

}  // namespace nq57::ctl
