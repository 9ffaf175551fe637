#include "common/indicators/indicator_catalog.h"

#include <fstream>
#include <set>
#include <sstream>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace nq57 {
namespace {

// Collects TextFormat's syntax errors with their line numbers.
class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (first_.empty()) {
      first_ = absl::StrCat("line ", line + 1, ":", column + 1, ": ", message);
    }
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

bool ParseDate(std::string_view text, absl::CivilDay* day) {
  return absl::ParseCivilTime(AbslView(text), day);
}

// value >= threshold, exactly (both denominators positive).
bool AtLeast(const common::v1::Ratio& value, const common::v1::Ratio& bound) {
  return absl::int128(value.numerator()) * bound.denominator() >=
         absl::int128(bound.numerator()) * value.denominator();
}

absl::int128 Sum(const MeasureValues& values,
                 const google::protobuf::RepeatedPtrField<std::string>& codes) {
  absl::int128 total = 0;
  for (const std::string& code : codes) {
    auto it = values.find(code);
    if (it != values.end()) total += it->second;
  }
  return total;
}

bool AnyPresent(const MeasureValues& values,
                const google::protobuf::RepeatedPtrField<std::string>& codes) {
  for (const std::string& code : codes) {
    if (values.count(code) > 0) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::unique_ptr<IndicatorCatalog>> IndicatorCatalog::LoadFile(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("indicator catalogue not found: ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

absl::StatusOr<std::unique_ptr<IndicatorCatalog>> IndicatorCatalog::Parse(
    std::string_view text, std::string_view source) {
  config::v1::IndicatorCatalog config;
  google::protobuf::TextFormat::Parser parser;
  ErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &config)) {
    return absl::InvalidArgumentError(
        absl::StrCat(AbslView(source), ": ", errors.first()));
  }
  auto catalog = std::unique_ptr<IndicatorCatalog>(
      new IndicatorCatalog(std::move(config)));
  RETURN_IF_ERROR(catalog->Validate(source));
  return catalog;
}

IndicatorCatalog::IndicatorCatalog(config::v1::IndicatorCatalog config)
    : config_(std::move(config)) {
  for (const auto& m : config_.measures()) measures_.emplace(m.code(), &m);
  for (const auto& i : config_.indicators()) indicators_.emplace(i.code(), &i);
  for (const auto& t : config_.thresholds()) {
    absl::CivilDay day;
    if (ParseDate(t.effective_from(), &day)) thresholds_.emplace(day, &t);
  }
}

absl::Status IndicatorCatalog::Validate(std::string_view source) const {
  auto error = [&](auto&&... parts) {
    return absl::InvalidArgumentError(
        absl::StrCat(AbslView(source), ": ", parts...));
  };
  if (config_.version().empty()) return error("version is missing");
  if (measures_.size() != static_cast<size_t>(config_.measures_size())) {
    return error("measure codes are not unique");
  }
  if (indicators_.size() != static_cast<size_t>(config_.indicators_size())) {
    return error("indicator codes are not unique");
  }
  for (const auto& m : config_.measures()) {
    if (m.code().empty()) return error("a measure has no code");
    if (m.kind() == config::v1::MEASURE_KIND_UNSPECIFIED) {
      return error("measure ", m.code(), ": kind must be STOCK or FLOW");
    }
    if (m.max_value() < 1 || m.max_value() > kMaxMeasureValue) {
      return error("measure ", m.code(), ": max_value must be 1..",
                   kMaxMeasureValue);
    }
  }
  auto check_refs =
      [&](std::string_view what,
          const google::protobuf::RepeatedPtrField<std::string>& codes)
      -> absl::Status {
    if (codes.empty()) return error(AbslView(what), ": no measures");
    for (const std::string& code : codes) {
      if (FindMeasure(code) == nullptr) {
        return error(AbslView(what), ": unknown measure \"", code, "\"");
      }
    }
    return absl::OkStatus();
  };
  for (const auto& i : config_.indicators()) {
    const std::string name = absl::StrCat("indicator ", i.code());
    RETURN_IF_ERROR(
        check_refs(absl::StrCat(name, " numerator"), i.numerator()));
    RETURN_IF_ERROR(
        check_refs(absl::StrCat(name, " denominator"), i.denominator()));
    if (i.decimals() < 0 || i.decimals() > 6) {
      return error(name, ": decimals must be 0..6");
    }
    if (i.aggregation() == common::v1::WEIGHTED_MEAN &&
        FindMeasure(i.weight_measure()) == nullptr) {
      return error(name, ": WEIGHTED_MEAN needs a known weight_measure");
    }
  }
  for (int c = 0; c < config_.constraints_size(); ++c) {
    const auto& constraint = config_.constraints(c);
    RETURN_IF_ERROR(
        check_refs(absl::StrCat("constraint ", c, " lhs"), constraint.lhs()));
    RETURN_IF_ERROR(
        check_refs(absl::StrCat("constraint ", c, " rhs"), constraint.rhs()));
  }
  std::set<std::string> versions;
  for (const auto& set : config_.thresholds()) {
    absl::CivilDay day;
    if (!ParseDate(set.effective_from(), &day)) {
      return error("threshold set ", set.version(),
                   ": effective_from must be YYYY-MM-DD");
    }
    if (set.version().empty() || !versions.insert(set.version()).second) {
      return error("threshold set versions must be present and distinct");
    }
    for (const auto& rule : set.rules()) {
      const std::string name = absl::StrCat("threshold set ", set.version(),
                                            " rule ", rule.indicator());
      if (FindIndicator(rule.indicator()) == nullptr) {
        return error(name, ": unknown indicator");
      }
      if (rule.green().denominator() <= 0 || rule.yellow().denominator() <= 0) {
        return error(name, ": thresholds need positive denominators");
      }
      const bool ordered = rule.lower_is_better()
                               ? AtLeast(rule.yellow(), rule.green())
                               : AtLeast(rule.green(), rule.yellow());
      if (!ordered)
        return error(name, ": yellow must not be better than green");
    }
  }
  if (thresholds_.size() != static_cast<size_t>(config_.thresholds_size())) {
    return error("two threshold sets share an effective_from date");
  }
  return absl::OkStatus();
}

const config::v1::MeasureDefinition* IndicatorCatalog::FindMeasure(
    std::string_view code) const {
  auto it = measures_.find(code);
  return it == measures_.end() ? nullptr : it->second;
}

const config::v1::IndicatorDefinition* IndicatorCatalog::FindIndicator(
    std::string_view code) const {
  auto it = indicators_.find(code);
  return it == indicators_.end() ? nullptr : it->second;
}

absl::Status IndicatorCatalog::CheckBounds(std::string_view code, int64_t value,
                                           std::string_view field) const {
  const config::v1::MeasureDefinition* measure = FindMeasure(code);
  if (measure == nullptr) {
    return InvalidFieldError(field, absl::StrCat("unknown measure (catalogue ",
                                                 config_.version(), ")"));
  }
  if (value < 0) return InvalidFieldError(field, "must not be negative");
  if (value > measure->max_value()) {
    return InvalidFieldError(
        field, absl::StrCat("must not exceed ", measure->max_value(),
                            " (the bound of ", AbslView(code), " in catalogue ",
                            config_.version(), ")"));
  }
  return absl::OkStatus();
}

absl::Status IndicatorCatalog::CheckConstraints(
    const MeasureValues& values, std::string_view field_prefix) const {
  FieldErrors errors;
  for (const auto& [code, value] : values) {
    const std::string field = absl::StrCat(AbslView(field_prefix), code);
    errors.Add(CheckBounds(code, value, field));
  }
  RETURN_IF_ERROR(errors.ToStatus());
  for (const auto& constraint : config_.constraints()) {
    if (!AnyPresent(values, constraint.lhs()) ||
        !AnyPresent(values, constraint.rhs())) {
      continue;
    }
    const absl::int128 lhs = Sum(values, constraint.lhs());
    const absl::int128 rhs = Sum(values, constraint.rhs());
    if (lhs > rhs) {
      // Every term present is to blame: which one is wrong is not known.
      const std::string rule = absl::StrCat(
          absl::StrJoin(constraint.lhs(), " + "), " must not exceed ",
          absl::StrJoin(constraint.rhs(), " + "), " (",
          static_cast<int64_t>(lhs), " > ", static_cast<int64_t>(rhs), ")");
      for (const auto* side : {&constraint.lhs(), &constraint.rhs()}) {
        for (const std::string& code : *side) {
          if (values.count(code) == 0) continue;
          errors.Add(absl::StrCat(AbslView(field_prefix), code), rule);
        }
      }
      return errors.ToStatus();
    }
  }
  return absl::OkStatus();
}

IndicatorCatalog::Colour IndicatorCatalog::ColourOf(
    std::string_view indicator, const common::v1::Ratio& value,
    absl::CivilDay date) const {
  Colour out;
  auto it = thresholds_.upper_bound(date);
  if (it == thresholds_.begin()) return out;
  const config::v1::ThresholdSet* set = std::prev(it)->second;
  for (const auto& rule : set->rules()) {
    if (rule.indicator() != indicator) continue;
    out.threshold_version = set->version();
    if (value.denominator() <= 0) {
      out.colour = common::v1::NO_DATA;
    } else if (rule.lower_is_better()) {
      out.colour = AtLeast(rule.green(), value)    ? common::v1::GREEN
                   : AtLeast(rule.yellow(), value) ? common::v1::YELLOW
                                                   : common::v1::RED;
    } else {
      out.colour = AtLeast(value, rule.green())    ? common::v1::GREEN
                   : AtLeast(value, rule.yellow()) ? common::v1::YELLOW
                                                   : common::v1::RED;
    }
    return out;
  }
  return out;
}

}  // namespace nq57
