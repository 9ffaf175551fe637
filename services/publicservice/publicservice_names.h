// Names, codes and field checks of the public-service statistics service:
// how its resources are named ("{unit}/procedures/{code}",
// "{unit}/dossierStats/{month}/{procedures|fields}/{id}"), which codes and
// field names are accepted, the online levels and the catalogue measures
// they count as, and the validation every write shares. Everything here
// works without stored state; errors are INVALID_ARGUMENT naming the
// request field (NOT_FOUND for an unknown unit).
//
// Internal to services/publicservice. Pure functions and constants:
// thread-safe.
//
//   ASSIGN_OR_RETURN(ProcedureId id,
//                    ParseProcedureName(request.name(), "name", units));
//   if (!IsValidFieldName(in.field())) {
//     return InvalidFieldError("procedure.field", kFieldRule);
//   }
#ifndef NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_NAMES_H_
#define NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_NAMES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/units/unit_registry.h"
#include "nq57/publicservice/v1/publicservice.pb.h"

namespace nq57::publicservice {

// The infixes of resource names.
inline constexpr std::string_view kProceduresInfix = "/procedures/";
inline constexpr std::string_view kStatsInfix = "/dossierStats/";

// The catalogue's STOCK measures the procedure catalogue counts.
inline constexpr char kProceduresTotal[] = "procedures_total";
inline constexpr char kProceduresFull[] = "procedures_full_process";
inline constexpr char kProceduresPartial[] = "procedures_partial";
inline constexpr char kProceduresOffline[] = "procedures_offline";
inline constexpr const char* kStockMeasures[] = {
    kProceduresTotal, kProceduresFull, kProceduresPartial, kProceduresOffline};

// The STOCK measure a procedure of `level` counts in.
const char* LevelMeasure(v1::OnlineLevel level);

// A field name of a request item: `prefix` + `name` ("requests[2].stats." +
// "unit").
std::string Field(std::string_view prefix, std::string_view name);

// Field names ("land", "justice"): 1-64 of [a-z0-9_], starting with a
// letter.
bool IsValidFieldName(std::string_view field);
inline constexpr char kFieldRule[] =
    "1-64 of [a-z0-9_], starting with a letter (e.g. \"land\")";

// "{unit}/procedures/{code}".
std::string ProcedureName(std::string_view unit, std::string_view code);

// A procedure's owning unit and code, read from its resource name.
struct ProcedureId {
  const Unit* unit;
  std::string code;
};
// INVALID_ARGUMENT on `field` for a malformed name or code; NOT_FOUND for an
// unknown unit.
absl::StatusOr<ProcedureId> ParseProcedureName(std::string_view name,
                                               std::string_view field,
                                               const UnitRegistry& units);

// OK if `level` is FULL_PROCESS, PARTIAL or OFFLINE.
absl::Status CheckLevel(v1::OnlineLevel level, std::string_view field);
// OK if `name` is 1-1000 bytes.
absl::Status CheckDisplayName(const std::string& name, std::string_view field);

}  // namespace nq57::publicservice

#endif  // NQ57_SERVICES_PUBLICSERVICE_PUBLICSERVICE_NAMES_H_
