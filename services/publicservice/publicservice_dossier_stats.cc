// Dossier statistics: ReportDossierStats and BatchReportDossierStats. A
// report for an existing (unit, month, subject) replaces it; the aggregates
// move by the difference, in the same commit.
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/error_details.h"
#include "common/base/field_error.h"
#include "common/base/quote.h"
#include "common/base/resource_code.h"
#include "common/base/status_macros.h"
#include "common/time/months.h"
#include "common/time/proto_time.h"
#include "services/publicservice/publicservice_aggregates.h"
#include "services/publicservice/publicservice_core.h"
#include "services/publicservice/publicservice_names.h"

namespace nq57::publicservice {
namespace {

using changes::v1::ChangeKind;

// One validated report, ready to apply.
struct PreparedStats {
  const Unit* unit;
  uint64_t month;  // MonthIndex
  std::string key;
  v1::DossierStats stats;       // name, unit, period, subject, counts
  std::string procedure_field;  // "stats.procedure", ...: for its errors
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
    return NotFoundResource(
        "nq57.common.v1.Unit", in.unit(),
        absl::StrCat(AbslView(prefix), "unit: unknown unit ",
                     Quoted(in.unit())));
  }
  RETURN_IF_ERROR(
      units.LookupForWrite(unit->name, Field(prefix, "unit")).status());
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
  // Statistics are of one procedure or of a whole field of procedures.
  auto subject = [&](const char* kind, const char* field, bool valid,
                     std::string_view rule,
                     const std::string& value) -> absl::Status {
    if (!valid) return InvalidFieldError(Field(prefix, field), rule);
    subject_kind = kind;
    id = value;
    return absl::OkStatus();
  };
  switch (in.subject_case()) {
    case v1::DossierStats::kProcedure:
      RETURN_IF_ERROR(subject("procedures", "procedure",
                              IsValidCode(in.procedure()), kCodeRule,
                              in.procedure()));
      break;
    case v1::DossierStats::kField:
      RETURN_IF_ERROR(subject("fields", "field", IsValidFieldName(in.field()),
                              kFieldRule, in.field()));
      break;
    default:
      return InvalidFieldError(Field(prefix, "procedure"),
                               "set procedure or field");
  }
  // Bounds (declared per measure in the catalogue) and constraints.
  const MeasureValues values = ToMeasures(in.counts());
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
    out.procedure_field = Field(prefix, "procedure");
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
  if (item.stats.subject_case() == v1::DossierStats::kProcedure) {
    // Statistics of a procedure the province's catalogue does not hold
    // would count in no figure that can be explained.
    ASSIGN_OR_RETURN(
        std::optional<std::string> known,
        txn.Get(kProcedureCodes,
                ProcedureCodeKey(item.unit->name, item.stats.procedure())));
    if (!known.has_value()) {
      return NotFoundResource(
          "nq57.publicservice.v1.Procedure", item.stats.procedure(),
          absl::StrCat(item.procedure_field, ": no procedure ",
                       Quoted(item.stats.procedure()), " in the catalogue of ",
                       AbslView(ProvinceOf(item.unit->name)),
                       " (CreateProcedure first)"));
    }
  }
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
  *item.stats.mutable_update_time() = ToProtoTime(txn.commit_time());
  RETURN_IF_ERROR(txn.Put(kStats, item.key, item.stats.SerializeAsString()));
  txn.RecordChange(
      item.stats.name(),
      previous.has_value() ? ChangeKind::UPDATED : ChangeKind::CREATED,
      &item.stats, previous.has_value() ? &*previous : nullptr);
  return previous.has_value();
}

}  // namespace

absl::StatusOr<CommitRequest> PublicServiceCore::PrepareReportDossierStats(
    const v1::ReportDossierStatsRequest& request, std::string actor) const {
  ASSIGN_OR_RETURN(
      PreparedStats item,
      PrepareStats(request.stats(), "stats.", *units_, *catalog_, ThisMonth()));
  return MakeCommit(
      request, request.request_id(), std::move(actor),
      [item = std::move(item)](Transaction& txn) mutable -> absl::Status {
        AggregateDelta delta;
        RETURN_IF_ERROR(ApplyStats(txn, item, &delta).status());
        RETURN_IF_ERROR(delta.Apply(txn));
        txn.SetResponse(item.stats.SerializeAsString());
        return absl::OkStatus();
      });
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
  const absl::CivilMonth this_month = ThisMonth();
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
  return MakeCommit(
      request, request.request_id(), std::move(actor),
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
      });
}

}  // namespace nq57::publicservice
