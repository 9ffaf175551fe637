#include "services/aggregator/report_builder.h"

#include <cstring>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/base/vietnam_time.h"
#include "common/csv/csv_reader.h"
#include "common/indicators/indicator_evaluator.h"
#include "common/ratio/ratio_proto.h"
#include "common/store/key_codec.h"
#include "google/protobuf/util/time_util.h"
#include "nq57/criteria/v1/criteria.pb.h"
#include "services/aggregator/criteria_rollup.h"

namespace nq57::aggregator {
namespace {

constexpr int kMaxListed = 200;

struct Label {
  const char* id;
  const char* vi;
  const char* en;
};

constexpr Label kBlocks[] = {
    {"PARTY", "Khối Đảng", "Party block"},
    {"COUNCIL", "Khối HĐND", "People's Council block"},
    {"GOVERNMENT", "Khối UBND", "People's Committee block"},
    {"FRONT", "Khối MTTQ", "Fatherland Front block"}};
constexpr Label kGroups[] = {
    {"INSTITUTIONS", "Nhóm Thể chế", "Institutions"},
    {"DATA", "Nhóm Dữ liệu", "Data"},
    {"PLATFORMS", "Nhóm Nền tảng", "Platforms"},
    {"TRAINING", "Nhóm Bồi dưỡng tập huấn", "Training"},
    {"IMPLEMENTATION", "Nhóm Tổ chức thực hiện", "Implementation"},
    {"DIRECTION", "Nhóm Chỉ đạo", "Direction"}};
constexpr const char* kLevels[] = {"province", "commune"};

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(t));
}

common::v1::Coverage CountCoverage(int64_t reported, int64_t expected) {
  common::v1::Coverage c;
  c.set_reported(reported);
  c.set_expected(expected);
  c.set_missing_count(std::max<int64_t>(0, expected - reported));
  return c;
}

}  // namespace

std::string MonthOf(absl::Time t) {
  return absl::FormatTime("%Y-%m", t, VietnamTime());
}

absl::StatusOr<std::vector<std::string>> PeriodMonths(std::string_view period) {
  auto bad = [&] {
    return InvalidFieldError(
        "period", absl::StrCat("expected YYYY-MM, YYYY-Qn or YYYY, got \"",
                               AbslView(period), "\""));
  };
  int year = 0;
  if (period.size() < 4 ||
      !absl::SimpleAtoi(AbslView(period.substr(0, 4)), &year) || year < 2000 ||
      year > 2100) {
    return bad();
  }
  int first = 1, last = 12;
  if (period.size() == 7 && period[4] == '-' && period[5] != 'Q') {
    int month;
    if (!absl::SimpleAtoi(AbslView(period.substr(5)), &month) || month < 1 ||
        month > 12) {
      return bad();
    }
    first = last = month;
  } else if (period.size() == 7 && period[4] == '-' && period[5] == 'Q') {
    int quarter;
    if (!absl::SimpleAtoi(AbslView(period.substr(6)), &quarter) ||
        quarter < 1 || quarter > 4) {
      return bad();
    }
    first = 3 * quarter - 2;
    last = 3 * quarter;
  } else if (period.size() != 4) {
    return bad();
  }
  std::vector<std::string> months;
  for (int m = first; m <= last; ++m) {
    months.push_back(absl::StrFormat("%04d-%02d", year, m));
  }
  return months;
}

absl::StatusOr<std::unique_ptr<PublishedFigures>> PublishedFigures::Load(
    const std::string& path) {
  ASSIGN_OR_RETURN(CsvTable table, CsvTable::ReadFile(path));
  RETURN_IF_ERROR(
      table.RequireColumns({"province", "period", "figure", "text"}));
  auto out = std::make_unique<PublishedFigures>();
  out->version_ = std::string(table.version());
  for (const CsvRow& row : table.rows()) {
    const std::string key = absl::StrCat(AbslView(row.Get("province")), "|",
                                         AbslView(row.Get("period")), "|",
                                         AbslView(row.Get("figure")));
    if (!out->entries_
             .emplace(key, Entry{std::string(row.Get("text")),
                                 std::string(row.Get("note"))})
             .second) {
      return row.Error("duplicate figure");
    }
  }
  return out;
}

