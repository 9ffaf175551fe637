// Indicator reads: GetIndicators (one unit or a province's tree over a month
// range, as of a date) and ListIndicators (the units of a province, each on
// its own, optionally ranked by one indicator with the one competition
// ranking of common/ratio/ranking.h). Both read aggregates only, at one
// snapshot.
#include <cstdio>
#include <memory>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/indicators/indicator_evaluator.h"
#include "common/ratio/ranking.h"
#include "common/ratio/ratio_proto.h"
#include "common/store/key_codec.h"
#include "common/store/page_token.h"
#include "common/time/months.h"
#include "common/time/proto_time.h"
#include "common/units/unit_proto.h"
#include "services/publicservice/publicservice_aggregates.h"
#include "services/publicservice/publicservice_core.h"

namespace nq57::publicservice {
namespace {

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

// The date a query is answered as of: `as_of_date` if set, else `today`.
absl::StatusOr<absl::CivilDay> AsOfDate(const common::v1::Date& as_of_date,
                                        absl::CivilDay today) {
  if (!IsSet(as_of_date)) return today;
  return ParseProtoDate(as_of_date, "as_of_date");
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

// Whether any of `codes` needs per-unit measures (a mean over units).
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

// The header every UnitIndicators carries.
void DescribeQuery(const Unit& unit, const MonthSpan& span,
                   absl::CivilDay as_of, const IndicatorCatalog& catalog,
                   v1::UnitIndicators* out) {
  *out->mutable_unit() = UnitRefOf(unit);
  out->mutable_months()->set_first_month(FormatMonth(span.first));
  out->mutable_months()->set_last_month(FormatMonth(span.last));
  *out->mutable_as_of_date() = ToProtoDate(as_of);
  out->set_catalog_version(catalog.version());
}

// What a ListIndicators page token is bound to: the listing and every
// filter field of the request (not the page size).
std::string ListIndicatorsQuery(const v1::ListIndicatorsRequest& request) {
  KeyBuilder query;
  query.String("ListIndicators")
      .String(request.parent())
      .Int64(request.level())
      .String(request.months().first_month())
      .String(request.months().last_month())
      .Int64(request.as_of_date().year())
      .Int64(request.as_of_date().month())
      .Int64(request.as_of_date().day())
      .String(request.order_by());
  for (const std::string& code : request.indicator_codes()) query.String(code);
  return query.Build();
}

}  // namespace

absl::StatusOr<v1::UnitIndicators> PublicServiceCore::GetIndicators(
    const v1::GetIndicatorsRequest& request) const {
  if (request.unit().empty()) return InvalidFieldError("unit", "must be set");
  ASSIGN_OR_RETURN(const Unit* unit, units_->Lookup(request.unit()));
  ASSIGN_OR_RETURN(MonthSpan span, ParseMonths(request.months()));
  ASSIGN_OR_RETURN(absl::CivilDay as_of,
                   AsOfDate(request.as_of_date(), Today()));
  ASSIGN_OR_RETURN(std::vector<std::string> codes,
                   SelectedIndicators(*catalog_, request.indicator_codes()));

  const bool tree = unit->level == UnitLevel::kProvince;
  const Scope scope = tree ? Scope::Tree(unit->name) : Scope::Unit(unit->name);
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
  RETURN_IF_ERROR(
      ReadFlows(*store_, scope, span, snapshot.get(), &totals, &any));
  RETURN_IF_ERROR(ReadStocks(*store_, scope, as_of, snapshot.get(), &totals));
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
  DescribeQuery(*unit, span, as_of, *catalog_, &out);
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
  ASSIGN_OR_RETURN(absl::CivilDay as_of,
                   AsOfDate(request.as_of_date(), Today()));
  ASSIGN_OR_RETURN(std::vector<std::string> codes,
                   SelectedIndicators(*catalog_, request.indicator_codes()));
  if (!request.order_by().empty() &&
      catalog_->FindIndicator(request.order_by()) == nullptr) {
    return InvalidFieldError("order_by",
                             absl::StrCat("unknown indicator (catalogue ",
                                          catalog_->version(), ")"));
  }
  ASSIGN_OR_RETURN(int page_size, PageSizeOf(request.page_size()));
  const std::string query = ListIndicatorsQuery(request);
  ASSIGN_OR_RETURN(uint64_t offset,
                   DecodeOffsetToken(request.page_token(), query));

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
    DescribeQuery(*unit, span, as_of, *catalog_, u);
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
    std::vector<RankInput> inputs;
    inputs.reserve(rows.size());
    for (const Row& row : rows) {
      inputs.push_back({.value = FromProto(row.order_value),
                        .name = row.entry.indicators().unit().name()});
    }
    const Better better = LowerIsBetter(*catalog_, request.order_by(), as_of)
                              ? Better::kLower
                              : Better::kHigher;
    std::vector<Row> ranked;
    ranked.reserve(rows.size());
    for (const RankPlace& place : CompetitionRanking(inputs, better)) {
      ranked.push_back(std::move(rows[place.input]));
      ranked.back().entry.set_rank(place.rank);
    }
    rows = std::move(ranked);
    out.set_tie_rule(kCompetitionTieRule);
  }
  out.set_total_size(static_cast<int32_t>(rows.size()));
  for (size_t i = offset;
       i < rows.size() && i < offset + static_cast<size_t>(page_size); ++i) {
    *out.add_units() = std::move(rows[i].entry);
  }
  if (offset + page_size < rows.size()) {
    out.set_next_page_token(EncodeOffsetToken(query, offset + page_size));
  }
  return out;
}

}  // namespace nq57::publicservice
