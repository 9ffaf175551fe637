#include "common/units/unit_registry.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/base/absl_view.h"
#include "common/base/error_details.h"
#include "common/base/field_error.h"
#include "common/base/quote.h"
#include "common/base/status_macros.h"
#include "common/csv/csv_reader.h"

namespace nq57 {
namespace {

constexpr char kProvincesFile[] = "provinces.csv";
constexpr char kCommunesFile[] = "communes.csv";
constexpr char kAgenciesFile[] = "agencies.csv";

// absl::StrCat in Abseil 20220623 does not take std::string_view.
std::string Str(std::string_view text) { return std::string(text); }

bool IsDigits(std::string_view text, size_t length) {
  if (text.size() != length) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A local agency code: a lowercase letter, then lowercase letters, digits and
// single '-' separators ("so-khcn"). Never all digits, so never confusable
// with an official code.
bool IsLocalCode(std::string_view text) {
  if (text.empty() || text.front() < 'a' || text.front() > 'z' ||
      text.back() == '-' || text.find("--") != std::string_view::npos) {
    return false;
  }
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

// provinces/NN, provinces/NN/communes/NNNNN or provinces/NN/agencies/<code>.
bool IsWellFormedUnitName(std::string_view name) {
  constexpr std::string_view kProvinces = "provinces/";
  if (name.rfind(kProvinces, 0) != 0) return false;
  name.remove_prefix(kProvinces.size());
  if (!IsDigits(name.substr(0, 2), 2)) return false;
  name.remove_prefix(2);
  if (name.empty()) return true;
  constexpr std::string_view kCommunes = "/communes/";
  constexpr std::string_view kAgencies = "/agencies/";
  if (name.rfind(kCommunes, 0) == 0) {
    return IsDigits(name.substr(kCommunes.size()), 5);
  }
  return name.rfind(kAgencies, 0) == 0 &&
         IsLocalCode(name.substr(kAgencies.size()));
}

constexpr char kUnitNameRule[] =
    "expected provinces/NN, provinces/NN/communes/NNNNN or "
    "provinces/NN/agencies/<code>";

std::string ProvinceName(std::string_view code) {
  return absl::StrCat("provinces/", Str(code));
}

// Reads one unit file, checks its columns and that it declares a version.
absl::StatusOr<CsvTable> ReadUnitFile(
    const std::string& units_dir, const char* file,
    std::initializer_list<std::string_view> columns) {
  ASSIGN_OR_RETURN(CsvTable table,
                   CsvTable::ReadFile(absl::StrCat(units_dir, file)));
  RETURN_IF_ERROR(table.RequireColumns(columns));
  if (table.version().empty()) {
    return table.Error(table.header_line(),
                       "no \"# version: ...\" comment before the header");
  }
  return table;
}

// A field that must not be empty.
absl::StatusOr<std::string> Required(const CsvRow& row,
                                     std::string_view column) {
  std::string_view value = row.Get(column);
  if (value.empty()) return row.Error(absl::StrCat("empty ", Str(column)));
  return std::string(value);
}

// What Load knows about a province while it reads the other files.
struct ProvinceEntry {
  int64_t commune_count;
  int64_t communes_listed = 0;
};

absl::Status CheckSameVersion(const CsvTable& table, const CsvTable& first) {
  if (table.version() == first.version()) return absl::OkStatus();
  return table.Error(
      table.header_line(),
      absl::StrCat("version ", Quoted(table.version()), " differs from ",
                   Quoted(first.version()), " in ", first.source()));
}

}  // namespace

std::string_view UnitLevelName(UnitLevel level) {
  switch (level) {
    case UnitLevel::kProvince:
      return "province";
    case UnitLevel::kCommune:
      return "commune";
    case UnitLevel::kAgency:
      return "agency";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<UnitRegistry>> UnitRegistry::Load(
    const std::string& config_dir, const UnitRegistryOptions& options) {
  const std::string units_dir = absl::StrCat(config_dir, "/units/");
  ASSIGN_OR_RETURN(
      const CsvTable provinces,
      ReadUnitFile(units_dir, kProvincesFile,
                   {"code", "name", "official_name", "type", "commune_count"}));
  ASSIGN_OR_RETURN(
      const CsvTable communes,
      ReadUnitFile(units_dir, kCommunesFile,
                   {"code", "name", "official_name", "type", "province_code"}));
  ASSIGN_OR_RETURN(const CsvTable agencies,
                   ReadUnitFile(units_dir, kAgenciesFile,
                                {"code", "name", "province_code"}));
  RETURN_IF_ERROR(CheckSameVersion(communes, provinces));
  RETURN_IF_ERROR(CheckSameVersion(agencies, provinces));

  std::vector<Unit> units;
  units.reserve(provinces.rows().size() + communes.rows().size() +
                agencies.rows().size());
  // First line on which each resource name appears.
  absl::flat_hash_map<std::string, int> first_line;
  absl::flat_hash_map<std::string, ProvinceEntry> province_by_code;

  for (const CsvRow& row : provinces.rows()) {
    Unit unit;
    unit.level = UnitLevel::kProvince;
    unit.code = std::string(row.Get("code"));
    if (!IsDigits(unit.code, 2)) {
      return row.Error(absl::StrCat("province code ", Quoted(unit.code),
                                    " is not 2 digits"));
    }
    ASSIGN_OR_RETURN(unit.display_name, Required(row, "name"));
    ASSIGN_OR_RETURN(unit.official_name, Required(row, "official_name"));
    unit.type = std::string(row.Get("type"));
    if (unit.type != "tinh" && unit.type != "thanh_pho") {
      return row.Error(absl::StrCat("province type ", Quoted(unit.type),
                                    " is not tinh or thanh_pho"));
    }
    const std::string_view count = row.Get("commune_count");
    if (count.empty() || count.size() > 6 || !IsDigits(count, count.size())) {
      return row.Error(
          absl::StrCat("commune_count ", Quoted(count), " is not a number"));
    }
    unit.name = ProvinceName(unit.code);
    if (const auto [it, inserted] = first_line.emplace(unit.name, row.line());
        !inserted) {
      return row.Error(absl::StrCat("duplicate province code ",
                                    Quoted(unit.code), " (first on line ",
                                    it->second, ")"));
    }
    int64_t commune_count = 0;
    for (char digit : count) commune_count = commune_count * 10 + (digit - '0');
    province_by_code.emplace(unit.code,
                             ProvinceEntry{.commune_count = commune_count});
    units.push_back(std::move(unit));
  }

  for (const CsvRow& row : communes.rows()) {
    Unit unit;
    unit.level = UnitLevel::kCommune;
    unit.code = std::string(row.Get("code"));
    if (!IsDigits(unit.code, 5)) {
      return row.Error(
          absl::StrCat("commune code ", Quoted(unit.code), " is not 5 digits"));
    }
    ASSIGN_OR_RETURN(unit.display_name, Required(row, "name"));
    ASSIGN_OR_RETURN(unit.official_name, Required(row, "official_name"));
    unit.type = std::string(row.Get("type"));
    if (unit.type != "xa" && unit.type != "phuong" && unit.type != "dac_khu") {
      return row.Error(absl::StrCat("commune type ", Quoted(unit.type),
                                    " is not xa, phuong or dac_khu"));
    }
    const std::string_view province_code = row.Get("province_code");
    const auto province = province_by_code.find(AbslView(province_code));
    if (province == province_by_code.end()) {
      return row.Error(absl::StrCat("unknown province ", Quoted(province_code),
                                    " (not in ", provinces.source(), ")"));
    }
    // Commune codes are unique nationally, not only within a province.
    if (const auto [it, inserted] = first_line.emplace(
            absl::StrCat("communes/", unit.code), row.line());
        !inserted) {
      return row.Error(absl::StrCat("duplicate commune code ",
                                    Quoted(unit.code), " (first on line ",
                                    it->second, ")"));
    }
    ++province->second.communes_listed;
    unit.parent = ProvinceName(province_code);
    unit.name = absl::StrCat(unit.parent, "/communes/", unit.code);
    units.push_back(std::move(unit));
  }

  for (const CsvRow& row : agencies.rows()) {
    Unit unit;
    unit.type = "agency";
    unit.level = UnitLevel::kAgency;
    unit.code = std::string(row.Get("code"));
    if (!IsLocalCode(unit.code)) {
      return row.Error(absl::StrCat(
          "agency code ", Quoted(unit.code),
          " is not a local code (lowercase letters, digits and '-', starting "
          "with a letter)"));
    }
    ASSIGN_OR_RETURN(unit.display_name, Required(row, "name"));
    unit.official_name = unit.display_name;
    const std::string_view province_code = row.Get("province_code");
    if (!province_by_code.contains(AbslView(province_code))) {
      return row.Error(absl::StrCat("unknown province ", Quoted(province_code),
                                    " (not in ", provinces.source(), ")"));
    }
    unit.parent = ProvinceName(province_code);
    unit.name = absl::StrCat(unit.parent, "/agencies/", unit.code);
    if (const auto [it, inserted] = first_line.emplace(unit.name, row.line());
        !inserted) {
      return row.Error(absl::StrCat("duplicate agency code ", Quoted(unit.code),
                                    " in province ", Str(province_code),
                                    " (first on line ", it->second, ")"));
    }
    units.push_back(std::move(unit));
  }

  for (const CsvRow& row : provinces.rows()) {
    const ProvinceEntry& entry =
        province_by_code.find(AbslView(row.Get("code")))->second;
    if (entry.commune_count != entry.communes_listed) {
      return row.Error(
          absl::StrCat("commune_count is ", entry.commune_count, " but ",
                       communes.source(), " lists ", entry.communes_listed,
                       " communes of province ", Str(row.Get("code"))));
    }
  }

  if (!options.province.empty()) {
    const auto it =
        std::find_if(units.begin(), units.end(), [&](const Unit& u) {
          return u.name == options.province && u.level == UnitLevel::kProvince;
        });
    if (it == units.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--province: ", Quoted(options.province), " is not a province of ",
          units_dir, kProvincesFile, " (expected provinces/NN)"));
    }
  }
  return std::unique_ptr<UnitRegistry>(new UnitRegistry(
      Str(provinces.version()), std::move(units), options.province));
}

namespace {

absl::flat_hash_map<std::string, const Unit*> IndexByName(
    const std::vector<Unit>& units) {
  absl::flat_hash_map<std::string, const Unit*> index;
  index.reserve(units.size());
  for (const Unit& unit : units) index.emplace(unit.name, &unit);
  return index;
}

std::vector<const Unit*> UnitsOfLevel(const std::vector<Unit>& units,
                                      UnitLevel level) {
  std::vector<const Unit*> result;
  for (const Unit& unit : units) {
    if (unit.level == level) result.push_back(&unit);
  }
  return result;
}

}  // namespace

UnitRegistry::UnitRegistry(std::string version, std::vector<Unit> units,
                           std::string deployment_province)
    : version_(std::move(version)),
      deployment_province_(std::move(deployment_province)),
      units_(std::move(units)),
      by_name_(IndexByName(units_)),
      children_([this] {
        absl::flat_hash_map<std::string, ChildLists> children;
        for (const Unit& unit : units_) {
          children[unit.parent]
              .by_level[static_cast<size_t>(unit.level)]
              .push_back(&unit);
        }
        return children;
      }()),
      provinces_(UnitsOfLevel(units_, UnitLevel::kProvince)) {}

const Unit* UnitRegistry::Find(std::string_view name) const {
  const auto it = by_name_.find(AbslView(name));
  return it == by_name_.end() ? nullptr : it->second;
}

absl::StatusOr<const Unit*> UnitRegistry::Lookup(std::string_view name) const {
  if (const Unit* unit = Find(name); unit != nullptr) return unit;
  if (!IsWellFormedUnitName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "malformed unit name ", Quoted(name), ": ", kUnitNameRule));
  }
  return NotFoundResource("nq57.common.v1.Unit", name,
                          absl::StrCat("unknown unit ", Quoted(name)));
}

absl::StatusOr<const Unit*> UnitRegistry::LookupForWrite(
    std::string_view name, std::string_view field) const {
  absl::StatusOr<const Unit*> found = Lookup(name);
  // A malformed name is the request's field at fault.
  if (absl::IsInvalidArgument(found.status())) {
    return InvalidFieldError(field, std::string(found.status().message()));
  }
  ASSIGN_OR_RETURN(const Unit* unit, std::move(found));
  if (!deployment_province_.empty() &&
      ProvinceOf(unit->name) != deployment_province_) {
    return InvalidFieldError(
        field, absl::StrCat("unit ", Quoted(name),
                            " is outside this deployment's province ",
                            deployment_province_, "; nothing was written"));
  }
  return unit;
}

std::vector<const Unit*> UnitRegistry::Children(std::string_view parent,
                                                UnitLevel level) const {
  const auto it = children_.find(AbslView(parent));
  if (it == children_.end()) return {};
  return it->second.by_level[static_cast<size_t>(level)];
}

std::string_view ProvinceOf(std::string_view unit) {
  constexpr std::string_view kPrefix = "provinces/";
  if (unit.rfind(kPrefix, 0) != 0) return {};
  return unit.substr(0, unit.find('/', kPrefix.size()));
}

}  // namespace nq57
