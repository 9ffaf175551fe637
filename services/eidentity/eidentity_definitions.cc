// Metric definitions of the eidentity core: the catalogue's measures (STOCK
// and FLOW metrics) and indicators (RATIO metrics) as
// nq57.eidentity.v1.MetricDefinition, listed and looked up by name.
#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/error_details.h"
#include "common/base/field_error.h"
#include "common/base/quote.h"
#include "common/base/status_macros.h"
#include "common/ratio/ratio_proto.h"
#include "common/store/page_token.h"
#include "services/eidentity/eidentity_core.h"
#include "services/eidentity/eidentity_series.h"

namespace nq57::eidentity {

namespace {

constexpr std::string_view kDefinitionPrefix = "metricDefinitions/";

// What a measure and an indicator definition share: name, code, labels and
// the catalogue version they come from.
template <typename CatalogEntry>
v1::MetricDefinition Named(const CatalogEntry& entry,
                           const IndicatorCatalog& catalog) {
  v1::MetricDefinition d;
  d.set_name(absl::StrCat(AbslView(kDefinitionPrefix), entry.code()));
  d.set_code(entry.code());
  d.set_name_vi(entry.name_vi());
  d.set_name_en(entry.name_en());
  d.set_catalog_version(catalog.version());
  return d;
}

std::vector<v1::MetricDefinition> Definitions(const IndicatorCatalog& catalog) {
  std::vector<v1::MetricDefinition> out;
  for (const auto& m : catalog.config().measures()) {
    v1::MetricDefinition d = Named(m, catalog);
    d.set_kind(KindOf(m));
    d.set_aggregation(common::v1::RATIO_OF_SUMS);
    out.push_back(std::move(d));
  }
  for (const auto& i : catalog.config().indicators()) {
    v1::MetricDefinition d = Named(i, catalog);
    d.set_kind(v1::RATIO);
    *d.mutable_numerator() = i.numerator();
    *d.mutable_denominator() = i.denominator();
    d.set_aggregation(i.aggregation() ==
                              common::v1::AGGREGATION_METHOD_UNSPECIFIED
                          ? common::v1::RATIO_OF_SUMS
                          : i.aggregation());
    d.set_rounding(ToProto(FromProto(i.rounding())));
    d.set_decimals(i.decimals());
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::ListMetricDefinitionsResponse>
EidentityCore::ListMetricDefinitions(
    const v1::ListMetricDefinitionsRequest& request) const {
  ASSIGN_OR_RETURN(int page_size, PageSizeOf(request.page_size()));
  // The listing has no filters; a token is bound to the catalogue version.
  const std::string query =
      absl::StrCat("metricDefinitions|", catalog_->version());
  ASSIGN_OR_RETURN(uint64_t offset,
                   DecodeOffsetToken(request.page_token(), query));
  std::vector<v1::MetricDefinition> all = Definitions(*catalog_);
  if (offset > all.size()) {
    return InvalidFieldError("page_token", "beyond the end of the listing");
  }
  v1::ListMetricDefinitionsResponse out;
  const uint64_t end = std::min<uint64_t>(offset + page_size, all.size());
  for (uint64_t i = offset; i < end; ++i) {
    *out.add_metric_definitions() = std::move(all[i]);
  }
  if (end < all.size()) {
    out.set_next_page_token(EncodeOffsetToken(query, end));
  }
  return out;
}

absl::StatusOr<v1::MetricDefinition> EidentityCore::GetMetricDefinition(
    const v1::GetMetricDefinitionRequest& request) const {
  std::string_view name = request.name();
  if (name.substr(0, kDefinitionPrefix.size()) != kDefinitionPrefix) {
    return InvalidFieldError("name", "expected metricDefinitions/{code}");
  }
  for (v1::MetricDefinition& d : Definitions(*catalog_)) {
    if (d.name() == name) return std::move(d);
  }
  return NotFoundResource(
      "nq57.eidentity.v1.MetricDefinition", name,
      absl::StrCat("unknown metric definition ", Quoted(name), " in catalogue ",
                   catalog_->version()));
}

}  // namespace nq57::eidentity