const PublishedFigures::Entry* PublishedFigures::Find(
    std::string_view province, std::string_view period,
    std::string_view figure) const {
  auto it = entries_.find(absl::StrCat(
      AbslView(province), "|", AbslView(period), "|", AbslView(figure)));
  return it == entries_.end() ? nullptr : &it->second;
}

ReportBuilder::ReportBuilder(const Store* store, const UnitRegistry* units,
                             std::vector<CatalogSection> sections,
                             const PublishedFigures* published,
                             ReportOptions options)
    : store_(store),
      units_(units),
      sections_(std::move(sections)),
      published_(published),
      options_(options) {}

absl::StatusOr<ReportBuilder::Measures> ReportBuilder::ReadMeasures(
    std::string_view scope, std::string_view bucket,
    const Snapshot* snapshot) const {
  Measures out;
  const std::string prefix = MeasurePrefix(scope, bucket);
  absl::Status status;
  RETURN_IF_ERROR(store_->Scan(
      kMeasuresFamily, prefix, PrefixSuccessor(prefix),
      [&](std::string_view key, std::string_view value) {
        MeasureKey k;
        uint64_t raw;
        if (!DecodeMeasureKey(key, &k) || !DecodeUint64(value, &raw)) {
          status = absl::DataLossError("corrupt measure");
          return false;
        }
        out[k.measure] = static_cast<int64_t>(raw);
        return true;
      },
      snapshot));
  RETURN_IF_ERROR(status);
  return out;
}

absl::StatusOr<int64_t> ReportBuilder::ReadMeasure(
    const MeasureKey& key, const Snapshot* snapshot) const {
  ASSIGN_OR_RETURN(
      std::optional<std::string> v,
      store_->Get(kMeasuresFamily, EncodeMeasureKey(key), snapshot));
  uint64_t raw = 0;
  if (v.has_value() && !DecodeUint64(*v, &raw)) {
    return absl::DataLossError("corrupt measure");
  }
  return static_cast<int64_t>(raw);
}

absl::StatusOr<std::vector<std::string>> ReportBuilder::Provinces(
    const Snapshot* snapshot) const {
  std::vector<std::string> out;
  for (const Unit* p : units_->provinces()) {
    const std::string prefix = MeasurePrefix(p->name, std::nullopt);
    bool any = false;
    RETURN_IF_ERROR(store_->Scan(
        kMeasuresFamily, prefix, PrefixSuccessor(prefix),
        [&](std::string_view, std::string_view) {
          any = true;
          return false;
        },
        snapshot));
    if (any) out.push_back(p->name);
  }
  return out;
}

void ReportBuilder::CheckPublished(std::string_view province,
                                   std::string_view period,
                                   v1::Figure& figure) const {
  if (published_ == nullptr) return;
  const PublishedFigures::Entry* entry =
      published_->Find(province, period, figure.id());
  if (entry == nullptr) return;
  v1::PublishedCheck* check = figure.mutable_published();
  check->set_text(entry->text);
  check->set_note(entry->note);
  if (figure.value().ratio().denominator() == 0) return;
  absl::StatusOr<std::vector<RoundingMode>> modes = ReproducingModes(
      FromProto(figure.value().ratio()), entry->text, RenderScale::kPercent);
  if (!modes.ok()) {
    check->set_note(
        absl::StrCat(entry->note, " (", modes.status().message(), ")"));
    return;
  }
  for (RoundingMode m : *modes) check->add_reproducing_modes(ToProto(m));
  check->set_reproduced(!modes->empty());
}

