// The registry of administrative units every nq57 service reports against:
// Vietnam's 34 provinces and 3,321 communes since 1 July 2025, and the
// provincial agencies (sở, ban, ngành) that report to nq57.
//
// Units are versioned data, not code (DESIGN section 3): they are loaded at
// start from <config_dir>/units/ and validated:
//
//   provinces.csv  code,name,official_name,type,commune_count
//                  official 2-digit code; type tinh | thanh_pho;
//                  commune_count must equal the communes listed for it.
//   communes.csv   code,name,official_name,type,province_code
//                  official 5-digit code, unique nationally;
//                  type xa | phuong | dac_khu.
//   agencies.csv   code,name,province_code
//                  a LOCAL code (lowercase letters, digits and '-', starting
//                  with a letter), unique within its province; there is no
//                  official code for agencies.
//
// Each file declares "# version: X" before its header and all three must
// declare the same X, the registry's version(). Every unit's province must
// exist. A problem with a file is an InvalidArgumentError naming the file,
// the line and the problem ("<dir>/units/communes.csv:17: unknown province
// \"99\"").
//
// Units are named as AIP resources:
//   provinces/25                    Phú Thọ
//   provinces/25/communes/07900     Việt Trì
//   provinces/25/agencies/so-khcn   Sở Khoa học và Công nghệ
//
// Example:
//
//   ASSIGN_OR_RETURN(std::unique_ptr<UnitRegistry> units,
//                    UnitRegistry::Load("deploy/config"));
//   ASSIGN_OR_RETURN(const Unit* phu_tho, units->Lookup("provinces/25"));
//   for (const Unit* commune :
//        units->Children(phu_tho->name, UnitLevel::kCommune)) { ... }
//
// Thread-safety: a UnitRegistry is immutable after Load(); all its methods
// are const and may be called concurrently. The Unit pointers it returns are
// owned by the registry and valid for its lifetime.
#ifndef NQ57_COMMON_UNITS_UNIT_REGISTRY_H_
#define NQ57_COMMON_UNITS_UNIT_REGISTRY_H_

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace nq57 {

enum class UnitLevel { kProvince, kCommune, kAgency };

// "province", "commune" or "agency".
std::string_view UnitLevelName(UnitLevel level);

// The province a unit's resource name belongs to, read from the name alone:
// "provinces/25/communes/07900" -> "provinces/25"; empty when the name does
// not start with "provinces/".
std::string_view ProvinceOf(std::string_view unit);

// One administrative unit.
struct Unit {
  std::string name;          // resource name, "provinces/25/communes/07900"
  std::string code;          // last segment of `name`, "07900"
  std::string display_name;  // "Việt Trì"
  std::string official_name;  // "Phường Việt Trì"; agencies: as display_name
  std::string type;  // tinh | thanh_pho | xa | phuong | dac_khu | agency
  UnitLevel level = UnitLevel::kProvince;
  std::string parent;  // "provinces/25"; empty for provinces
};

struct UnitRegistryOptions {
  // The province this deployment serves ("provinces/25"): writes for a unit
  // outside it are input errors (LookupForWrite). Empty: the whole country.
  std::string province;
};

class UnitRegistry {
 public:
  // Reads and validates <config_dir>/units/{provinces,communes,agencies}.csv.
  // Errors: the file's read error (e.g. NotFound) if one is missing;
  // InvalidArgument naming file and line if one is malformed or inconsistent,
  // or if options.province is not a province of the files.
  static absl::StatusOr<std::unique_ptr<UnitRegistry>> Load(
      const std::string& config_dir, const UnitRegistryOptions& options = {});

  UnitRegistry(const UnitRegistry&) = delete;
  UnitRegistry& operator=(const UnitRegistry&) = delete;

  // The unit named `name`, or nullptr.
  const Unit* Find(std::string_view name) const;

  // The unit named `name`; INVALID_ARGUMENT if `name` is not a unit name
  // at all, NOT_FOUND (with a ResourceInfo) if no such unit exists.
  absl::StatusOr<const Unit*> Lookup(std::string_view name) const;

  // The unit a write names in request field `field`: as Lookup (a malformed
  // name is INVALID_ARGUMENT on `field`), and INVALID_ARGUMENT on `field`
  // naming the deployment's province when the unit is outside it. Every write
  // path of every service goes through it.
  absl::StatusOr<const Unit*> LookupForWrite(std::string_view name,
                                             std::string_view field) const;

  // The province this deployment serves, or empty for the whole country.
  const std::string& deployment_province() const {
    return deployment_province_;
  }

  // The units of `level` whose parent is `parent`, in file order (communes
  // in the official order): Children("provinces/25", kCommune) is Phú Thọ's
  // 148 communes; Children("", kProvince) is provinces(). Empty if `parent`
  // is unknown or has none.
  std::vector<const Unit*> Children(std::string_view parent,
                                    UnitLevel level) const;

  // All provinces, in file order (ascending code).
  const std::vector<const Unit*>& provinces() const { return provinces_; }

  // The version the unit files declare, e.g. "units-2025-07-01".
  const std::string& version() const { return version_; }

  // The number of units of all levels.
  size_t size() const { return units_.size(); }

 private:
  struct ChildLists {
    std::array<std::vector<const Unit*>, 3> by_level;  // index: UnitLevel
  };

  UnitRegistry(std::string version, std::vector<Unit> units,
               std::string deployment_province);

  const std::string version_;
  const std::string deployment_province_;
  const std::vector<Unit> units_;  // the pointers below point into it
  const absl::flat_hash_map<std::string, const Unit*> by_name_;
  const absl::flat_hash_map<std::string, ChildLists> children_;  // by parent
  const std::vector<const Unit*> provinces_;
};

}  // namespace nq57

#endif  // NQ57_COMMON_UNITS_UNIT_REGISTRY_H_
