// PublicServiceCore: the domain logic of the public-service statistics
// service (issue 4) over a Store, the unit registry and the indicator
// catalogue, with no gRPC.
//
// What it keeps
//   * The procedure catalogue: one Procedure per (owning unit, code) with its
//     online level over time (level_history), so "the level on date D" is a
//     lookup.
//   * Dossier statistics: one DossierStats per (unit, month, procedure or
//     field). A second report for the same key replaces the first; the
//     change record carries both values, so nothing is counted twice.
//   * Aggregates, maintained in the same commit as the data they count, so
//     no query rescans raw records (month totals, catalogue deltas and
//     reporters; see publicservice_aggregates.h). GetIndicators for a
//     province over 12 months reads 12 month totals, the catalogue deltas of
//     the province (one entry per distinct effective day and level) and the
//     reporters of the range.
//
// Where each behaviour lives
//   publicservice_names.{h,cc}       resource names, codes, field checks
//   publicservice_aggregates.{h,cc}  column families, keys, aggregates
//   publicservice_core.cc            ColumnFamilies, CheckCatalog
//   publicservice_procedures.cc      Create/Update/Get/ListProcedures
//   publicservice_dossier_stats.cc   (Batch)ReportDossierStats
//   publicservice_indicators.cc      GetIndicators, ListIndicators (ranking)
//   publicservice_consistency.cc     VerifyAggregates (the recount)
//
// Writes are two-step: Prepare*() validates everything that does not need
// stored state (field-named INVALID_ARGUMENT, NOT_FOUND for an unknown unit)
// and returns a CommitRequest; its `apply` runs on the store's writer, reads
// the current state through the Transaction, and writes data, change records
// and aggregates together. A failed request writes nothing; a batch is all
// or nothing. The commit response is the serialized RPC response.
//
// Indicator formulas, constraints and colour thresholds come from the
// catalogue (deploy/config/indicators/publicservice.textproto); the field
// names of DossierCounts are its FLOW measure codes.
//
// Thread-safety: all methods are const and may be called concurrently.
// Ownership: the store, registry, catalogue and clock are not owned; the
// registry and catalogue must outlive the store (queued commits refer to
// them), the store and the clock must outlive the core.
//
//   PublicServiceCore core(store.get(), units.get(), catalog.get(),
//                          RealClock());
//   ASSIGN_OR_RETURN(CommitRequest commit,
//                    core.PrepareBatchReportDossierStats(request, "bench"));
//   ASSIGN_OR_RETURN(CommitResult result,
//                    store->CommitAndWait(std::move(commit)));
#ifndef NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_CORE_H_
#define NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_CORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/indicators/indicator_catalog.h"
#include "common/store/store.h"
#include "common/time/clock.h"
#include "common/units/unit_registry.h"
#include "nq57/publicservice/v1/publicservice.pb.h"

namespace nq57::publicservice {

class PublicServiceCore {
 public:
  // Most items in one BatchReportDossierStats.
  static constexpr int kMaxBatchItems = 5000;
  // Longest month range of an indicator query (ten years).
  static constexpr int kMaxMonths = 120;

  // The column families the core keeps; open the store with them.
  static std::vector<std::string> ColumnFamilies();

  // OK if `catalog` defines every measure the service records: each
  // DossierCounts field as a FLOW, and procedures_{total,full_process,
  // partial,offline} as STOCKs. Run once at start.
  static absl::Status CheckCatalog(const IndicatorCatalog& catalog);

  // `clock` decides what is "in the future" and today's date
  // (Asia/Ho_Chi_Minh): RealClock() in servers, a ManualClock in tests.
  PublicServiceCore(Store* store, const UnitRegistry* units,
                    const IndicatorCatalog* catalog, const Clock& clock)
      : store_(store), units_(units), catalog_(catalog), clock_(clock) {}

  // Indexes the codes of the stored procedures by province (what
  // statistics of a procedure are checked against) if this store has not
  // been indexed yet; one commit. Run once at start, before serving.
  absl::Status IndexProcedureCodes() const;

  // Writes.
  absl::StatusOr<CommitRequest> PrepareCreateProcedure(
      const v1::CreateProcedureRequest& request, std::string actor) const;
  absl::StatusOr<CommitRequest> PrepareUpdateProcedure(
      const v1::UpdateProcedureRequest& request, std::string actor) const;
  absl::StatusOr<CommitRequest> PrepareReportDossierStats(
      const v1::ReportDossierStatsRequest& request, std::string actor) const;
  absl::StatusOr<CommitRequest> PrepareBatchReportDossierStats(
      const v1::BatchReportDossierStatsRequest& request,
      std::string actor) const;

  // Reads of committed data.
  absl::StatusOr<v1::Procedure> GetProcedure(
      const v1::GetProcedureRequest& request) const;
  absl::StatusOr<v1::ListProceduresResponse> ListProcedures(
      const v1::ListProceduresRequest& request) const;
  absl::StatusOr<v1::UnitIndicators> GetIndicators(
      const v1::GetIndicatorsRequest& request) const;
  absl::StatusOr<v1::ListIndicatorsResponse> ListIndicators(
      const v1::ListIndicatorsRequest& request) const;

  // Recounts every aggregate from the raw records (procedures and dossier
  // statistics) and compares with the stored ones: OK if equal, INTERNAL
  // naming the first difference otherwise. A full scan: for tests and
  // operators, never on a request path.
  absl::Status VerifyAggregates() const;

 private:
  // Today in Viet Nam, by the clock.
  absl::CivilDay Today() const;
  absl::CivilMonth ThisMonth() const;

  Store* const store_;
  const UnitRegistry* const units_;
  const IndicatorCatalog* const catalog_;
  const Clock& clock_;
};

}  // namespace nq57::publicservice

#endif  // NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_CORE_H_
