// IndicatorCatalog: a versioned, validated set of measures, indicators,
// cross-field constraints and colour thresholds, loaded from a text-format
// nq57.config.v1.IndicatorCatalog file under deploy/config/.
//
// It is the one indicator machinery of nq57: the public-service and
// e-identity services (and the aggregator) define what they compute in such
// a file and evaluate it through here, so a new indicator or a changed
// formula or threshold is a config change with a new version, never code.
//
// Load() validates everything once: unique codes, every measure declares
// its bound (max_value in 1..kMaxMeasureValue), every referenced measure
// exists, decimals in 0..6, WEIGHTED_MEAN has a weight measure, thresholds
// name known indicators with yellow no better than green, threshold sets
// have distinct versions and valid dates. Errors name the file and, for
// syntax errors, the line.
//
// Immutable after Load(): all methods are thread-safe.
//
//   ASSIGN_OR_RETURN(auto catalog, IndicatorCatalog::LoadFile(
//       config_dir + "/indicators/publicservice.textproto"));
//   RETURN_IF_ERROR(catalog->CheckConstraints(values, "stats."));
#ifndef NQ57_COMMON_INDICATORS_INDICATOR_CATALOG_H_
#define NQ57_COMMON_INDICATORS_INDICATOR_CATALOG_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "nq57/common/v1/indicator.pb.h"
#include "nq57/config/v1/indicators.pb.h"

namespace nq57 {

// Measure code -> value, for one unit or a total. Ordered, so anything built
// from it (formulas, inputs, hashes) is deterministic.
using MeasureValues = std::map<std::string, int64_t, std::less<>>;

// The largest bound a catalogue may declare for a measure (see
// MeasureDefinition.max_value).
inline constexpr int64_t kMaxMeasureValue = 1'000'000'000'000;

class IndicatorCatalog {
 public:
  static absl::StatusOr<std::unique_ptr<IndicatorCatalog>> LoadFile(
      const std::string& path);
  // `source` names the text in error messages.
  static absl::StatusOr<std::unique_ptr<IndicatorCatalog>> Parse(
      std::string_view text, std::string_view source);

  const std::string& version() const { return config_.version(); }
  const config::v1::IndicatorCatalog& config() const { return config_; }

  const config::v1::MeasureDefinition* FindMeasure(std::string_view code) const;
  const config::v1::IndicatorDefinition* FindIndicator(
      std::string_view code) const;

  // OK if `value` lies in 0..max_value of the known measure `code`; else
  // INVALID_ARGUMENT naming `field`.
  absl::Status CheckBounds(std::string_view code, int64_t value,
                           std::string_view field) const;

  // OK if every value names a known measure, lies within its bounds
  // (CheckBounds) and every constraint holds over `values` (constraints whose
  // measures are all absent are skipped). Errors are INVALID_ARGUMENT naming
  // `field_prefix` + the measure code, e.g.
  // "items[4].values.eid_accounts_activated".
  absl::Status CheckConstraints(const MeasureValues& values,
                                std::string_view field_prefix) const;

  // The colour of `value` for `indicator` under the threshold set in force
  // on `date`, and that set's version (empty if none applies: colour
  // UNSPECIFIED). A zero denominator is NO_DATA.
  struct Colour {
    common::v1::StatusColour colour = common::v1::STATUS_COLOUR_UNSPECIFIED;
    std::string threshold_version;
  };
  Colour ColourOf(std::string_view indicator, const common::v1::Ratio& value,
                  absl::CivilDay date) const;

 private:
  explicit IndicatorCatalog(config::v1::IndicatorCatalog config);
  absl::Status Validate(std::string_view source) const;

  config::v1::IndicatorCatalog config_;
  std::map<std::string, const config::v1::MeasureDefinition*, std::less<>>
      measures_;
  std::map<std::string, const config::v1::IndicatorDefinition*, std::less<>>
      indicators_;
  // Threshold sets by effective date.
  std::map<absl::CivilDay, const config::v1::ThresholdSet*> thresholds_;
};

}  // namespace nq57

#endif  // NQ57_COMMON_INDICATORS_INDICATOR_CATALOG_H_
