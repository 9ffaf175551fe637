// The Project 06 section of a dataset (metric_snapshots.csv): every
// commune's e-identity and digital-service metrics as of one day, the
// province's totals apportioned exactly over the communes.
#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/csv/csv_writer.h"
#include "tools/dataset_gen/dataset_sections.h"

namespace nq57::dataset {
namespace {

constexpr char kSnapshotDate[] = "2025-10-20";

// Splits `total` over `weights` exactly (largest remainder, ties to the
// earlier unit).
std::vector<int64_t> Apportion(int64_t total,
                               const std::vector<int64_t>& weights) {
  __int128 sum = 0;
  for (int64_t w : weights) sum += w;
  std::vector<int64_t> out(weights.size());
  std::vector<std::pair<__int128, size_t>> remainders;
  int64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const __int128 scaled = static_cast<__int128>(total) * weights[i];
    out[i] = static_cast<int64_t>(scaled / sum);
    given += out[i];
    remainders.push_back({scaled % sum, i});
  }
  std::stable_sort(
      remainders.begin(), remainders.end(),
      [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < total; ++k, ++given) {
    ++out[remainders[k % remainders.size()].second];
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> SnapshotsCsv(
    std::string_view dataset, bool synthetic, uint64_t seed,
    const std::vector<const Unit*>& communes, const SnapshotTotals& t,
    SeededRandom& random) {
  std::vector<int64_t> population;
  for (size_t i = 0; i < communes.size(); ++i) {
    population.push_back(random.Uniform(6000, 30000));
  }
  const auto issued = Apportion(t.issued, population);
  const auto activated = Apportion(t.activated, issued);
  const auto level2 = Apportion(t.level2, activated);
  const auto chip = Apportion(t.chip_cards, population);
  const auto collected = Apportion(t.collected, population);
  const auto cleaned = Apportion(t.cleaned, collected);
  const auto parcels = Apportion(t.parcels, population);
  const auto pension = Apportion(t.pension_recipients, population);
  const auto pension_acc = Apportion(t.pension_accounts, pension);
  const auto si = Apportion(t.si_payments, population);
  const auto si_acc = Apportion(t.si_accounts, si);
  const auto households = Apportion(t.households, population);
  const auto einvoice = Apportion(t.einvoice, households);
  const auto electricity = Apportion(t.electricity, population);
  const auto cashless = Apportion(t.electricity_cashless, electricity);
  std::string out =
      Header(dataset, synthetic, seed,
             absl::StrCat(
                 "Project 06 snapshots of every commune as of ", kSnapshotDate,
                 " (metric codes: deploy/config/indicators/"
                 "eidentity.textproto; FLOWs count the month of the date)"));
  AppendCsvRow(out, {"unit", "as_of_date", "source", "metric", "value"});
  for (size_t i = 0; i < communes.size(); ++i) {
    if (activated[i] > issued[i] || cleaned[i] > collected[i] ||
        pension_acc[i] > pension[i] || si_acc[i] > si[i] ||
        einvoice[i] > households[i] || cashless[i] > electricity[i]) {
      return absl::InternalError(
          absl::StrCat(communes[i]->name, ": a numerator exceeds its total"));
    }
    const int64_t provided = 25;
    const int64_t online = random.Uniform(18, 25);
    const std::pair<const char*, std::vector<std::pair<const char*, int64_t>>>
        sources[] = {{"vneid",
                      {{"eid_accounts_issued", issued[i]},
                       {"eid_accounts_activated", activated[i]},
                       {"eid_level1_activated", activated[i] - level2[i]},
                       {"eid_level2_activated", level2[i]},
                       {"chip_id_cards_issued", chip[i]}}},
                     {"c06",
                      {{"population_records_collected", collected[i]},
                       {"population_records_cleaned", cleaned[i]}}},
                     {"land",
                      {{"land_parcels_in_database", parcels[i]},
                       {"land_database_connected_communes", 1}}},
                     {"bhxh",
                      {{"pension_monthly_recipients", pension[i]},
                       {"pension_paid_to_accounts", pension_acc[i]},
                       {"social_insurance_one_time_payments", si[i]},
                       {"social_insurance_one_time_to_accounts", si_acc[i]}}},
                     {"tax",
                      {{"business_households", households[i]},
                       {"business_households_einvoice", einvoice[i]}}},
                     {"evn",
                      {{"electricity_customers", electricity[i]},
                       {"electricity_customers_cashless", cashless[i]}}},
                     {"dvc",
                      {{"essential_services_provided", provided},
                       {"essential_services_online", online}}}};
    for (const auto& [source, values] : sources) {
      for (const auto& [metric, value] : values) {
        AppendCsvRow(out, {communes[i]->name, kSnapshotDate, source, metric,
                           absl::StrCat(value)});
      }
    }
  }
  return out;
}

}  // namespace nq57::dataset
