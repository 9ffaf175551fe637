// PublicServiceCore: what the core needs from the store and the catalogue
// at start, and its clock. The operations live in publicservice_*.cc by
// concept (see publicservice_core.h).
#include "services/publicservice/publicservice_core.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "common/base/vietnam_time.h"
#include "services/publicservice/publicservice_aggregates.h"
#include "services/publicservice/publicservice_names.h"

namespace nq57::publicservice {

std::vector<std::string> PublicServiceCore::ColumnFamilies() {
  return {kProcedures,    kStats,     kMonthTotals,
          kCatalogDeltas, kReporters, kProcedureCodes};
}

absl::Status PublicServiceCore::CheckCatalog(const IndicatorCatalog& catalog) {
  auto need = [&](std::string_view code,
                  config::v1::MeasureKind kind) -> absl::Status {
    const auto* m = catalog.FindMeasure(code);
    if (m == nullptr || m->kind() != kind) {
      return absl::FailedPreconditionError(absl::StrCat(
          "indicator catalogue ", catalog.version(), " must define measure ",
          AbslView(code), " as ", config::v1::MeasureKind_Name(kind)));
    }
    return absl::OkStatus();
  };
  for (const auto& [code, value] : ToMeasures(v1::DossierCounts())) {
    RETURN_IF_ERROR(need(code, config::v1::FLOW));
  }
  for (const char* code : kStockMeasures) {
    RETURN_IF_ERROR(need(code, config::v1::STOCK));
  }
  return absl::OkStatus();
}

absl::CivilDay PublicServiceCore::Today() const {
  return absl::ToCivilDay(clock_.Now(), VietnamTime());
}

absl::CivilMonth PublicServiceCore::ThisMonth() const {
  return absl::ToCivilMonth(clock_.Now(), VietnamTime());
}

}  // namespace nq57::publicservice
