#include "services/publicservice/publicservice_aggregates.h"

#include <optional>
#include <utility>

#include "common/base/status_macros.h"
#include "common/store/key_codec.h"
#include "common/time/months.h"
#include "common/time/proto_time.h"
#include "common/units/unit_registry.h"
#include "services/publicservice/publicservice_names.h"

namespace nq57::publicservice {

// ---- Keys -----------------------------------------------------------------

std::string ProcedureKey(std::string_view unit, std::string_view code) {
  return KeyBuilder().String(unit).String(code).Build();
}

std::string ProcedureCodeKey(std::string_view unit, std::string_view code) {
  return KeyBuilder().String(ProvinceOf(unit)).String(code).Build();
}

std::string ProcedureCodesIndexedKey() {
  // Not a province name, so no code key can be it.
  return KeyBuilder().String("#indexed").Build();
}

std::string StatsKey(std::string_view unit, uint64_t month,
                     std::string_view subject_kind, std::string_view id) {
  return KeyBuilder()
      .String(unit)
      .Uint64(month)
      .String(subject_kind)
      .String(id)
      .Build();
}

std::array<Scope, 2> CountedScopes(const Unit& unit) {
  return {Scope::Unit(unit.name), Scope::Tree(ProvinceOf(unit.name))};
}

std::string MonthTotalsKey(const Scope& scope, uint64_t month) {
  return KeyBuilder().String(scope.key()).Uint64(month).Build();
}

std::string CatalogDeltaKey(const Scope& scope, int64_t day,
                            std::string_view measure) {
  return KeyBuilder().String(scope.key()).Int64(day).String(measure).Build();
}

std::string ReportersKey(std::string_view province, uint64_t month,
                         std::string_view unit) {
  return KeyBuilder().String(province).Uint64(month).String(unit).Build();
}

// ---- Dossier counts as measures ----------------------------------------

MeasureValues ToMeasures(const v1::DossierCounts& counts) {
  MeasureValues out;
  const auto* descriptor = counts.GetDescriptor();
  const auto* reflection = counts.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    out[field->name()] = reflection->GetInt64(counts, field);
  }
  return out;
}

void AddCounts(const v1::DossierCounts& from, int64_t sign,
               v1::DossierCounts* into) {
  const auto* descriptor = from.GetDescriptor();
  const auto* reflection = from.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    reflection->SetInt64(into, field,
                         reflection->GetInt64(*into, field) +
                             sign * reflection->GetInt64(from, field));
  }
}

// ---- Writing aggregates -------------------------------------------------

void AggregateDelta::AddMonth(const Unit& unit, uint64_t month,
                              const v1::DossierCounts& counts, int64_t sign) {
  for (const Scope& scope : CountedScopes(unit)) {
    AddCounts(counts, sign, &months_[MonthTotalsKey(scope, month)]);
  }
}

void AggregateDelta::AddReporter(const Unit& unit, uint64_t month) {
  ++reporters_[ReportersKey(ProvinceOf(unit.name), month, unit.name)];
}

void AggregateDelta::AddCatalog(const Unit& unit, absl::CivilDay day,
                                std::string_view measure, int64_t n) {
  for (const Scope& scope : CountedScopes(unit)) {
    catalog_[CatalogDeltaKey(scope, DayNumber(day), measure)] += n;
  }
}

absl::Status AggregateDelta::Apply(Transaction& txn) const {
  for (const auto& [key, delta] : months_) {
    ASSIGN_OR_RETURN(std::optional<std::string> stored,
                     txn.Get(kMonthTotals, key));
    v1::DossierCounts total;
    if (stored.has_value() && !total.ParseFromString(*stored)) {
      return absl::DataLossError("corrupt month totals");
    }
    AddCounts(delta, 1, &total);
    RETURN_IF_ERROR(txn.Put(kMonthTotals, key, total.SerializeAsString()));
  }
  for (const auto& [key, n] : reporters_) {
    RETURN_IF_ERROR(txn.AddToCounter(kReporters, key, n).status());
  }
  for (const auto& [key, n] : catalog_) {
    if (n == 0) continue;
    RETURN_IF_ERROR(txn.AddToCounter(kCatalogDeltas, key, n).status());
  }
  return absl::OkStatus();
}

