// The sections of a generated dataset, one file each. Internal to
// tools/dataset_gen: the entry points are in dataset_generator.h.
//
//   dataset_sections.cc         times in Vietnam and the "# " file header
//   criteria_catalogue.cc       criteria.csv, assignments.csv, progress.csv
//   procedures_csv.cc           procedures.csv
//   dossier_stats_csv.cc        dossier_stats.csv (and NumeratorFor)
//   project06_snapshots_csv.cc  metric_snapshots.csv
//   dataset_generator.cc        README.md and the driver
//
// Each section is a pure function of its arguments and of the SeededRandom
// it draws from: the driver's order of calls fixes the bytes of every file.
// Thread-compatible: a SeededRandom is not shared between threads.
#ifndef NQ57_TOOLS_DATASET_GEN_DATASET_SECTIONS_H_
#define NQ57_TOOLS_DATASET_GEN_DATASET_SECTIONS_H_

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/labels/criteria_labels.h"
#include "common/units/unit_registry.h"

namespace nq57::dataset {

// splitmix64: a tiny, fully specified generator, so the output does not
// depend on the standard library's distributions.
class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int64_t Uniform(int64_t lo, int64_t hi) {
    return lo +
           static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  // `count` distinct indices of [0, n), in increasing order.
  std::vector<size_t> Choose(size_t n, size_t count) {
    std::vector<size_t> all(n);
    std::iota(all.begin(), all.end(), 0);
    for (size_t i = 0; i < count; ++i) {
      std::swap(all[i], all[i + static_cast<size_t>(Uniform(0, n - i - 1))]);
    }
    all.resize(count);
    std::sort(all.begin(), all.end());
    return all;
  }

 private:
  uint64_t state_;
};

// `t` in Vietnam time, e.g. "2025-07-01T08:00:00+07:00".
std::string Rfc3339(absl::Time t);
// The minute y-m-d hh:mm in Vietnam time.
absl::Time At(int y, int m, int d, int hh = 0, int mm = 0);

// The "# " comment lines every CSV file of a dataset opens with.
std::string Header(std::string_view dataset, bool synthetic, uint64_t seed,
                   std::string_view what);

// ---- criteria_catalogue.cc

// OK if `labels` names every block and group of the plan.
absl::Status CheckLabels(const CriteriaLabels& labels);
// The catalogue is national: every dataset carries the same file, so loading
// a second dataset replays the first one's criteria.
std::string CriteriaCsv(const CriteriaLabels& labels, uint64_t seed);
std::string AssignmentsCsv(std::string_view dataset, bool synthetic,
                           uint64_t seed, std::string_view province,
                           bool has_agencies);
// Progress for Phú Thọ (`synthetic` false: the seed's exact completed
// counts) or a synthetic province (a random completion rate per block x
// group, some tasks late or overdue). An impossible plan sets `status`.
std::string ProgressCsv(std::string_view dataset, bool synthetic, uint64_t seed,
                        const Unit& province,
                        const std::vector<const Unit*>& communes,
                        const std::vector<const Unit*>& agencies,
                        SeededRandom& random, absl::Status& status);

// ---- procedures_csv.cc

// `full` + `partial` + `offline` procedures, levels shuffled; owned by the
// agency of their field (`by_agency`) or by the province.
std::string ProceduresCsv(std::string_view dataset, bool synthetic,
                          uint64_t seed, const Unit& province, int full,
                          int partial, int offline, bool by_agency,
                          SeededRandom& random);

// ---- dossier_stats_csv.cc

// The smallest numerator over `den` whose percentage renders as `text`
// (half-up, `decimals` decimals).
absl::StatusOr<int64_t> NumeratorFor(int64_t den, std::string_view text,
                                     int decimals);
// Every commune x field's counts for the month; `exact`: adjusted to the
// seed report's digitisation and reuse rates.
absl::StatusOr<std::string> DossierStatsCsv(
    std::string_view dataset, bool synthetic, uint64_t seed,
    const std::vector<const Unit*>& communes, bool exact, SeededRandom& random);

// ---- project06_snapshots_csv.cc

// The province's totals the snapshots add up to.
struct SnapshotTotals {
  int64_t issued, activated, level2, chip_cards, collected, cleaned, parcels;
  int64_t pension_recipients, pension_accounts, si_payments, si_accounts;
  int64_t households, einvoice, electricity, electricity_cashless;
};

absl::StatusOr<std::string> SnapshotsCsv(
    std::string_view dataset, bool synthetic, uint64_t seed,
    const std::vector<const Unit*>& communes, const SnapshotTotals& t,
    SeededRandom& random);

}  // namespace nq57::dataset

#endif  // NQ57_TOOLS_DATASET_GEN_DATASET_SECTIONS_H_