absl::Status ReportBuilder::BuildCriteria(std::string_view province,
                                          const Measures& current,
                                          absl::Time as_of,
                                          const Snapshot* snapshot,
                                          v1::Report& report) const {
  // The block x group x level counters, read out of `current` once:
  // counts[level][block][group][0 = completed, 1 = assigned].
  int64_t counts[2][4][6][2] = {};
  for (int l = 0; l < 2; ++l) {
    for (int b = 0; b < 4; ++b) {
      for (int g = 0; g < 6; ++g) {
        const std::string prefix = absl::StrCat(
            "criteria.", kLevels[l], ".", kBlocks[b].id, ".", kGroups[g].id);
        for (int w = 0; w < 2; ++w) {
          auto it = current.find(
              absl::StrCat(prefix, w == 0 ? ".completed" : ".assigned"));
          if (it != current.end()) counts[l][b][g][w] = it->second;
        }
      }
    }
  }
  // Sums over the cells matching (level, block, group); "" matches all.
  auto count = [&](std::string_view level, std::string_view block,
                   std::string_view group, int what) {
    int64_t total = 0;
    for (int l = 0; l < 2; ++l) {
      if (!level.empty() && level != kLevels[l]) continue;
      for (int b = 0; b < 4; ++b) {
        if (!block.empty() && block != kBlocks[b].id) continue;
        for (int g = 0; g < 6; ++g) {
          if (!group.empty() && group != kGroups[g].id) continue;
          total += counts[l][b][g][what];
        }
      }
    }
    return total;
  };
  const int64_t communes = static_cast<int64_t>(
      units_->Children(province, UnitLevel::kCommune).size());
  const int64_t province_units =
      1 + static_cast<int64_t>(
              units_->Children(province, UnitLevel::kAgency).size());
  auto measure = [&](std::string_view m) {
    auto it = current.find(m);
    return it == current.end() ? int64_t{0} : it->second;
  };
  const int64_t province_units_assigned =
      measure("criteria.units_assigned.province");
  const int64_t commune_units_assigned =
      measure("criteria.units_assigned.commune");

  auto make = [&](std::string id, std::string vi, std::string en,
                  std::string_view level, std::string_view block,
                  std::string_view group) {
    v1::Figure f;
    f.set_id(std::move(id));
    f.set_label_vi(std::move(vi));
    f.set_label_en(std::move(en));
    const Ratio r{count(level, block, group, 0), count(level, block, group, 1)};
    *f.mutable_value() =
        RenderRatio(r, options_.criteria_rounding, options_.criteria_decimals);
    const int64_t expected = level == "commune"    ? communes
                             : level == "province" ? province_units
                                                   : communes + province_units;
    const int64_t reported =
        level == "commune" ? commune_units_assigned
        : level == "province"
            ? province_units_assigned
            : commune_units_assigned + province_units_assigned;
    *f.mutable_coverage() = CountCoverage(reported, expected);
    (*f.mutable_inputs())["completed"] = r.numerator;
    (*f.mutable_inputs())["assigned"] = r.denominator;
    f.set_formula(absl::StrCat(
        "completed / assigned criteria of active criteria",
        block.empty() ? "" : absl::StrCat(", block ", AbslView(block)),
        group.empty() ? "" : absl::StrCat(", group ", AbslView(group)),
        level.empty() ? ", province and communes"
                      : absl::StrCat(", ", AbslView(level), " level"),
        "; ratio of sums"));
    CheckPublished(province, report.period(), f);
    return f;
  };

  v1::CriteriaSection* c = report.mutable_criteria();
  *c->mutable_total() =
      make("criteria.total", "Cả 4 khối, cấp tỉnh và cấp xã",
           "All four blocks, province and communes", "", "", "");
  for (const Label& b : kBlocks) {
    *c->add_blocks() =
        make(absl::StrCat("criteria.block.", b.id), b.vi, b.en, "", b.id, "");
    *c->add_blocks_province_level() =
        make(absl::StrCat("criteria.block.", b.id, ".province_level"),
             absl::StrCat(b.vi, " cấp tỉnh"),
             absl::StrCat(b.en, ", province level"), "province", b.id, "");
    *c->add_blocks_commune_level() =
        make(absl::StrCat("criteria.block.", b.id, ".commune_level"),
             absl::StrCat(b.vi, " cấp xã"),
             absl::StrCat(b.en, ", commune level"), "commune", b.id, "");
  }
  for (const Label& g : kGroups) {
    *c->add_groups() =
        make(absl::StrCat("criteria.group.", g.id), g.vi, g.en, "", "", g.id);
  }
  for (const Label& b : kBlocks) {
    for (const Label& g : kGroups) {
      *c->add_block_groups() =
          make(absl::StrCat("criteria.block_group.", b.id, ".", g.id),
               absl::StrCat(b.vi, " — ", g.vi), absl::StrCat(b.en, " — ", g.en),
               "", b.id, g.id);
    }
  }

  // Deadlines: open items by deadline bucket; overdue = deadline < as_of.
  auto get = measure;
  v1::DeadlineCounts* d = c->mutable_deadlines();
  d->set_with_deadline(get("criteria.deadline.with_deadline"));
  d->set_on_time(get("criteria.deadline.on_time"));
  d->set_completed_late(get("criteria.deadline.late"));
  const std::string open_prefix =
      KeyBuilder().String(province).Build() + std::string(kOpenBucketPrefix);
  const std::string as_of_bucket = OpenDeadlineBucket(as_of);
  int64_t overdue = 0, pending = 0;
  absl::Status status;
  RETURN_IF_ERROR(store_->Scan(
      kMeasuresFamily, open_prefix, PrefixSuccessor(open_prefix),
      [&](std::string_view key, std::string_view value) {
        MeasureKey k;
        uint64_t raw;
        if (!DecodeMeasureKey(key, &k) || !DecodeUint64(value, &raw)) {
          status = absl::DataLossError("corrupt open-deadline measure");
          return false;
        }
        (k.bucket < as_of_bucket ? overdue : pending) +=
            static_cast<int64_t>(raw);
        return true;
      },
      snapshot));
  RETURN_IF_ERROR(status);
  d->set_overdue(overdue);
  d->set_pending(pending);
  *d->mutable_completed() =
      RenderRatio({d->on_time() + d->completed_late(), d->with_deadline()},
                  options_.criteria_rounding, options_.criteria_decimals);
  return absl::OkStatus();
}

