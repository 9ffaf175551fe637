#include "services/publicservice/publicservice_core.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/base/request_fingerprint.h"
#include "common/base/status_macros.h"
#include "common/base/vietnam_time.h"
#include "common/indicators/indicator_evaluator.h"
#include "common/store/key_codec.h"
#include "google/protobuf/util/time_util.h"

namespace nq57::publicservice {
namespace {

using changes::v1::ChangeKind;
using ::google::protobuf::Timestamp;
using ::google::protobuf::util::TimeUtil;

// Column families.
constexpr char kProcedures[] = "procedures";  // (unit, code) -> Procedure
constexpr char kStats[] = "dossier_stats";  // (unit, month, kind, id) -> stats
constexpr char kMonthTotals[] = "month_totals";      // (scope, month) -> counts
constexpr char kCatalogDeltas[] = "catalog_deltas";  // (scope, day, measure)
constexpr char kReporters[] = "reporters";  // (province, month, unit) -> n

// Scope kinds: a unit on its own, or a province with everything under it.
constexpr char kUnitScope[] = "u";
constexpr char kTreeScope[] = "t";

// Catalogue measures (STOCK).
constexpr char kProceduresTotal[] = "procedures_total";
constexpr char kProceduresFull[] = "procedures_full_process";
constexpr char kProceduresPartial[] = "procedures_partial";
constexpr char kProceduresOffline[] = "procedures_offline";

constexpr std::string_view kProceduresInfix = "/procedures/";
constexpr std::string_view kStatsInfix = "/dossierStats/";
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
// The largest count accepted in a report: keeps every sum far from int64
// overflow.
constexpr int64_t kMaxCount = 1'000'000'000'000;
constexpr int kMinYear = 2000;
constexpr char kTieRule[] =
    "competition ranking: equal ratios share a rank (1, 2, 2, 4) and are "
    "listed by unit name; units with no data are unranked and last";

Timestamp ToProto(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

std::string Field(std::string_view prefix, std::string_view name) {
  return absl::StrCat(AbslView(prefix), AbslView(name));
}

// ---- Codes, names, dates, months ----------------------------------------

bool IsValidCode(std::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  if (!absl::ascii_isalnum(static_cast<unsigned char>(code[0]))) return false;
  for (char ch : code) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '.' &&
        ch != '_' && ch != '-') {
      return false;
    }
  }
  return true;
}
constexpr char kCodeRule[] =
    "1-64 of [A-Za-z0-9._-], starting with a letter or digit";

bool IsValidFieldName(std::string_view field) {
  if (field.empty() || field.size() > 64) return false;
  if (!absl::ascii_islower(static_cast<unsigned char>(field[0]))) return false;
  for (char ch : field) {
    if (!absl::ascii_islower(static_cast<unsigned char>(ch)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(ch)) && ch != '_') {
      return false;
    }
  }
  return true;
}
constexpr char kFieldRule[] =
    "1-64 of [a-z0-9_], starting with a letter (e.g. \"land\")";

std::string ProcedureName(std::string_view unit, std::string_view code) {
  return absl::StrCat(AbslView(unit), AbslView(kProceduresInfix),
                      AbslView(code));
}

std::string ProcedureKey(std::string_view unit, std::string_view code) {
  return KeyBuilder().String(unit).String(code).Build();
}

std::string ProvinceOf(const Unit& unit) {
  return unit.level == UnitLevel::kProvince ? unit.name : unit.parent;
}

int64_t DayNumber(absl::CivilDay day) {
  return day - absl::CivilDay(1970, 1, 1);
}

common::v1::Date DateProto(absl::CivilDay day) {
  common::v1::Date out;
  out.set_year(static_cast<int32_t>(day.year()));
  out.set_month(day.month());
  out.set_day(day.day());
  return out;
}

absl::StatusOr<absl::CivilDay> ParseDate(const common::v1::Date& date,
                                         std::string_view field) {
  const absl::CivilDay day(date.year(), date.month(), date.day());
  if (date.year() < kMinYear || date.year() > 2200 ||
      day.year() != date.year() || day.month() != date.month() ||
      day.day() != date.day()) {
    return InvalidFieldError(field, "must be a calendar date from 2000 on");
  }
  return day;
}

bool IsSet(const common::v1::Date& date) {
  return date.year() != 0 || date.month() != 0 || date.day() != 0;
}

absl::StatusOr<absl::CivilMonth> ParseMonth(std::string_view text,
                                            std::string_view field) {
  int year = 0, month = 0;
  if (text.size() != 7 || text[4] != '-' ||
      !absl::SimpleAtoi(AbslView(text.substr(0, 4)), &year) ||
      !absl::SimpleAtoi(AbslView(text.substr(5, 2)), &month) ||
      !absl::ascii_isdigit(static_cast<unsigned char>(text[5])) || month < 1 ||
      month > 12 || year < kMinYear || year > 2200) {
    return InvalidFieldError(field, "must be a month YYYY-MM from 2000 on");
  }
  return absl::CivilMonth(year, month);
}

uint64_t MonthIndex(absl::CivilMonth month) {
  return static_cast<uint64_t>(month.year() * 12 + month.month() - 1);
}

std::string FormatMonth(absl::CivilMonth month) {
  return absl::StrFormat("%04d-%02d", month.year(), month.month());
}

absl::StatusOr<int> PageSize(int requested) {
  if (requested == 0) return kDefaultPageSize;
  if (requested < 0 || requested > kMaxPageSize) {
    return InvalidFieldError("page_size", "must be between 0 and 1000");
  }
  return requested;
}

const char* LevelMeasure(v1::OnlineLevel level) {
  switch (level) {
    case v1::FULL_PROCESS:
      return kProceduresFull;
    case v1::PARTIAL:
      return kProceduresPartial;
    default:
      return kProceduresOffline;
  }
}

common::v1::UnitLevel ToProtoLevel(UnitLevel level) {
  switch (level) {
    case UnitLevel::kProvince:
      return common::v1::PROVINCE;
    case UnitLevel::kCommune:
      return common::v1::COMMUNE;
    case UnitLevel::kAgency:
      return common::v1::AGENCY;
  }
  return common::v1::UNIT_LEVEL_UNSPECIFIED;
}

// ---- Dossier counts as measures ------------------------------------------

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

// into += sign * from, field by field.
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

// ---- Aggregate keys -------------------------------------------------------

struct Scope {
  const char* kind;
  std::string unit;
};

// The scopes a unit's data counts in: itself, and its province's tree.
std::vector<Scope> ScopesOf(const Unit& unit) {
  return {{kUnitScope, unit.name}, {kTreeScope, ProvinceOf(unit)}};
}

std::string ScopePrefix(std::string_view kind, std::string_view unit) {
  return KeyBuilder().String(kind).String(unit).Build();
}

std::string MonthTotalsKey(std::string_view kind, std::string_view unit,
                           uint64_t month) {
  return KeyBuilder().String(kind).String(unit).Uint64(month).Build();
}

std::string CatalogDeltaKey(std::string_view kind, std::string_view unit,
                            int64_t day, std::string_view measure) {
  return KeyBuilder()
      .String(kind)
      .String(unit)
      .Int64(day)
      .String(measure)
      .Build();
}

std::string ReportersKey(std::string_view province, uint64_t month,
                         std::string_view unit) {
  return KeyBuilder().String(province).Uint64(month).String(unit).Build();
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

// Aggregate changes of one commit, summed in memory and written once per
// key at the end (a batch of 5,000 reports of one commune touches two
// month-total keys, not 10,000).
class AggregateDelta {
 public:
  void AddMonth(const Unit& unit, uint64_t month,
                const v1::DossierCounts& counts, int64_t sign) {
    for (const Scope& scope : ScopesOf(unit)) {
      AddCounts(counts, sign,
                &months_[MonthTotalsKey(scope.kind, scope.unit, month)]);
    }
  }
  void AddReporter(const Unit& unit, uint64_t month) {
    ++reporters_[ReportersKey(ProvinceOf(unit), month, unit.name)];
  }
  void AddCatalog(const Unit& unit, absl::CivilDay day,
                  std::string_view measure, int64_t n) {
    for (const Scope& scope : ScopesOf(unit)) {
      catalog_[CatalogDeltaKey(scope.kind, scope.unit, DayNumber(day),
                               measure)] += n;
    }
  }

  absl::Status Apply(Transaction& txn) const {
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

// The catalogue contribution of one procedure's level history: +1 for each
// level from its date, -1 from the next level's date; +1 total from the
// first date.
void AddHistory(const Unit& unit, const v1::Procedure& procedure, int64_t sign,
                AggregateDelta* delta) {
  const auto& history = procedure.level_history();
  for (int i = 0; i < history.size(); ++i) {
    const common::v1::Date& d = history[i].effective_from();
    const absl::CivilDay from(d.year(), d.month(), d.day());
    if (i == 0) delta->AddCatalog(unit, from, kProceduresTotal, sign);
    delta->AddCatalog(unit, from, LevelMeasure(history[i].level()), sign);
    if (i + 1 < history.size()) {
      const common::v1::Date& e = history[i + 1].effective_from();
      delta->AddCatalog(unit, absl::CivilDay(e.year(), e.month(), e.day()),
                        LevelMeasure(history[i].level()), -sign);
    }
  }
}

// ---- Dossier statistics ---------------------------------------------------

struct PreparedStats {
  const Unit* unit;
  uint64_t month;
  std::string key;
  v1::DossierStats stats;  // name, unit, period, subject, counts
};

absl::StatusOr<PreparedStats> PrepareStats(const v1::DossierStats& in,
                                           std::string_view prefix,
                                           const UnitRegistry& units,
                                           const IndicatorCatalog& catalog,
                                           absl::CivilMonth this_month) {
  if (in.unit().empty()) {
    return InvalidFieldError(Field(prefix, "unit"), "must be set");
  }
  const Unit* unit = units.Find(in.unit());
  if (unit == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        AbslView(prefix), "unit: unknown unit \"", in.unit(), "\""));
  }
  if (in.period().kind_case() != common::v1::Period::kMonth) {
    return InvalidFieldError(
        Field(prefix, "period.month"),
        "must be set: statistics are reported per month (YYYY-MM)");
  }
  ASSIGN_OR_RETURN(
      absl::CivilMonth month,
      ParseMonth(in.period().month(), Field(prefix, "period.month")));
  if (month > this_month) {
    return InvalidFieldError(Field(prefix, "period.month"), "is in the future");
  }
  std::string subject_kind, id;
  switch (in.subject_case()) {
    case v1::DossierStats::kProcedure:
      if (!IsValidCode(in.procedure())) {
        return InvalidFieldError(Field(prefix, "procedure"), kCodeRule);
      }
      subject_kind = "procedures";
      id = in.procedure();
      break;
    case v1::DossierStats::kField:
      if (!IsValidFieldName(in.field())) {
        return InvalidFieldError(Field(prefix, "field"), kFieldRule);
      }
      subject_kind = "fields";
      id = in.field();
      break;
    default:
      return InvalidFieldError(Field(prefix, "procedure"),
                               "set procedure or field");
  }
  const MeasureValues values = ToMeasures(in.counts());
  for (const auto& [code, value] : values) {
    if (value > kMaxCount) {
      return InvalidFieldError(Field(prefix, absl::StrCat("counts.", code)),
                               "must not exceed 10^12");
    }
  }
  RETURN_IF_ERROR(catalog.CheckConstraints(values, Field(prefix, "counts.")));

  PreparedStats out;
  out.unit = unit;
  out.month = MonthIndex(month);
  out.key = StatsKey(unit->name, out.month, subject_kind, id);
  v1::DossierStats& s = out.stats;
  s.set_name(absl::StrCat(unit->name, AbslView(kStatsInfix), FormatMonth(month),
                          "/", subject_kind, "/", id));
  s.set_unit(unit->name);
  s.mutable_period()->set_month(FormatMonth(month));
  if (in.subject_case() == v1::DossierStats::kProcedure) {
    s.set_procedure(id);
  } else {
    s.set_field(id);
  }
  *s.mutable_counts() = in.counts();
  return out;
}

// Stores one report (replacing an earlier one), its change record and its
// aggregate delta. Returns whether it replaced one.
absl::StatusOr<bool> ApplyStats(Transaction& txn, PreparedStats& item,
                                AggregateDelta* delta) {
  ASSIGN_OR_RETURN(std::optional<std::string> stored,
                   txn.Get(kStats, item.key));
  std::optional<v1::DossierStats> previous;
  if (stored.has_value()) {
    previous.emplace();
    if (!previous->ParseFromString(*stored)) {
      return absl::DataLossError("corrupt dossier statistics");
    }
    delta->AddMonth(*item.unit, item.month, previous->counts(), -1);
  } else {
    delta->AddReporter(*item.unit, item.month);
  }
  delta->AddMonth(*item.unit, item.month, item.stats.counts(), 1);
  *item.stats.mutable_update_time() = ToProto(txn.commit_time());
  RETURN_IF_ERROR(txn.Put(kStats, item.key, item.stats.SerializeAsString()));
  txn.RecordChange(
      item.stats.name(),
      previous.has_value() ? ChangeKind::UPDATED : ChangeKind::CREATED,
      &item.stats, previous.has_value() ? &*previous : nullptr);
  return previous.has_value();
}

// ---- Procedures -----------------------------------------------------------

struct ProcedureId {
  const Unit* unit;
  std::string code;
};

absl::StatusOr<ProcedureId> ParseProcedureName(std::string_view name,
                                               std::string_view field,
                                               const UnitRegistry& units) {
  const size_t pos = name.rfind(kProceduresInfix);
  if (pos == std::string_view::npos || pos == 0) {
    return InvalidFieldError(field, "expected {unit}/procedures/{code}");
  }
  std::string code(name.substr(pos + kProceduresInfix.size()));
  if (!IsValidCode(code)) {
    return InvalidFieldError(field,
                             absl::StrCat("procedure code: ", kCodeRule));
  }
  ASSIGN_OR_RETURN(const Unit* unit, units.Lookup(name.substr(0, pos)));
  return ProcedureId{unit, std::move(code)};
}

absl::Status CheckLevel(v1::OnlineLevel level, std::string_view field) {
  if (level != v1::FULL_PROCESS && level != v1::PARTIAL &&
      level != v1::OFFLINE) {
    return InvalidFieldError(field, "must be FULL_PROCESS, PARTIAL or OFFLINE");
  }
  return absl::OkStatus();
}

absl::Status CheckDisplayName(const std::string& name, std::string_view field) {
  if (name.empty() || name.size() > 1000) {
    return InvalidFieldError(field, "must be 1-1000 bytes");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Procedure> ReadProcedure(Transaction& txn,
                                            const std::string& key) {
  ASSIGN_OR_RETURN(std::optional<std::string> stored,
                   txn.Get(kProcedures, key));
  if (!stored.has_value()) return absl::NotFoundError("no such procedure");
  v1::Procedure p;
  if (!p.ParseFromString(*stored)) {
    return absl::DataLossError("corrupt procedure");
  }
  return p;
}

// ---- Indicator reads ------------------------------------------------------

struct MonthSpan {
  absl::CivilMonth first;
  absl::CivilMonth last;
};

absl::StatusOr<MonthSpan> ParseMonths(const common::v1::MonthRange& range) {
  ASSIGN_OR_RETURN(absl::CivilMonth first,
                   ParseMonth(range.first_month(), "months.first_month"));
  ASSIGN_OR_RETURN(absl::CivilMonth last,
                   ParseMonth(range.last_month(), "months.last_month"));
  if (last < first) {
    return InvalidFieldError("months.last_month",
                             "must not be before months.first_month");
  }
  if (last - first >= PublicServiceCore::kMaxMonths) {
    return InvalidFieldError("months.last_month",
                             "a range spans at most 120 months");
  }
  return MonthSpan{first, last};
}

absl::StatusOr<std::vector<std::string>> SelectedIndicators(
    const IndicatorCatalog& catalog,
    const google::protobuf::RepeatedPtrField<std::string>& codes) {
  std::vector<std::string> out;
  if (codes.empty()) {
    for (const auto& def : catalog.config().indicators()) {
      out.push_back(def.code());
    }
    return out;
  }
  for (int i = 0; i < codes.size(); ++i) {
    if (catalog.FindIndicator(codes[i]) == nullptr) {
      return InvalidFieldError(absl::StrCat("indicator_codes[", i, "]"),
                               absl::StrCat("unknown indicator (catalogue ",
                                            catalog.version(), ")"));
    }
    out.push_back(codes[i]);
  }
  return out;
}

bool NeedsUnits(const IndicatorCatalog& catalog,
                const std::vector<std::string>& codes) {
  for (const std::string& code : codes) {
    const auto* def = catalog.FindIndicator(code);
    if (def->aggregation() == common::v1::MEAN_OF_RATIOS ||
        def->aggregation() == common::v1::WEIGHTED_MEAN) {
      return true;
    }
  }
  return false;
}

// Summed flows of a scope over a month span; `reported` tells whether any
// month had a report.
absl::Status ReadFlows(const Store& store, std::string_view kind,
                       std::string_view unit, const MonthSpan& span,
                       const Snapshot* snapshot, MeasureValues* values,
                       bool* reported) {
  v1::DossierCounts total;
  bool corrupt = false;
  *reported = false;
  RETURN_IF_ERROR(store.Scan(
      kMonthTotals, MonthTotalsKey(kind, unit, MonthIndex(span.first)),
      MonthTotalsKey(kind, unit, MonthIndex(span.last) + 1),
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

// The catalogue counts of a scope as of `day`.
absl::Status ReadStocks(const Store& store, std::string_view kind,
                        std::string_view unit, absl::CivilDay day,
                        const Snapshot* snapshot, MeasureValues* values) {
  for (const char* m : {kProceduresTotal, kProceduresFull, kProceduresPartial,
                        kProceduresOffline}) {
    (*values)[m] = 0;
  }
  const std::string prefix = ScopePrefix(kind, unit);
  const std::string end =
      KeyBuilder().String(kind).String(unit).Int64(DayNumber(day) + 1).Build();
  bool corrupt = false;
  RETURN_IF_ERROR(store.Scan(
      kCatalogDeltas, prefix, end,
      [&](std::string_view key, std::string_view value) {
        KeyReader reader(key);
        std::string k, u, measure;
        int64_t d;
        uint64_t raw;
        if (!reader.String(&k) || !reader.String(&u) || !reader.Int64(&d) ||
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

// The units under `province` that reported in the span.
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

// One unit's own measures (unit scope) over the span and as of the day.
absl::StatusOr<UnitMeasures> ReadUnitMeasures(
    const Store& store, const Unit& unit, const MonthSpan& span,
    absl::CivilDay day, const Snapshot* snapshot, bool* reported) {
  UnitMeasures out;
  out.unit = unit.name;
  RETURN_IF_ERROR(ReadFlows(store, kUnitScope, unit.name, span, snapshot,
                            &out.values, reported));
  RETURN_IF_ERROR(
      ReadStocks(store, kUnitScope, unit.name, day, snapshot, &out.values));
  return out;
}

common::v1::UnitRef UnitRefOf(const Unit& unit) {
  common::v1::UnitRef ref;
  ref.set_name(unit.name);
  ref.set_level(ToProtoLevel(unit.level));
  ref.set_display_name(unit.display_name);
  return ref;
}

// Whether lower values of `code` are better under the threshold set in
// force on `day`.
bool LowerIsBetter(const IndicatorCatalog& catalog, std::string_view code,
                   absl::CivilDay day) {
  const config::v1::ThresholdSet* best = nullptr;
  absl::CivilDay best_day;
  for (const auto& set : catalog.config().thresholds()) {
    int y = 0, m = 0, d = 0;
    if (sscanf(set.effective_from().c_str(), "%d-%d-%d", &y, &m, &d) != 3) {
      continue;
    }
    const absl::CivilDay from(y, m, d);
    if (from <= day && (best == nullptr || from > best_day)) {
      best = &set;
      best_day = from;
    }
  }
  if (best == nullptr) return false;
  for (const auto& rule : best->rules()) {
    if (rule.indicator() == code) return rule.lower_is_better();
  }
  return false;
}

// -1, 0 or 1 as a/b compares to c/d (denominators positive).
int CompareRatios(const common::v1::Ratio& a, const common::v1::Ratio& b) {
  const absl::int128 l = absl::int128(a.numerator()) * b.denominator();
  const absl::int128 r = absl::int128(b.numerator()) * a.denominator();
  return l < r ? -1 : (l > r ? 1 : 0);
}

absl::StatusOr<size_t> ParseOffsetToken(const std::string& token) {
  if (token.empty()) return 0;
  std::string raw;
  size_t offset = 0;
  if (!absl::WebSafeBase64Unescape(token, &raw) ||
      !absl::StartsWith(raw, "offset:") ||
      !absl::SimpleAtoi(raw.substr(7), &offset)) {
    return InvalidFieldError("page_token",
                             "not a token of this listing; pass the "
                             "next_page_token of the previous page");
  }
  return offset;
}

std::string OffsetToken(size_t offset) {
  return absl::WebSafeBase64Escape(absl::StrCat("offset:", offset));
}

}  // namespace

std::vector<std::string> PublicServiceCore::ColumnFamilies() {
  return {kProcedures, kStats, kMonthTotals, kCatalogDeltas, kReporters};
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
  for (const char* code : {kProceduresTotal, kProceduresFull,
                           kProceduresPartial, kProceduresOffline}) {
    RETURN_IF_ERROR(need(code, config::v1::STOCK));
  }
  return absl::OkStatus();
}

// ---- Procedures -----------------------------------------------------------

absl::StatusOr<CommitRequest> PublicServiceCore::PrepareCreateProcedure(
    const v1::CreateProcedureRequest& request, std::string actor) const {
  if (request.parent().empty()) {
    return InvalidFieldError("parent", "must be set");
  }
  ASSIGN_OR_RETURN(const Unit* unit, units_->Lookup(request.parent()));
  if (!IsValidCode(request.procedure_id())) {
    return InvalidFieldError("procedure_id", kCodeRule);
  }
  const v1::Procedure& in = request.procedure();
  RETURN_IF_ERROR(
      CheckDisplayName(in.display_name(), "procedure.display_name"));
  if (!IsValidFieldName(in.field())) {
    return InvalidFieldError("procedure.field", kFieldRule);
  }
  RETURN_IF_ERROR(CheckLevel(in.online_level(), "procedure.online_level"));
  if (!IsSet(in.level_effective_from())) {
    return InvalidFieldError("procedure.level_effective_from", "must be set");
  }
  ASSIGN_OR_RETURN(
      absl::CivilDay from,
      ParseDate(in.level_effective_from(), "procedure.level_effective_from"));
  if (from > absl::ToCivilDay(now_(), VietnamTime())) {
    return InvalidFieldError("procedure.level_effective_from",
                             "is in the future");
  }
  v1::Procedure p;
  p.set_name(ProcedureName(unit->name, request.procedure_id()));
  p.set_code(request.procedure_id());
  p.set_unit(unit->name);
  p.set_display_name(in.display_name());
  p.set_field(in.field());
  p.set_online_level(in.online_level());
  p.set_essential(in.essential());
  *p.mutable_level_effective_from() = DateProto(from);
  v1::LevelPeriod* first = p.add_level_history();
  first->set_level(in.online_level());
  *first->mutable_effective_from() = DateProto(from);
  const std::string key = ProcedureKey(unit->name, request.procedure_id());
  return CommitRequest{
      .request_id = request.request_id(),
      .fingerprint = RequestFingerprint(request),
      .actor = std::move(actor),
      .apply = [unit, key,
                p = std::move(p)](Transaction& txn) mutable -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<std::string> existing,
                         txn.Get(kProcedures, key));
        if (existing.has_value()) {
          return absl::AlreadyExistsError(
              absl::StrCat("procedure ", p.name(), " already exists"));
        }
        *p.mutable_create_time() = ToProto(txn.commit_time());
        *p.mutable_update_time() = p.create_time();
        AggregateDelta delta;
        AddHistory(*unit, p, 1, &delta);
        RETURN_IF_ERROR(delta.Apply(txn));
        RETURN_IF_ERROR(txn.Put(kProcedures, key, p.SerializeAsString()));
        txn.RecordChange(p.name(), ChangeKind::CREATED, &p, nullptr);
        txn.SetResponse(p.SerializeAsString());
        return absl::OkStatus();
      }};
}

absl::StatusOr<CommitRequest> PublicServiceCore::PrepareUpdateProcedure(
    const v1::UpdateProcedureRequest& request, std::string actor) const {
  const v1::Procedure& in = request.procedure();
  ASSIGN_OR_RETURN(ProcedureId id,
                   ParseProcedureName(in.name(), "procedure.name", *units_));
  if (request.update_mask().paths_size() == 0) {
    return InvalidFieldError("update_mask", "must name at least one field");
  }
  bool display_name = false, field = false, essential = false, level = false;
  for (int i = 0; i < request.update_mask().paths_size(); ++i) {
    const std::string& path = request.update_mask().paths(i);
    if (path == "display_name") {
      display_name = true;
      RETURN_IF_ERROR(
          CheckDisplayName(in.display_name(), "procedure.display_name"));
    } else if (path == "field") {
      field = true;
      if (!IsValidFieldName(in.field())) {
        return InvalidFieldError("procedure.field", kFieldRule);
      }
    } else if (path == "essential") {
      essential = true;
    } else if (path == "online_level") {
      level = true;
      RETURN_IF_ERROR(CheckLevel(in.online_level(), "procedure.online_level"));
    } else if (path == "level_effective_from") {
      // Only meaningful with online_level; checked below.
    } else {
      return InvalidFieldError(
          absl::StrCat("update_mask.paths[", i, "]"),
          "not updatable: display_name, field, essential, online_level");
    }
  }
  std::optional<absl::CivilDay> from;
  if (level) {
    if (!IsSet(in.level_effective_from())) {
      return InvalidFieldError("procedure.level_effective_from",
                               "a level change must say when it took effect");
    }
    ASSIGN_OR_RETURN(from, ParseDate(in.level_effective_from(),
                                     "procedure.level_effective_from"));
    if (*from > absl::ToCivilDay(now_(), VietnamTime())) {
      return InvalidFieldError("procedure.level_effective_from",
                               "is in the future");
    }
  }
  const std::string key = ProcedureKey(id.unit->name, id.code);
  return CommitRequest{
      .request_id = request.request_id(),
      .fingerprint = RequestFingerprint(request),
      .actor = std::move(actor),
      .apply = [unit = id.unit, key, in, display_name, field, essential, level,
                from](Transaction& txn) -> absl::Status {
        absl::StatusOr<v1::Procedure> stored = ReadProcedure(txn, key);
        if (absl::IsNotFound(stored.status())) {
          return absl::NotFoundError(
              absl::StrCat("procedure ", in.name(), " does not exist"));
        }
        RETURN_IF_ERROR(stored.status());
        const v1::Procedure previous = *stored;
        v1::Procedure p = previous;
        if (display_name) p.set_display_name(in.display_name());
        if (field) p.set_field(in.field());
        if (essential) p.set_essential(in.essential());
        AggregateDelta delta;
        if (level && in.online_level() != p.online_level()) {
          const common::v1::Date& cur = p.level_effective_from();
          if (*from <= absl::CivilDay(cur.year(), cur.month(), cur.day())) {
            return InvalidFieldError(
                "procedure.level_effective_from",
                absl::StrFormat("must be after the current level's date "
                                "%04d-%02d-%02d",
                                cur.year(), cur.month(), cur.day()));
          }
          AddHistory(*unit, previous, -1, &delta);
          p.set_online_level(in.online_level());
          *p.mutable_level_effective_from() = DateProto(*from);
          v1::LevelPeriod* next = p.add_level_history();
          next->set_level(in.online_level());
          *next->mutable_effective_from() = DateProto(*from);
          AddHistory(*unit, p, 1, &delta);
        }
        *p.mutable_update_time() = ToProto(txn.commit_time());
        RETURN_IF_ERROR(delta.Apply(txn));
        RETURN_IF_ERROR(txn.Put(kProcedures, key, p.SerializeAsString()));
        txn.RecordChange(p.name(), ChangeKind::UPDATED, &p, &previous);
        txn.SetResponse(p.SerializeAsString());
        return absl::OkStatus();
      }};
}

absl::StatusOr<v1::Procedure> PublicServiceCore::GetProcedure(
    const v1::GetProcedureRequest& request) const {
  ASSIGN_OR_RETURN(ProcedureId id,
                   ParseProcedureName(request.name(), "name", *units_));
  std::optional<absl::CivilDay> as_of;
  if (IsSet(request.as_of_date())) {
    ASSIGN_OR_RETURN(as_of, ParseDate(request.as_of_date(), "as_of_date"));
  }
  ASSIGN_OR_RETURN(
      std::optional<std::string> stored,
      store_->Get(kProcedures, ProcedureKey(id.unit->name, id.code)));
  if (!stored.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("procedure ", request.name(), " does not exist"));
  }
  v1::Procedure p;
  if (!p.ParseFromString(*stored)) {
    return absl::DataLossError("corrupt procedure");
  }
  if (as_of.has_value()) {
    const v1::LevelPeriod* in_force = nullptr;
    for (const auto& period : p.level_history()) {
      const auto& d = period.effective_from();
      if (absl::CivilDay(d.year(), d.month(), d.day()) <= *as_of) {
        in_force = &period;
      }
    }
    if (in_force == nullptr) {
      return absl::NotFoundError(absl::StrCat("procedure ", request.name(),
                                              " had no level on ",
                                              absl::FormatCivilTime(*as_of)));
    }
    p.set_online_level(in_force->level());
    *p.mutable_level_effective_from() = in_force->effective_from();
  }
  return p;
}

absl::StatusOr<v1::ListProceduresResponse> PublicServiceCore::ListProcedures(
    const v1::ListProceduresRequest& request) const {
  if (request.parent().empty()) {
    return InvalidFieldError("parent", "must be set");
  }
  ASSIGN_OR_RETURN(const Unit* unit, units_->Lookup(request.parent()));
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  if (request.online_level() != v1::ONLINE_LEVEL_UNSPECIFIED) {
    RETURN_IF_ERROR(CheckLevel(request.online_level(), "online_level"));
  }
  if (!request.field().empty() && !IsValidFieldName(request.field())) {
    return InvalidFieldError("field", kFieldRule);
  }
  ASSIGN_OR_RETURN(
      Page page,
      store_->ListPrefix(
          kProcedures, KeyBuilder().String(unit->name).Build(),
          request.page_token(), page_size,
          [&](std::string_view, std::string_view value) {
            v1::Procedure p;
            if (!p.ParseFromArray(value.data(), static_cast<int>(value.size())))
              return false;
            if (request.online_level() != v1::ONLINE_LEVEL_UNSPECIFIED &&
                p.online_level() != request.online_level())
              return false;
            if (!request.field().empty() && p.field() != request.field())
              return false;
            if (request.has_essential() && p.essential() != request.essential())
              return false;
            return true;
          }));
  v1::ListProceduresResponse out;
  for (const auto& [key, value] : page.entries) {
    if (!out.add_procedures()->ParseFromString(value)) {
      return absl::DataLossError("corrupt procedure");
    }
  }
  out.set_next_page_token(page.next_page_token);
  return out;
}

// ---- Dossier statistics ---------------------------------------------------

absl::StatusOr<CommitRequest> PublicServiceCore::PrepareReportDossierStats(
    const v1::ReportDossierStatsRequest& request, std::string actor) const {
  const absl::CivilMonth this_month = absl::ToCivilMonth(now_(), VietnamTime());
  ASSIGN_OR_RETURN(
      PreparedStats item,
      PrepareStats(request.stats(), "stats.", *units_, *catalog_, this_month));
  return CommitRequest{
      .request_id = request.request_id(),
      .fingerprint = RequestFingerprint(request),
      .actor = std::move(actor),
      .apply = [item =
                    std::move(item)](Transaction& txn) mutable -> absl::Status {
        AggregateDelta delta;
        RETURN_IF_ERROR(ApplyStats(txn, item, &delta).status());
        RETURN_IF_ERROR(delta.Apply(txn));
        txn.SetResponse(item.stats.SerializeAsString());
        return absl::OkStatus();
      }};
}

absl::StatusOr<CommitRequest> PublicServiceCore::PrepareBatchReportDossierStats(
    const v1::BatchReportDossierStatsRequest& request,
    std::string actor) const {
  if (request.requests_size() == 0) {
    return InvalidFieldError("requests", "must not be empty");
  }
  if (request.requests_size() > kMaxBatchItems) {
    return InvalidFieldError("requests", "at most 5000 items per batch");
  }
  const absl::CivilMonth this_month = absl::ToCivilMonth(now_(), VietnamTime());
  std::vector<PreparedStats> items;
  items.reserve(request.requests_size());
  for (int i = 0; i < request.requests_size(); ++i) {
    const std::string prefix = absl::StrCat("requests[", i, "].");
    if (!request.requests(i).request_id().empty()) {
      return InvalidFieldError(
          absl::StrCat(prefix, "request_id"),
          "must be empty: the batch's request_id covers every item");
    }
    ASSIGN_OR_RETURN(PreparedStats item,
                     PrepareStats(request.requests(i).stats(),
                                  absl::StrCat(prefix, "stats."), *units_,
                                  *catalog_, this_month));
    items.push_back(std::move(item));
  }
  return CommitRequest{
      .request_id = request.request_id(),
      .fingerprint = RequestFingerprint(request),
      .actor = std::move(actor),
      .apply =
          [items = std::move(items)](Transaction& txn) mutable -> absl::Status {
        AggregateDelta delta;
        v1::BatchReportDossierStatsResponse out;
        for (PreparedStats& item : items) {
          ASSIGN_OR_RETURN(bool replaced, ApplyStats(txn, item, &delta));
          if (replaced) out.set_replaced_count(out.replaced_count() + 1);
          *out.add_stats() = item.stats;
        }
        RETURN_IF_ERROR(delta.Apply(txn));
        txn.SetResponse(out.SerializeAsString());
        return absl::OkStatus();
      }};
}

// ---- Indicators -----------------------------------------------------------

absl::StatusOr<v1::UnitIndicators> PublicServiceCore::GetIndicators(
    const v1::GetIndicatorsRequest& request) const {
  if (request.unit().empty()) return InvalidFieldError("unit", "must be set");
  ASSIGN_OR_RETURN(const Unit* unit, units_->Lookup(request.unit()));
  ASSIGN_OR_RETURN(MonthSpan span, ParseMonths(request.months()));
  absl::CivilDay as_of = absl::ToCivilDay(now_(), VietnamTime());
  if (IsSet(request.as_of_date())) {
    ASSIGN_OR_RETURN(as_of, ParseDate(request.as_of_date(), "as_of_date"));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> codes,
                   SelectedIndicators(*catalog_, request.indicator_codes()));

  const bool tree = unit->level == UnitLevel::kProvince;
  const char* kind = tree ? kTreeScope : kUnitScope;
  std::vector<std::string> expected;
  if (tree) {
    for (const Unit* c : units_->Children(unit->name, UnitLevel::kCommune)) {
      expected.push_back(c->name);
    }
  } else {
    expected.push_back(unit->name);
  }

  std::unique_ptr<Snapshot> snapshot = store_->TakeSnapshot();
  MeasureValues totals;
  bool any = false;
  RETURN_IF_ERROR(ReadFlows(*store_, kind, unit->name, span, snapshot.get(),
                            &totals, &any));
  RETURN_IF_ERROR(
      ReadStocks(*store_, kind, unit->name, as_of, snapshot.get(), &totals));
  std::set<std::string, std::less<>> reported;
  if (tree) {
    RETURN_IF_ERROR(
        ReadReporters(*store_, unit->name, span, snapshot.get(), &reported));
  } else if (any) {
    reported.insert(unit->name);
  }
  std::vector<UnitMeasures> per_unit;
  if (NeedsUnits(*catalog_, codes)) {
    if (tree) {
      for (const Unit* c : units_->Children(unit->name, UnitLevel::kCommune)) {
        bool unit_reported = false;
        ASSIGN_OR_RETURN(UnitMeasures m,
                         ReadUnitMeasures(*store_, *c, span, as_of,
                                          snapshot.get(), &unit_reported));
        if (unit_reported) per_unit.push_back(std::move(m));
      }
    } else {
      per_unit.push_back({unit->name, totals});
    }
  }

  v1::UnitIndicators out;
  *out.mutable_unit() = UnitRefOf(*unit);
  out.mutable_months()->set_first_month(FormatMonth(span.first));
  out.mutable_months()->set_last_month(FormatMonth(span.last));
  *out.mutable_as_of_date() = DateProto(as_of);
  out.set_catalog_version(catalog_->version());
  const EvaluationInput input{.units = per_unit,
                              .totals = &totals,
                              .coverage = MakeCoverage(expected, reported),
                              .date = as_of};
  for (const std::string& code : codes) {
    ASSIGN_OR_RETURN(common::v1::IndicatorValue value,
                     Evaluate(*catalog_, code, input));
    *out.add_indicators() = std::move(value);
  }
  return out;
}

absl::StatusOr<v1::ListIndicatorsResponse> PublicServiceCore::ListIndicators(
    const v1::ListIndicatorsRequest& request) const {
  if (request.parent().empty()) {
    return InvalidFieldError("parent", "must be set");
  }
  ASSIGN_OR_RETURN(const Unit* parent, units_->Lookup(request.parent()));
  if (parent->level != UnitLevel::kProvince) {
    return InvalidFieldError("parent", "must be a province");
  }
  UnitLevel level = UnitLevel::kCommune;
  switch (request.level()) {
    case common::v1::UNIT_LEVEL_UNSPECIFIED:
    case common::v1::COMMUNE:
      break;
    case common::v1::AGENCY:
      level = UnitLevel::kAgency;
      break;
    default:
      return InvalidFieldError("level", "must be COMMUNE or AGENCY");
  }
  ASSIGN_OR_RETURN(MonthSpan span, ParseMonths(request.months()));
  absl::CivilDay as_of = absl::ToCivilDay(now_(), VietnamTime());
  if (IsSet(request.as_of_date())) {
    ASSIGN_OR_RETURN(as_of, ParseDate(request.as_of_date(), "as_of_date"));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> codes,
                   SelectedIndicators(*catalog_, request.indicator_codes()));
  if (!request.order_by().empty() &&
      catalog_->FindIndicator(request.order_by()) == nullptr) {
    return InvalidFieldError("order_by",
                             absl::StrCat("unknown indicator (catalogue ",
                                          catalog_->version(), ")"));
  }
  ASSIGN_OR_RETURN(int page_size, PageSize(request.page_size()));
  ASSIGN_OR_RETURN(size_t offset, ParseOffsetToken(request.page_token()));

  struct Row {
    v1::RankedUnitIndicators entry;
    common::v1::Ratio order_value;
  };
  std::vector<Row> rows;
  std::unique_ptr<Snapshot> snapshot = store_->TakeSnapshot();
  for (const Unit* unit : units_->Children(parent->name, level)) {
    bool reported = false;
    ASSIGN_OR_RETURN(UnitMeasures m,
                     ReadUnitMeasures(*store_, *unit, span, as_of,
                                      snapshot.get(), &reported));
    std::set<std::string, std::less<>> reporters;
    if (reported) reporters.insert(unit->name);
    const std::vector<std::string> expected = {unit->name};
    const std::vector<UnitMeasures> units = {m};
    const EvaluationInput input{.units = units,
                                .totals = &m.values,
                                .coverage = MakeCoverage(expected, reporters),
                                .date = as_of};
    Row row;
    v1::UnitIndicators* u = row.entry.mutable_indicators();
    *u->mutable_unit() = UnitRefOf(*unit);
    u->mutable_months()->set_first_month(FormatMonth(span.first));
    u->mutable_months()->set_last_month(FormatMonth(span.last));
    *u->mutable_as_of_date() = DateProto(as_of);
    u->set_catalog_version(catalog_->version());
    for (const std::string& code : codes) {
      ASSIGN_OR_RETURN(common::v1::IndicatorValue value,
                       Evaluate(*catalog_, code, input));
      *u->add_indicators() = std::move(value);
    }
    if (!request.order_by().empty()) {
      ASSIGN_OR_RETURN(common::v1::IndicatorValue value,
                       Evaluate(*catalog_, request.order_by(), input));
      row.order_value = value.value().ratio();
    }
    rows.push_back(std::move(row));
  }
  v1::ListIndicatorsResponse out;
  if (!request.order_by().empty()) {
    const bool lower_better =
        LowerIsBetter(*catalog_, request.order_by(), as_of);
    std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
      const bool a_data = a.order_value.denominator() > 0;
      const bool b_data = b.order_value.denominator() > 0;
      if (a_data != b_data) return a_data;
      if (a_data) {
        const int c = CompareRatios(a.order_value, b.order_value);
        if (c != 0) return lower_better ? c < 0 : c > 0;
      }
      return a.entry.indicators().unit().name() <
             b.entry.indicators().unit().name();
    });
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i].order_value.denominator() <= 0) break;
      const bool tie = i > 0 && CompareRatios(rows[i].order_value,
                                              rows[i - 1].order_value) == 0;
      rows[i].entry.set_rank(tie ? rows[i - 1].entry.rank()
                                 : static_cast<int32_t>(i + 1));
    }
    out.set_tie_rule(kTieRule);
  }
  out.set_total_size(static_cast<int32_t>(rows.size()));
  for (size_t i = offset;
       i < rows.size() && i < offset + static_cast<size_t>(page_size); ++i) {
    *out.add_units() = std::move(rows[i].entry);
  }
  if (offset + page_size < rows.size()) {
    out.set_next_page_token(OffsetToken(offset + page_size));
  }
  return out;
}

// ---- Consistency ----------------------------------------------------------

absl::Status PublicServiceCore::VerifyAggregates() const {
  std::unique_ptr<Snapshot> snapshot = store_->TakeSnapshot();
  AggregateDelta recount;
  absl::Status scan_error;
  RETURN_IF_ERROR(store_->Scan(
      kStats, "", "",
      [&](std::string_view key, std::string_view value) {
        v1::DossierStats s;
        KeyReader reader(key);
        std::string unit_name;
        uint64_t month;
        if (!s.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
            !reader.String(&unit_name) || !reader.Uint64(&month)) {
          scan_error = absl::DataLossError("corrupt dossier statistics");
          return false;
        }
        const Unit* unit = units_->Find(unit_name);
        if (unit == nullptr) {
          scan_error = absl::DataLossError("statistics of an unknown unit");
          return false;
        }
        recount.AddMonth(*unit, month, s.counts(), 1);
        recount.AddReporter(*unit, month);
        return true;
      },
      snapshot.get()));
  RETURN_IF_ERROR(scan_error);
  RETURN_IF_ERROR(store_->Scan(
      kProcedures, "", "",
      [&](std::string_view, std::string_view value) {
        v1::Procedure p;
        if (!p.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          scan_error = absl::DataLossError("corrupt procedure");
          return false;
        }
        const Unit* unit = units_->Find(p.unit());
        if (unit == nullptr) {
          scan_error = absl::DataLossError("procedure of an unknown unit");
          return false;
        }
        AddHistory(*unit, p, 1, &recount);
        return true;
      },
      snapshot.get()));
  RETURN_IF_ERROR(scan_error);

  auto load = [&](const char* family,
                  std::map<std::string, std::string>* out) -> absl::Status {
    return store_->Scan(
        family, "", "",
        [&](std::string_view key, std::string_view value) {
          out->emplace(std::string(key), std::string(value));
          return true;
        },
        snapshot.get());
  };
  auto escape = [](const std::string& key) { return absl::CHexEscape(key); };

  std::map<std::string, std::string> stored;
  RETURN_IF_ERROR(load(kMonthTotals, &stored));
  if (stored.size() != recount.months().size()) {
    return absl::InternalError(
        absl::StrCat("month totals: ", stored.size(), " stored, ",
                     recount.months().size(), " recounted"));
  }
  for (const auto& [key, counts] : recount.months()) {
    auto it = stored.find(key);
    if (it == stored.end() || it->second != counts.SerializeAsString()) {
      return absl::InternalError(absl::StrCat("month totals differ at ",
                                              escape(key), ": recounted ",
                                              counts.ShortDebugString()));
    }
  }
  auto compare_counters =
      [&](const char* family,
          const std::map<std::string, int64_t>& want) -> absl::Status {
    std::map<std::string, std::string> have;
    RETURN_IF_ERROR(load(family, &have));
    size_t nonzero = 0;
    for (const auto& [key, n] : want) {
      if (n == 0) continue;
      ++nonzero;
      auto it = have.find(key);
      uint64_t raw = 0;
      if (it == have.end() || !DecodeUint64(it->second, &raw) ||
          static_cast<int64_t>(raw) != n) {
        return absl::InternalError(absl::StrCat(
            family, " differs at ", escape(key), ": recounted ", n));
      }
    }
    if (nonzero != have.size()) {
      return absl::InternalError(absl::StrCat(
          family, ": ", have.size(), " stored, ", nonzero, " recounted"));
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(compare_counters(kReporters, recount.reporters()));
  RETURN_IF_ERROR(compare_counters(kCatalogDeltas, recount.catalog()));
  return absl::OkStatus();
}

}  // namespace nq57::publicservice
