// The report's catalogue sections (public services, Project 06): the
// indicators of a source's catalogue evaluated over the province's measure
// totals (see report_builder.h).
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/base/status_macros.h"
#include "common/base/vietnam_time.h"
#include "common/indicators/indicator_evaluator.h"
#include "services/aggregator/measure_names.h"
#include "services/aggregator/report_builder.h"

namespace nq57::aggregator {

absl::Status ReportBuilder::BuildCatalogSection(const CatalogSection& section,
                                                std::string_view province,
                                                const WindowMeasures& measures,
                                                const ReportWindow& window,
                                                const Snapshot* snapshot,
                                                v1::Report& report) const {
  const IndicatorCatalog& catalog = *section.catalog;
  // Stocks at the cutoff, flows summed over the period up to it.
  MeasureValues totals;
  for (const auto& def : catalog.config().measures()) {
    const Measures& from = def.kind() == config::v1::STOCK ? measures.at_cutoff
                                                           : measures.in_period;
    auto it = from.find(measures::SourceMeasure(section.source, def.code()));
    totals[def.code()] = it == from.end() ? 0 : it->second;
  }
  ASSIGN_OR_RETURN(common::v1::Coverage coverage,
                   CatalogCoverage(section, province, measures.units, window));

  EvaluationInput input{
      .totals = &totals,
      .coverage = coverage,
      .date = absl::ToCivilDay(window.cutoff(), VietnamTime())};
  auto* figures = section.source == "publicservice"
                      ? report.mutable_public_services()
                      : report.mutable_project06();
  auto* counts = section.source == "publicservice"
                     ? report.mutable_public_service_counts()
                     : report.mutable_project06_counts();
  for (const auto& def : catalog.config().indicators()) {
    if (def.aggregation() == common::v1::MEAN_OF_RATIOS ||
        def.aggregation() == common::v1::WEIGHTED_MEAN) {
      continue;  // needs per-unit values; served by the source service
    }
    ASSIGN_OR_RETURN(common::v1::IndicatorValue v,
                     Evaluate(catalog, def.code(), input));
    v1::Figure* f = figures->Add();
    f->set_id(measures::SourceMeasure(section.source, v.code()));
    f->set_label_vi(v.name_vi());
    f->set_label_en(v.name_en());
    *f->mutable_value() = v.value();
    *f->mutable_coverage() = v.coverage();
    f->set_formula(v.formula());
    f->set_colour(v.colour());
    f->set_threshold_version(v.threshold_version());
    *f->mutable_inputs() = v.inputs();
    CheckPublished(published_, province, report.period(), *f);
  }
  for (const auto& def : catalog.config().measures()) {
    v1::Count* count = counts->Add();
    count->set_id(measures::SourceMeasure(section.source, def.code()));
    count->set_label_vi(def.name_vi());
    count->set_label_en(def.name_en());
    count->set_value(totals[def.code()]);
    *count->mutable_coverage() = coverage;
  }
  (*report.mutable_config_versions())[section.source] = catalog.version();
  return absl::OkStatus();
}

}  // namespace nq57::aggregator