absl::Status ReportBuilder::BuildCatalogSection(
    const CatalogSection& section, std::string_view province,
    const Measures& current, const std::vector<std::string>& months,
    absl::Time as_of, const Snapshot* snapshot, v1::Report& report) const {
  const IndicatorCatalog& catalog = *section.catalog;
  const std::string prefix = absl::StrCat(section.source, ".");
  MeasureValues totals;
  std::vector<Measures> monthly;
  for (const std::string& month : months) {
    ASSIGN_OR_RETURN(Measures m, ReadMeasures(province, month, snapshot));
    monthly.push_back(std::move(m));
  }
  for (const auto& def : catalog.config().measures()) {
    const std::string name = absl::StrCat(prefix, def.code());
    int64_t value = 0;
    if (def.kind() == config::v1::STOCK) {
      auto it = current.find(name);
      if (it != current.end()) value = it->second;
    } else {
      for (const Measures& m : monthly) {
        auto it = m.find(name);
        if (it != m.end()) value += it->second;
      }
    }
    totals[def.code()] = value;
  }

  // Coverage: units reporting vs expected, with the missing and stale ones
  // listed (point reads of the expected units, only when needed).
  std::vector<const Unit*> expected =
      units_->Children(province, section.expected_level);
  auto reporting = current.find(absl::StrCat(prefix, "units_reporting"));
  common::v1::Coverage coverage =
      CountCoverage(reporting == current.end() ? 0 : reporting->second,
                    static_cast<int64_t>(expected.size()));
  // Stale units: the "latest:<day>" buckets count units by the day of their
  // latest report, so the count is one range read; names need point reads
  // of the expected units, done only when something is missing or stale.
  const absl::CivilDay as_of_day = absl::ToCivilDay(as_of, VietnamTime());
  const std::string stale_before = absl::StrCat(
      kLatestBucketPrefix,
      absl::FormatCivilTime(as_of_day -
                            absl::ToInt64Hours(options_.stale_after) / 24));
  const std::string latest_prefix =
      KeyBuilder().String(province).Build() + std::string(kLatestBucketPrefix);
  int64_t stale = 0;
  absl::Status status;
  RETURN_IF_ERROR(store_->Scan(
      kMeasuresFamily, latest_prefix, PrefixSuccessor(latest_prefix),
      [&](std::string_view key, std::string_view value) {
        MeasureKey k;
        uint64_t raw;
        if (!DecodeMeasureKey(key, &k) || !DecodeUint64(value, &raw)) {
          status = absl::DataLossError("corrupt latest-day measure");
          return false;
        }
        if (k.bucket < stale_before &&
            k.measure == absl::StrCat(prefix, "units_latest")) {
          stale += static_cast<int64_t>(raw);
        }
        return true;
      },
      snapshot));
  RETURN_IF_ERROR(status);
  coverage.set_stale_count(stale);
  if (coverage.missing_count() > 0 || stale > 0) {
    const std::string reported_measure = absl::StrCat(prefix, "unit.reported");
    const std::string latest_measure = absl::StrCat(prefix, "unit.latest_day");
    const bool find_missing = coverage.missing_count() > 0;
    const std::string stale_day =
        stale_before.substr(strlen(kLatestBucketPrefix));
    coverage.set_missing_count(0);
    for (const Unit* unit : expected) {
      // Each unit costs a point read or two, only for what must be named.
      if (find_missing) {
        ASSIGN_OR_RETURN(
            int64_t reported,
            ReadMeasure({unit->name, "", reported_measure}, snapshot));
        if (reported <= 0) {
          coverage.set_missing_count(coverage.missing_count() + 1);
          if (coverage.missing_size() < kMaxListed) {
            coverage.add_missing(unit->name);
          }
          continue;
        }
      }
      if (stale == 0 || coverage.stale_size() >= kMaxListed) continue;
      ASSIGN_OR_RETURN(int64_t latest,
                       ReadMeasure({unit->name, "", latest_measure}, snapshot));
      if (latest > 0 && absl::FormatCivilTime(absl::CivilDay(1970, 1, 1) +
                                              latest) < stale_day) {
        coverage.add_stale(unit->name);
      }
    }
  }

  EvaluationInput input{
      .totals = &totals, .coverage = coverage, .date = as_of_day};
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
    f->set_id(absl::StrCat(prefix, v.code()));
    f->set_label_vi(v.name_vi());
    f->set_label_en(v.name_en());
    *f->mutable_value() = v.value();
    *f->mutable_coverage() = v.coverage();
    f->set_formula(v.formula());
    f->set_colour(v.colour());
    f->set_threshold_version(v.threshold_version());
    *f->mutable_inputs() = v.inputs();
    CheckPublished(province, report.period(), *f);
  }
  for (const auto& def : catalog.config().measures()) {
    v1::Count* count = counts->Add();
    count->set_id(absl::StrCat(prefix, def.code()));
    count->set_label_vi(def.name_vi());
    count->set_label_en(def.name_en());
    count->set_value(totals[def.code()]);
    *count->mutable_coverage() = coverage;
  }
  (*report.mutable_config_versions())[section.source] = catalog.version();
  return absl::OkStatus();
}

