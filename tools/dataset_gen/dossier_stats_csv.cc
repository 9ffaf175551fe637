// The dossier statistics section of a dataset (dossier_stats.csv): one
// month's flows per commune and field, adjusted so that the Phú Thọ totals
// render as the seed report publishes them.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "common/ratio/ratio.h"
#include "tools/dataset_gen/dataset_sections.h"

namespace nq57::dataset {
namespace {

constexpr char kMonth[] = "2025-10";

constexpr const char* kDossierFields[] = {"land", "justice", "social_insurance",
                                          "business"};
constexpr const char* kCountColumns[] = {"dossiers_received_online",
                                         "dossiers_received_in_person",
                                         "dossiers_received_by_post",
                                         "dossiers_processed",
                                         "dossiers_processed_on_time",
                                         "dossiers_processed_late",
                                         "dossiers_digitised",
                                         "results_issued",
                                         "results_digitised",
                                         "results_reused",
                                         "fee_payments",
                                         "fees_paid_online"};
enum Count {
  kOnline,
  kInPerson,
  kByPost,
  kProcessed,
  kOnTime,
  kLate,
  kDigitised,
  kResultsIssued,
  kResultsDigitised,
  kReused,
  kFees,
  kFeesOnline,
  kCounts
};

struct DossierRow {
  const Unit* unit;
  const char* field;
  int64_t c[kCounts];
};

// Moves `delta` units into (delta > 0) or out of column `col` of `rows`,
// keeping each row within [0, cap(row)].
template <typename Cap>
void Spread(std::vector<DossierRow>& rows, int col, int64_t delta, Cap cap) {
  while (delta != 0) {
    bool moved = false;
    for (DossierRow& r : rows) {
      if (delta > 0 && r.c[col] < cap(r)) {
        ++r.c[col];
        --delta;
        moved = true;
      } else if (delta < 0 && r.c[col] > 0) {
        --r.c[col];
        ++delta;
        moved = true;
      }
      if (delta == 0) break;
    }
    if (!moved) break;
  }
}

absl::StatusOr<std::string> Percent(int64_t num, int64_t den, int decimals,
                                    RoundingMode mode = RoundingMode::kHalfUp) {
  return RenderPercent(Ratio{num, den}, mode, decimals);
}

}  // namespace

// The smallest numerator over `den` that renders as `text` (half-up), found
// from `permyriad_floor` (text * 100, minus a half step).
absl::StatusOr<int64_t> NumeratorFor(int64_t den, std::string_view text,
                                     int decimals) {
  double target = std::stod(std::string(text)) / 100.0;
  int64_t guess = static_cast<int64_t>(target * static_cast<double>(den)) - 3;
  for (int64_t n = std::max<int64_t>(0, guess); n <= guess + 8 && n <= den;
       ++n) {
    ASSIGN_OR_RETURN(std::string s, Percent(n, den, decimals));
    if (s == text) return n;
  }
  return absl::InternalError(
      absl::StrCat("no numerator over ", den, " renders as ", AbslView(text)));
}

absl::StatusOr<std::string> DossierStatsCsv(
    std::string_view dataset, bool synthetic, uint64_t seed,
    const std::vector<const Unit*>& communes, bool exact,
    SeededRandom& random) {
  std::vector<DossierRow> rows;
  for (const Unit* u : communes) {
    for (const char* field : kDossierFields) {
      DossierRow r{u, field, {}};
      int64_t* c = r.c;
      c[kOnline] = random.Uniform(40, 400);
      c[kInPerson] = random.Uniform(10, 150);
      c[kByPost] = random.Uniform(0, 10);
      const int64_t received = c[kOnline] + c[kInPerson] + c[kByPost];
      c[kProcessed] = received * random.Uniform(90, 99) / 100;
      c[kLate] = c[kProcessed] * random.Uniform(0, 3) / 100;
      c[kOnTime] = c[kProcessed] - c[kLate];
      c[kDigitised] = received * random.Uniform(76, 90) / 100;
      c[kResultsIssued] = c[kProcessed];
      c[kResultsDigitised] = c[kResultsIssued] * random.Uniform(76, 90) / 100;
      c[kReused] = c[kResultsDigitised] * random.Uniform(74, 87) / 100;
      c[kFees] = received * random.Uniform(10, 50) / 100;
      c[kFeesOnline] = c[kFees] * random.Uniform(30, 80) / 100;
      rows.push_back(r);
    }
  }
  auto total = [&](std::initializer_list<int> cols) {
    int64_t t = 0;
    for (const DossierRow& r : rows) {
      for (int col : cols) t += r.c[col];
    }
    return t;
  };
  if (exact) {
    // DIGITISATION_RATE = (dossiers_digitised + results_digitised) /
    // (received + results_issued) = 83.20% (half-up, 2 decimals).
    const int64_t den = total({kOnline, kInPerson, kByPost, kResultsIssued});
    ASSIGN_OR_RETURN(int64_t want, NumeratorFor(den, "83.20", 2));
    Spread(rows, kDigitised, want - total({kDigitised, kResultsDigitised}),
           [](const DossierRow& r) {
             return r.c[kOnline] + r.c[kInPerson] + r.c[kByPost];
           });
    // REUSE_RATE = results_reused / results_digitised = 80.47%.
    ASSIGN_OR_RETURN(int64_t reused,
                     NumeratorFor(total({kResultsDigitised}), "80.47", 2));
    Spread(rows, kReused, reused - total({kReused}),
           [](const DossierRow& r) { return r.c[kResultsDigitised]; });
    ASSIGN_OR_RETURN(
        std::string digitisation,
        Percent(total({kDigitised, kResultsDigitised}),
                total({kOnline, kInPerson, kByPost, kResultsIssued}), 2));
    ASSIGN_OR_RETURN(std::string reuse,
                     Percent(total({kReused}), total({kResultsDigitised}), 2));
    if (digitisation != "83.20" || reuse != "80.47") {
      return absl::InternalError(absl::StrCat("dossier statistics give ",
                                              digitisation, " and ", reuse));
    }
  }
  std::string out = Header(dataset, synthetic, seed,
                           absl::StrCat("dossier statistics for ", kMonth,
                                        ", per commune and field (flows)"));
  std::vector<std::string> header = {"unit", "month", "field"};
  for (const char* col : kCountColumns) header.push_back(col);
  out += absl::StrJoin(header, ",") + "\n";
  for (const DossierRow& r : rows) {
    std::vector<std::string> fields = {r.unit->name, kMonth, r.field};
    for (int64_t v : r.c) fields.push_back(absl::StrCat(v));
    out += absl::StrJoin(fields, ",") + "\n";
  }
  return out;
}

}  // namespace nq57::dataset
