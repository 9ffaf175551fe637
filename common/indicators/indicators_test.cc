#include <set>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/indicators/indicator_catalog.h"
#include "common/indicators/indicator_evaluator.h"
#include "gtest/gtest.h"

namespace nq57 {
namespace {

constexpr char kCatalog[] = R"pb(
  version: "test-2025.1"
  measures {
    code: "issued"
    name_en: "accounts issued"
    kind: STOCK
    max_value: 1000000
  }
  measures {
    code: "activated"
    name_en: "accounts activated"
    kind: STOCK
    max_value: 1000000
  }
  measures { code: "households" kind: STOCK max_value: 1000000 }
  measures { code: "einvoice_households" kind: STOCK max_value: 1000000 }
  indicators {
    code: "ACTIVATION"
    name_vi: "Tỷ lệ kích hoạt"
    name_en: "Activation rate"
    numerator: "activated"
    denominator: "issued"
    rounding: HALF_UP
    decimals: 2
  }
  indicators {
    code: "EINVOICE"
    numerator: "einvoice_households"
    denominator: "households"
    rounding: TRUNCATE
    decimals: 2
  }
  indicators {
    code: "EINVOICE_MEAN"
    numerator: "einvoice_households"
    denominator: "households"
    aggregation: MEAN_OF_RATIOS
    rounding: HALF_UP
    decimals: 2
  }
  constraints { lhs: "activated" rhs: "issued" }
)pb";

// A thresholds version with one ACTIVATION rule: green from green/100,
// yellow from 80/100.
std::string ActivationThresholds(std::string_view version,
                                 std::string_view effective_from, int green) {
  return absl::StrCat(
      "thresholds { version: \"", AbslView(version), "\" effective_from: \"",
      AbslView(effective_from),
      "\" rules { indicator: \"ACTIVATION\" green { numerator: ", green,
      " denominator: 100 } yellow { numerator: 80 denominator: "
      "100 } } }\n");
}

std::unique_ptr<IndicatorCatalog> Load() {
  auto c = IndicatorCatalog::Parse(
      absl::StrCat(kCatalog,
                   ActivationThresholds("t-2025-01", "2025-01-01", 95),
                   ActivationThresholds("t-2025-07", "2025-07-01", 96)),
      "test.textproto");
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? std::move(*c) : nullptr;
}

TEST(IndicatorCatalogTest, RejectsBadCatalogues) {
  auto syntax =
      IndicatorCatalog::Parse("version: \"x\"\nmeasures {", "bad.textproto");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("bad.textproto: line"),
            std::string::npos)
      << syntax.status();
  auto unknown = IndicatorCatalog::Parse(
      R"pb(version: "v"
           indicators { code: "X" numerator: "nope" denominator: "nope" })pb",
      "u.textproto");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown measure \"nope\""),
            std::string::npos);
  auto inverted = IndicatorCatalog::Parse(
      R"pb(version: "v"
           measures { code: "a" kind: FLOW max_value: 1000000 }
           indicators { code: "X" numerator: "a" denominator: "a" }
           thresholds {
             version: "t"
             effective_from: "2025-01-01"
             rules {
               indicator: "X"
               green { numerator: 1 denominator: 2 }
               yellow { numerator: 3 denominator: 4 }
             }
           })pb",
      "i.textproto");
  EXPECT_FALSE(inverted.ok());
  // Every measure declares its bound, within 1..kMaxMeasureValue.
  for (const char* bound : {"", "max_value: 0", "max_value: 1000000000001"}) {
    auto unbounded = IndicatorCatalog::Parse(
        absl::StrCat("version: \"v\" measures { code: \"a\" kind: FLOW ", bound,
                     " }"),
        "b.textproto");
    ASSERT_FALSE(unbounded.ok()) << bound;
    EXPECT_NE(unbounded.status().message().find("max_value must be 1.."),
              std::string::npos)
        << unbounded.status();
  }
}

TEST(IndicatorCatalogTest, ValuesBeyondTheDeclaredBoundNameTheField) {
  auto catalog = Load();
  EXPECT_TRUE(catalog->CheckBounds("issued", 1'000'000, "values.issued").ok());
  const absl::Status over =
      catalog->CheckBounds("issued", 1'000'001, "values.issued");
  EXPECT_EQ(over.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolationsOf(over)[0].field, "values.issued");
  EXPECT_NE(over.message().find("must not exceed 1000000"), std::string::npos)
      << over;
  // An int64-sized value in a constraint is refused before any sum.
  MeasureValues huge = {{"issued", 9223372036854775807},
                        {"activated", 9223372036854775807}};
  const auto violations =
      FieldViolationsOf(catalog->CheckConstraints(huge, "v."));
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[0].field, "v.activated");
  EXPECT_EQ(violations[1].field, "v.issued");
  EXPECT_EQ(FieldViolationsOf(catalog->CheckBounds("nope", 1, "x"))[0].field,
            "x");
}