absl::StatusOr<v1::Report> ReportBuilder::Build(
    std::string_view province, std::string_view period, absl::Time as_of,
    const Snapshot* snapshot) const {
  ASSIGN_OR_RETURN(const Unit* unit, units_->Lookup(province));
  if (unit->level != UnitLevel::kProvince) {
    return InvalidFieldError("province", "not a province (provinces/NN)");
  }
  v1::Report report;
  report.set_province(unit->name);
  report.set_province_name(unit->display_name);
  report.set_period(period.empty() ? MonthOf(as_of) : std::string(period));
  ASSIGN_OR_RETURN(std::vector<std::string> months,
                   PeriodMonths(report.period()));
  *report.mutable_as_of() = ToTimestamp(as_of);
  (*report.mutable_config_versions())["units"] = units_->version();
  if (published_ != nullptr) {
    (*report.mutable_config_versions())["published"] = published_->version();
  }
  ASSIGN_OR_RETURN(Measures current, ReadMeasures(unit->name, "", snapshot));
  RETURN_IF_ERROR(BuildCriteria(unit->name, current, as_of, snapshot, report));
  for (const CatalogSection& section : sections_) {
    RETURN_IF_ERROR(BuildCatalogSection(section, unit->name, current, months,
                                        as_of, snapshot, report));
  }
  return report;
}

const v1::Figure* ReportBuilder::FindFigure(const v1::Report& report,
                                            std::string_view id) {
  auto match = [&](const v1::Figure& f) { return f.id() == id; };
  const auto& c = report.criteria();
  if (match(c.total())) return &c.total();
  for (const auto* list :
       {&c.blocks(), &c.blocks_province_level(), &c.blocks_commune_level(),
        &c.groups(), &c.block_groups(), &report.public_services(),
        &report.project06()}) {
    for (const v1::Figure& f : *list) {
      if (match(f)) return &f;
    }
  }
  return nullptr;
}

}  // namespace nq57::aggregator
