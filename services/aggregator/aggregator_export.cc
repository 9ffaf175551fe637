// AggregatorCore, export and explain: a report or snapshot as JSON or CSV,
// and how one figure was computed (inputs, coverage, the units counted).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/error_details.h"
#include "common/base/field_error.h"
#include "common/base/quote.h"
#include "common/base/status_macros.h"
#include "common/csv/csv_writer.h"
#include "common/store/key_codec.h"
#include "common/time/proto_time.h"
#include "google/protobuf/util/json_util.h"
#include "services/aggregator/aggregator_core.h"
#include "services/aggregator/measure_names.h"

namespace nq57::aggregator {

std::string AggregatorCore::ReportCsv(const v1::Report& report) {
  std::string out =
      "province,period,figure,label_vi,label_en,numerator,denominator,"
      "percent,rounding,decimals,method,reported,expected,colour,"
      "threshold_version,published,reproduced\n";
  auto row = [&](const v1::Figure& f) {
    const auto& v = f.value();
    absl::StrAppend(
        &out, CsvField(report.province()), ",", CsvField(report.period()), ",",
        CsvField(f.id()), ",", CsvField(f.label_vi()), ",",
        CsvField(f.label_en()), ",", v.ratio().numerator(), ",",
        v.ratio().denominator(), ",", v.percent(), ",",
        common::v1::RoundingMode_Name(v.rounding()), ",", v.decimals(), ",",
        common::v1::AggregationMethod_Name(v.method()), ",",
        f.coverage().reported(), ",", f.coverage().expected(), ",",
        common::v1::StatusColour_Name(f.colour()), ",",
        CsvField(f.threshold_version()), ",", CsvField(f.published().text()),
        ",",
        f.has_published() ? (f.published().reproduced() ? "yes" : "no") : "",
        "\n");
  };
  ReportBuilder::ForEachFigure(report, row);
  for (const auto* counts :
       {&report.public_service_counts(), &report.project06_counts()}) {
    for (const v1::Count& c : *counts) {
      absl::StrAppend(&out, CsvField(report.province()), ",",
                      CsvField(report.period()), ",", CsvField(c.id()), ",",
                      CsvField(c.label_vi()), ",", CsvField(c.label_en()), ",",
                      c.value(), ",,,,,,", c.coverage().reported(), ",",
                      c.coverage().expected(), ",,,,\n");
    }
  }
  return out;
}

absl::StatusOr<v1::ExportResponse> AggregatorCore::Export(
    const v1::ExportRequest& request) const {
  v1::Report report;
  if (request.has_report()) {
    absl::StatusOr<v1::Report> r = GetReport(request.report());
    if (!r.ok()) return PrefixFields(r.status(), "report.");
    report = std::move(*r);
  } else if (!request.snapshot().empty()) {
    v1::GetSnapshotRequest get;
    get.set_name(request.snapshot());
    absl::StatusOr<v1::Snapshot> s = GetSnapshot(get);
    if (!s.ok()) return PrefixFields(s.status(), "snapshot.");
    report = s->report();
  } else {
    return InvalidFieldError("report",
                             "give a report request or a snapshot name");
  }
  v1::ExportResponse out;
  switch (request.format()) {
    case v1::ExportRequest::CSV:
      out.set_content_type("text/csv; charset=utf-8");
      out.set_content(ReportCsv(report));
      return out;
    case v1::ExportRequest::JSON:
    case v1::ExportRequest::FORMAT_UNSPECIFIED: {
      std::string json;
      google::protobuf::util::JsonPrintOptions options;
      options.add_whitespace = true;
      auto status =
          google::protobuf::util::MessageToJsonString(report, &json, options);
      if (!status.ok()) {
        return absl::InternalError(std::string(status.message()));
      }
      out.set_content_type("application/json");
      out.set_content(std::move(json));
      return out;
    }
    default:
      return InvalidFieldError("format", "JSON or CSV");
  }
}

absl::StatusOr<v1::Explanation> AggregatorCore::Explain(
    const v1::ExplainRequest& request) const {
  if (request.figure().empty()) {
    return InvalidFieldError("figure", "required, e.g. criteria.block.PARTY");
  }
  v1::GetReportRequest get;
  get.set_province(request.province());
  get.set_period(request.period());
  *get.mutable_as_of() = request.as_of();
  ASSIGN_OR_RETURN(v1::Report report, GetReport(get));
  const v1::Figure* figure =
      ReportBuilder::FindFigure(report, request.figure());
  if (figure == nullptr) {
    return NotFoundResource(
        "nq57.aggregator.v1.Figure", request.figure(),
        absl::StrCat("no figure ", Quoted(request.figure()),
                     " in the report of ", report.province(),
                     " (ids look like criteria.block.PARTY, "
                     "publicservice.DIGITISATION_RATE)"));
  }
  v1::Explanation out;
  *out.mutable_figure() = *figure;
  out.set_formula(figure->formula());
  *out.mutable_inputs() = figure->inputs();
  *out.mutable_coverage() = figure->coverage();
  // The names of missing and stale units are kept once per source.
  auto names = report.unit_coverage().find(
      figure->id().substr(0, figure->id().find('.')));
  if (names != report.unit_coverage().end()) {
    *out.mutable_coverage()->mutable_missing() = names->second.missing();
    *out.mutable_coverage()->mutable_stale() = names->second.stale();
  }
  *out.mutable_input_sequences() = report.input_sequences();
  // Units counted: those the figure's coverage counts as reporting (for
  // criteria, progress by the cutoff; otherwise a report in the period).
  const std::string& id = figure->id();
  const bool criteria = id.rfind(measures::kCriteriaFigurePrefix, 0) == 0;
  const std::string source = id.substr(0, id.find('.'));
  ASSIGN_OR_RETURN(
      const ReportWindow window,
      ReportBuilder::WindowOf(report.period(), FromProtoTime(report.as_of())));
  std::vector<const Unit*> candidates;
  const bool commune_only =
      !criteria || id.find(".commune_level") != std::string::npos;
  const bool province_only = id.find(".province_level") != std::string::npos;
  if (!commune_only) {
    candidates.push_back(*units_->Lookup(report.province()));
    for (const Unit* u :
         units_->Children(report.province(), UnitLevel::kAgency)) {
      candidates.push_back(u);
    }
  }
  if (!province_only) {
    for (const Unit* u :
         units_->Children(report.province(), UnitLevel::kCommune)) {
      candidates.push_back(u);
    }
  }
  ASSIGN_OR_RETURN(const ReportBuilder::UnitReportIndex reports,
                   builder_->UnitReportsIn(report.province(), window, nullptr));
  for (const Unit* u : candidates) {
    if (ReportBuilder::ReportsIn(reports, u->name, source).reporting) {
      out.add_units_counted(u->name);
    }
  }
  return out;
}

}  // namespace nq57::aggregator
