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
//     no query rescans raw records:
//       month totals      (scope, month) -> summed DossierCounts
//       catalogue deltas  (scope, day, measure) -> +n / -n procedures of a
//                         level that took effect (or ended) that day; the
//                         catalogue as of D is the sum over days <= D
//       reporters         (province, month, unit) -> records of the unit
//     A scope is a unit on its own, or a province with everything under it.
//     GetIndicators for a province over 12 months reads 12 month totals, the
//     catalogue deltas of the province (one entry per distinct effective
//     day and level) and the reporters of the range.
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
// Thread-safety: all methods are const and may be called concurrently. The
// store, registry and catalogue are not owned; the registry and catalogue
// must outlive the store (queued commits refer to them), the store must
// outlive the core.
//
//   PublicServiceCore core(store.get(), units.get(), catalog.get());
//   ASSIGN_OR_RETURN(CommitRequest commit,
//                    core.PrepareBatchReportDossierStats(request, "bench"));
//   ASSIGN_OR_RETURN(CommitResult result,
//                    store->CommitAndWait(std::move(commit)));
#ifndef NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_CORE_H_
#define NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_CORE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/indicators/indicator_catalog.h"
#include "common/store/store.h"
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

  // `now` is the clock that decides what is "in the future" and today's
  // date (Asia/Ho_Chi_Minh); tests may fix it.
  PublicServiceCore(Store* store, const UnitRegistry* units,
                    const IndicatorCatalog* catalog,
                    std::function<absl::Time()> now = absl::Now)
      : store_(store), units_(units), catalog_(catalog), now_(std::move(now)) {}

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
  Store* const store_;
  const UnitRegistry* const units_;
  const IndicatorCatalog* const catalog_;
  const std::function<absl::Time()> now_;
};

}  // namespace nq57::publicservice

#endif  // NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_CORE_H_
