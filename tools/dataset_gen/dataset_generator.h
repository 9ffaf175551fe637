// DatasetGenerator: writes the reference datasets nq57ctl loads — Phú Thọ,
// October 2025 (the seed report's figures, DESIGN section 7) and small
// synthetic provinces — as CSV files, deterministically from a seed.
//
// The output is a pure function of the unit registry, the criteria labels
// (deploy/config/labels/criteria.csv: block and group names in criterion
// titles) and the seed: the same
// inputs give byte-identical files, which is how the committed datasets under
// deploy/datasets/ are checked (dataset_generator_test). Totals that the seed
// report publishes are constructed exactly (block and group completion, the
// procedure catalogue, dossier statistics, Project 06 stocks and flows) and
// verified before anything is written.
//
// Files of a dataset directory (every file opens with "# " comment lines):
//   criteria.csv          code,title,source,source_reference,block,group,
//                         level,deadline
//   assignments.csv       criterion,target,assign_time (target: a province,
//                         meaning every unit of the criterion's level in it)
//   progress.csv          unit,criterion,state,complete_time,evidence,note
//   procedures.csv        unit,code,display_name,field,online_level,
//                         essential,level_effective_from
//   dossier_stats.csv     unit,month,field,<the DossierCounts fields>
//   metric_snapshots.csv  unit,as_of_date,source,metric,value
//
//   ASSIGN_OR_RETURN(auto units, UnitRegistry::Load("deploy/config"));
//   ASSIGN_OR_RETURN(auto labels,
//                    CriteriaLabels::LoadFromConfig("deploy/config"));
//   RETURN_IF_ERROR(
//       WriteDatasets(*units, *labels, {.out_dir = "deploy/datasets"}));
//
// Thread-compatible: pure functions.
#ifndef NQ57_TOOLS_DATASET_GEN_DATASET_GENERATOR_H_
#define NQ57_TOOLS_DATASET_GEN_DATASET_GENERATOR_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/labels/criteria_labels.h"
#include "common/units/unit_registry.h"

namespace nq57::dataset {

struct GeneratorOptions {
  // Datasets are written to <out_dir>/<dataset name>/.
  std::string out_dir;
  uint64_t seed = 20251023;
};

// The dataset directory names WriteDatasets writes, in order.
inline constexpr const char* kDatasetNames[] = {
    "phu-tho-2025-10", "synthetic-lai-chau-2025-10", "synthetic-hue-2025-10"};

// File name -> contents of one dataset.
using DatasetFiles = std::map<std::string, std::string>;

// The Phú Thọ reference dataset (provinces/25).
absl::StatusOr<DatasetFiles> GeneratePhuTho(const UnitRegistry& units,
                                            const CriteriaLabels& labels,
                                            uint64_t seed);
// A synthetic province: plausible, smaller, clearly marked synthetic.
absl::StatusOr<DatasetFiles> GenerateSynthetic(const UnitRegistry& units,
                                               const CriteriaLabels& labels,
                                               std::string_view province,
                                               uint64_t seed);

// Generates every dataset and writes it under options.out_dir.
absl::Status WriteDatasets(const UnitRegistry& units,
                           const CriteriaLabels& labels,
                           const GeneratorOptions& options);

}  // namespace nq57::dataset

#endif  // NQ57_TOOLS_DATASET_GEN_DATASET_GENERATOR_H_
