// nq57-dataset-gen: writes the reference datasets (deploy/datasets/).
//
//   build/bin/nq57-dataset-gen --out_dir=deploy/datasets
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "common/units/unit_registry.h"
#include "tools/dataset_gen/dataset_generator.h"

ABSL_FLAG(std::string, config_dir, "deploy/config",
          "where the unit registry (units/) and the criteria labels "
          "(labels/criteria.csv) are");
ABSL_FLAG(std::string, out_dir, "deploy/datasets",
          "datasets are written to <out_dir>/<name>/");
ABSL_FLAG(uint64_t, seed, 20251023, "the generator's seed");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  auto units = nq57::UnitRegistry::Load(absl::GetFlag(FLAGS_config_dir));
  if (!units.ok()) {
    std::cerr << "nq57-dataset-gen: " << units.status() << "\n";
    return 1;
  }
  auto labels =
      nq57::CriteriaLabels::LoadFromConfig(absl::GetFlag(FLAGS_config_dir));
  if (!labels.ok()) {
    std::cerr << "nq57-dataset-gen: " << labels.status() << "\n";
    return 1;
  }
  absl::Status status =
      nq57::dataset::WriteDatasets(**units, **labels,
                                   {.out_dir = absl::GetFlag(FLAGS_out_dir),
                                    .seed = absl::GetFlag(FLAGS_seed)});
  if (!status.ok()) {
    std::cerr << "nq57-dataset-gen: " << status << "\n";
    return 1;
  }
  std::cout << "wrote datasets to " << absl::GetFlag(FLAGS_out_dir) << "\n";
  return 0;
}
