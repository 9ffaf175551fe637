// The store layout of the public-service statistics service and its
// aggregates: the column families, the keys of raw records and of the
// aggregates kept beside them, the arithmetic on DossierCounts, the
// per-commit AggregateDelta that writes them, and the reads GetIndicators
// and ListIndicators make of them.
//
// Aggregates (a scope is a unit on its own, Scope::Unit, or a province with
// everything under it, Scope::Tree; Scope::key() is one key component):
//   month totals      (scope, month) -> summed DossierCounts
//   catalogue deltas  (scope, day, measure) -> +n / -n procedures of a level
//                     that took effect (or ended) that day; the catalogue
//                     as of D is the sum over days <= D
//   reporters         (province, month, unit) -> records of the unit
// They are written in the same commit as the data they count (see
// AggregateDelta) and recounted by PublicServiceCore::VerifyAggregates.
//
// Internal to services/publicservice. AggregateDelta is a value built and
// applied by one commit (not thread-safe); the functions are thread-safe
// (reads go through the thread-safe Store, at an optional snapshot).
#ifndef NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_AGGREGATES_H_
#define NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_AGGREGATES_H_

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/indicators/indicator_catalog.h"
#include "common/indicators/indicator_evaluator.h"
#include "common/store/store.h"
#include "common/units/scope.h"
#include "common/units/unit_registry.h"
#include "nq57/publicservice/v1/publicservice.pb.h"

namespace nq57::publicservice {

// ---- Column families ------------------------------------------------------

inline constexpr char kProcedures[] =
    "procedures";  // (unit, code) -> Procedure
inline constexpr char kStats[] =
    "dossier_stats";  // (unit, month, kind, id) -> DossierStats
inline constexpr char kMonthTotals[] = "month_totals";  // (scope, month)
inline constexpr char kCatalogDeltas[] =
    "catalog_deltas";                              // (scope, day, measure)
inline constexpr char kReporters[] = "reporters";  // (province, month, unit)
// (province, code) -> "": the codes of the province's procedure catalogue
// (any owning unit of the province), which statistics of a procedure must
// name. Filled by CreateProcedure; IndexProcedureCodes() backfills a store
// made before it existed, once, and marks it done under
// ProcedureCodesIndexedKey().
inline constexpr char kProcedureCodes[] = "procedure_codes";

// ---- Keys -----------------------------------------------------------------

std::string ProcedureKey(std::string_view unit, std::string_view code);
// The kProcedureCodes key of `code` in the province of `unit`.
std::string ProcedureCodeKey(std::string_view unit, std::string_view code);
// The kProcedureCodes key that says the index is complete.
std::string ProcedureCodesIndexedKey();
// `subject_kind` is "procedures" or "fields"; `month` a MonthIndex.
std::string StatsKey(std::string_view unit, uint64_t month,
                     std::string_view subject_kind, std::string_view id);

// The scopes a unit's data counts in: itself, and its province's tree.
std::array<Scope, 2> CountedScopes(const Unit& unit);

std::string MonthTotalsKey(const Scope& scope, uint64_t month);
std::string CatalogDeltaKey(const Scope& scope, int64_t day,
                            std::string_view measure);
std::string ReportersKey(std::string_view province, uint64_t month,
                         std::string_view unit);

// ---- Dossier counts as measures ----------------------------------------

// Every DossierCounts field by name (the catalogue's FLOW measure codes).
MeasureValues ToMeasures(const v1::DossierCounts& counts);
// into += sign * from, field by field.
void AddCounts(const v1::DossierCounts& from, int64_t sign,
               v1::DossierCounts* into);

// ---- Writing aggregates -------------------------------------------------

// Aggregate changes of one commit, summed in memory and written once per
// key at the end (a batch of 5,000 reports of one commune touches two
// month-total keys, not 10,000).
class AggregateDelta {
 public:
  // `month` is a MonthIndex.
  void AddMonth(const Unit& unit, uint64_t month,
                const v1::DossierCounts& counts, int64_t sign);
  void AddReporter(const Unit& unit, uint64_t month);
  void AddCatalog(const Unit& unit, absl::CivilDay day,
                  std::string_view measure, int64_t n);

  // Adds every change to the stored aggregates.
  absl::Status Apply(Transaction& txn) const;

  // For the recount: the same maps, built from raw records.
  const std::map<std::string, v1::DossierCounts>& months() const {
    return months_;
  }
  const std::map<std::string, int64_t>& reporters() const { return reporters_; }
  const std::map<std::string, int64_t>& catalog() const { return catalog_; }

 private:
  std::map<std::string, v1::DossierCounts> months_;
  std::map<std::string, int64_t> reporters_;
  std::map<std::string, int64_t> catalog_;
};

// The catalogue contribution of one procedure's level history, times
// `sign`: +1 for each level from its date, -1 from the next level's date;
// +1 total from the first date.
void AddHistory(const Unit& unit, const v1::Procedure& procedure, int64_t sign,
                AggregateDelta* delta);

// ---- Reading aggregates -------------------------------------------------

// An inclusive range of months.
struct MonthSpan {
  absl::CivilMonth first;
  absl::CivilMonth last;
};

// Summed flows of `scope` over `span` into `values`; `reported` tells
// whether any month had a report.
absl::Status ReadFlows(const Store& store, const Scope& scope,
                       const MonthSpan& span, const Snapshot* snapshot,
                       MeasureValues* values, bool* reported);

// The catalogue counts (kStockMeasures) of `scope` as of `day`.
absl::Status ReadStocks(const Store& store, const Scope& scope,
                        absl::CivilDay day, const Snapshot* snapshot,
                        MeasureValues* values);

// The units under `province` that reported in the span.
absl::Status ReadReporters(const Store& store, std::string_view province,
                           const MonthSpan& span, const Snapshot* snapshot,
                           std::set<std::string, std::less<>>* reported);

// One unit's own measures (its Scope::Unit) over the span and as of the day.
absl::StatusOr<UnitMeasures> ReadUnitMeasures(
    const Store& store, const Unit& unit, const MonthSpan& span,
    absl::CivilDay day, const Snapshot* snapshot, bool* reported);

}  // namespace nq57::publicservice

#endif  // NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_AGGREGATES_H_