TEST(IndicatorCatalogTest, ConstraintsNameTheField) {
  auto catalog = Load();
  MeasureValues ok = {{"issued", 10}, {"activated", 9}};
  EXPECT_TRUE(catalog->CheckConstraints(ok, "values.").ok());
  MeasureValues bad = {{"issued", 10}, {"activated", 11}};
  auto violations =
      FieldViolationsOf(catalog->CheckConstraints(bad, "items[2].values."));
  // Both sides are blamed: either may be the wrong one.
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[0].field, "items[2].values.activated");
  EXPECT_EQ(violations[1].field, "items[2].values.issued");
  EXPECT_EQ(violations[0].description,
            "activated must not exceed issued (11 > 10)");
  MeasureValues negative = {{"issued", -1}};
  EXPECT_EQ(FieldViolationsOf(catalog->CheckConstraints(negative, ""))[0].field,
            "issued");
  MeasureValues unknown = {{"bogus", 1}};
  EXPECT_EQ(FieldViolationsOf(catalog->CheckConstraints(unknown, ""))[0].field,
            "bogus");
}

TEST(IndicatorEvaluatorTest, PhuThoEidAndEinvoiceFigures) {
  auto catalog = Load();
  MeasureValues totals = {{"issued", 2565124},
                          {"activated", 2438487},
                          {"households", 4070},
                          {"einvoice_households", 2671}};
  std::vector<std::string> expected = {"u1", "u2"};
  EvaluationInput input{.totals = &totals,
                        .coverage = MakeCoverage(expected, {"u1", "u2"}),
                        .date = absl::CivilDay(2025, 10, 23)};
  auto activation = Evaluate(*catalog, "ACTIVATION", input);
  ASSERT_TRUE(activation.ok()) << activation.status();
  EXPECT_EQ(activation->value().percent(), "95.06");
  EXPECT_EQ(activation->value().ratio().numerator(), 2438487);
  EXPECT_EQ(activation->colour(), common::v1::YELLOW);  // 95.06 < 96 since July
  EXPECT_EQ(activation->threshold_version(), "t-2025-07");
  EXPECT_EQ(activation->inputs().at("issued"), 2565124);
  EXPECT_EQ(activation->coverage().reported(), 2);
  input.date = absl::CivilDay(2025, 6, 30);
  EXPECT_EQ(Evaluate(*catalog, "ACTIVATION", input)->colour(),
            common::v1::GREEN);
  EXPECT_EQ(Evaluate(*catalog, "ACTIVATION", input)->threshold_version(),
            "t-2025-01");
  input.date = absl::CivilDay(2024, 12, 31);
  EXPECT_EQ(Evaluate(*catalog, "ACTIVATION", input)->colour(),
            common::v1::STATUS_COLOUR_UNSPECIFIED);

  auto einvoice = Evaluate(*catalog, "EINVOICE", input);
  EXPECT_EQ(einvoice->value().percent(), "65.62");  // truncated, as published
  EXPECT_EQ(einvoice->value().rounding(), common::v1::TRUNCATE);
  EXPECT_EQ(Evaluate(*catalog, "NOPE", input).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Evaluate(*catalog, "EINVOICE_MEAN", input).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(IndicatorEvaluatorTest, MeanOfRatiosDiffersFromRatioOfSums) {
  auto catalog = Load();
  std::vector<UnitMeasures> units = {
      {"u1", {{"households", 100}, {"einvoice_households", 50}}},
      {"u2", {{"households", 300}, {"einvoice_households", 300}}},
      {"u3", {{"households", 0}, {"einvoice_households", 0}}}};
  std::vector<std::string> expected = {"u1", "u2", "u3", "u4"};
  EvaluationInput input{.units = units,
                        .coverage = MakeCoverage(expected, {"u1", "u2", "u3"}),
                        .date = absl::CivilDay(2025, 10, 1)};
  auto sums = Evaluate(*catalog, "EINVOICE", input);
  EXPECT_EQ(sums->value().percent(), "87.50");  // 350 / 400
  auto mean = Evaluate(*catalog, "EINVOICE_MEAN", input);
  EXPECT_EQ(mean->value().percent(),
            "75.00");  // (0.5 + 1.0) / 2, u3 has no rate
  EXPECT_EQ(mean->value().method(), common::v1::MEAN_OF_RATIOS);
  EXPECT_EQ(mean->coverage().missing_count(), 1);
  EXPECT_EQ(mean->coverage().missing(0), "u4");
  EXPECT_NE(mean->formula().find("mean of unit ratios over 3 of 4 units"),
            std::string::npos)
      << mean->formula();
  auto all = EvaluateAll(*catalog, input);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
}

}  // namespace
}  // namespace nq57
