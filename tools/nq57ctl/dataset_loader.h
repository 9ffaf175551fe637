// DatasetLoader: `nq57ctl load DIR` — sends a dataset directory's CSV files
// (the format tools/dataset_gen writes, see its header) through the public
// gRPC APIs of the three data services.
//
// Files are loaded in dependency order (criteria, assignments, progress,
// procedures, dossier_stats, metric_snapshots); a file that is absent is
// skipped. Which file becomes which RPC is each service's row mapper:
// criteria_rows.h, publicservice_rows.h, eidentity_rows.h (row_mapper.h is
// their contract); this file holds the machinery they share. Each file is cut
// into batches (one item per call for the APIs without a batch call) that are
// sent from a few threads. Every batch carries a request_id derived from the
// file name, the batch index and the batch's content, so loading the same
// directory again is a replay that writes nothing twice, and a batch fixed
// after an error gets a new id.
//
// The services write a batch all or nothing. A bad row — malformed here, or
// rejected by a service with a google.rpc.BadRequest field — is reported as
// "<file>:<line>: <column>: <problem>", mapping a batch field such as
// items[37].complete_time back to the line of the 38th row of the batch;
// the rest of its batch is not written, the other batches are.
//
// Not thread-safe; one Load at a time.
#ifndef NQ57_TOOLS_NQ57CTL_DATASET_LOADER_H_
#define NQ57_TOOLS_NQ57CTL_DATASET_LOADER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/nq57ctl/endpoints.h"

namespace nq57::ctl {

struct LoadOptions {
  // Batches in flight at once.
  int parallelism = 8;
  // Draw a progress bar on `progress` (when stdout is a terminal).
  bool progress_bar = false;
};

struct FileSummary {
  std::string file;
  int64_t rows = 0;
  int64_t batches = 0;
  int64_t failed_batches = 0;
  // Items the services accepted (including replays of an earlier load).
  int64_t accepted = 0;
  // Items that already existed under another request (ALREADY_EXISTS on a
  // create), left unchanged.
  int64_t existing = 0;
};

struct LoadSummary {
  std::string dir;
  std::vector<FileSummary> files;
  // One line per bad row or failed batch, in file and line order.
  std::vector<std::string> errors;
  absl::Duration elapsed;
};

class DatasetLoader {
 public:
  DatasetLoader(const Endpoints& endpoints, LoadOptions options,
                std::ostream& progress)
      : endpoints_(endpoints), options_(options), progress_(progress) {}

  // Loads `dir`. Bad rows and rejected batches are in the summary's errors;
  // the status is an error only when nothing could be tried (no such
  // directory, no dataset file in it, an unreadable or malformed file).
  absl::StatusOr<LoadSummary> Load(const std::string& dir);

 private:
  const Endpoints endpoints_;
  const LoadOptions options_;
  std::ostream& progress_;
};

// The summary as printed by `nq57ctl load`.
std::string FormatLoadSummary(const LoadSummary& summary);

}  // namespace nq57::ctl

#endif  // NQ57_TOOLS_NQ57CTL_DATASET_LOADER_H_