void AddHistory(const Unit& unit, const v1::Procedure& procedure, int64_t sign,
                AggregateDelta* delta) {
  const auto& history = procedure.level_history();
  for (int i = 0; i < history.size(); ++i) {
    const absl::CivilDay from = FromProtoDate(history[i].effective_from());
    if (i == 0) delta->AddCatalog(unit, from, kProceduresTotal, sign);
    delta->AddCatalog(unit, from, LevelMeasure(history[i].level()), sign);
    if (i + 1 < history.size()) {
      delta->AddCatalog(unit, FromProtoDate(history[i + 1].effective_from()),
                        LevelMeasure(history[i].level()), -sign);
    }
  }
}

// ---- Reading aggregates -------------------------------------------------

absl::Status ReadFlows(const Store& store, const Scope& scope,
                       const MonthSpan& span, const Snapshot* snapshot,
                       MeasureValues* values, bool* reported) {
  v1::DossierCounts total;
  bool corrupt = false;
  *reported = false;
  RETURN_IF_ERROR(store.Scan(
      kMonthTotals, MonthTotalsKey(scope, MonthIndex(span.first)),
      MonthTotalsKey(scope, MonthIndex(span.last) + 1),
      [&](std::string_view, std::string_view value) {
        v1::DossierCounts counts;
        if (!counts.ParseFromArray(value.data(),
                                   static_cast<int>(value.size()))) {
          corrupt = true;
          return false;
        }
        AddCounts(counts, 1, &total);
        *reported = true;
        return true;
      },
      snapshot));
  if (corrupt) return absl::DataLossError("corrupt month totals");
  for (const auto& [code, value] : ToMeasures(total)) (*values)[code] = value;
  return absl::OkStatus();
}

absl::Status ReadStocks(const Store& store, const Scope& scope,
                        absl::CivilDay day, const Snapshot* snapshot,
                        MeasureValues* values) {
  for (const char* m : kStockMeasures) (*values)[m] = 0;
  const std::string prefix = KeyBuilder().String(scope.key()).Build();
  const std::string end =
      KeyBuilder().String(scope.key()).Int64(DayNumber(day) + 1).Build();
  bool corrupt = false;
  RETURN_IF_ERROR(store.Scan(
      kCatalogDeltas, prefix, end,
      [&](std::string_view key, std::string_view value) {
        KeyReader reader(key);
        std::string scope_key, measure;
        int64_t d;
        uint64_t raw;
        if (!reader.String(&scope_key) || !reader.Int64(&d) ||
            !reader.String(&measure) || !DecodeUint64(value, &raw)) {
          corrupt = true;
          return false;
        }
        (*values)[measure] += static_cast<int64_t>(raw);
        return true;
      },
      snapshot));
  if (corrupt) return absl::DataLossError("corrupt catalogue delta");
  return absl::OkStatus();
}

absl::Status ReadReporters(const Store& store, std::string_view province,
                           const MonthSpan& span, const Snapshot* snapshot,
                           std::set<std::string, std::less<>>* reported) {
  bool corrupt = false;
  RETURN_IF_ERROR(store.Scan(
      kReporters,
      KeyBuilder().String(province).Uint64(MonthIndex(span.first)).Build(),
      KeyBuilder().String(province).Uint64(MonthIndex(span.last) + 1).Build(),
      [&](std::string_view key, std::string_view) {
        KeyReader reader(key);
        std::string p, unit;
        uint64_t month;
        if (!reader.String(&p) || !reader.Uint64(&month) ||
            !reader.String(&unit)) {
          corrupt = true;
          return false;
        }
        reported->insert(std::move(unit));
        return true;
      },
      snapshot));
  if (corrupt) return absl::DataLossError("corrupt reporters index");
  return absl::OkStatus();
}

absl::StatusOr<UnitMeasures> ReadUnitMeasures(
    const Store& store, const Unit& unit, const MonthSpan& span,
    absl::CivilDay day, const Snapshot* snapshot, bool* reported) {
  UnitMeasures out;
  out.unit = unit.name;
  const Scope scope = Scope::Unit(unit.name);
  RETURN_IF_ERROR(
      ReadFlows(store, scope, span, snapshot, &out.values, reported));
  RETURN_IF_ERROR(ReadStocks(store, scope, day, snapshot, &out.values));
  return out;
}

}  // namespace nq57::publicservice
