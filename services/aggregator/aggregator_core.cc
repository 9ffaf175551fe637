#include "services/aggregator/aggregator_core.h"

#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/absl_view.h"
#include "common/base/digest.h"
#include "common/base/field_error.h"
#include "common/base/request_fingerprint.h"
#include "common/base/status_macros.h"
#include "common/ratio/ranking.h"
#include "common/ratio/ratio_proto.h"
#include "common/store/key_codec.h"
#include "common/store/page_token.h"
#include "common/time/proto_time.h"
#include "google/protobuf/util/json_util.h"
#include "nq57/criteria/v1/criteria.pb.h"
#include "services/aggregator/measure_names.h"

namespace nq57::aggregator {
namespace {

constexpr char kSnapshotsInfix[] = "/snapshots/";

std::string SnapshotKey(std::string_view province, uint64_t number) {
  return KeyBuilder().String(province).Uint64(number).Build();
}
std::string SnapshotCountKey(std::string_view province) {
  return KeyBuilder().String("count").String(province).Build();
}

// "provinces/25/snapshots/3" -> ("provinces/25", 3).
absl::StatusOr<std::pair<std::string, uint64_t>> ParseSnapshotName(
    std::string_view field, std::string_view name) {
  const size_t at = name.find(kSnapshotsInfix);
  uint64_t number = 0;
  if (at == std::string_view::npos ||
      !absl::SimpleAtoi(AbslView(name.substr(at + strlen(kSnapshotsInfix))),
                        &number) ||
      number == 0) {
    return InvalidFieldError(
        field, absl::StrCat("expected provinces/NN/snapshots/N, got \"",
                            AbslView(name), "\""));
  }
  return std::make_pair(std::string(name.substr(0, at)), number);
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
  return out;
}

}  // namespace

absl::Time AggregatorCore::AsOf(
    const google::protobuf::Timestamp& as_of) const {
  return IsSet(as_of) ? FromProtoTime(as_of) : clock_->Now();
}

std::string AggregatorCore::ContentFingerprint(const v1::Report& report) {
  v1::Report content = report;
  content.clear_as_of();
  content.clear_freshness();
  content.clear_input_sequences();
  content.clear_report_sequence();
  return Sha256(RequestFingerprint(content));
}

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

absl::StatusOr<v1::Report> AggregatorCore::BuildReport(
    std::string_view province, std::string_view period,
    absl::Time as_of) const {
  const uint64_t head = store_->change_log().head();
  std::unique_ptr<Snapshot> snapshot = store_->TakeSnapshot();
  ASSIGN_OR_RETURN(v1::Report report,
                   builder_->Build(province, period, as_of, snapshot.get()));
  report.set_report_sequence(head);
  for (const SourceSpec& s : engine_->sources()) {
    ASSIGN_OR_RETURN(uint64_t seq,
                     engine_->AppliedSequence(s.name, snapshot.get()));
    (*report.mutable_input_sequences())[s.name] = seq;
  }
  if (freshness_) {
    for (v1::SourceFreshness& f : freshness_()) {
      *report.add_freshness() = std::move(f);
    }
  }
  return report;
}

absl::StatusOr<v1::Report> AggregatorCore::GetReport(
    const v1::GetReportRequest& request) const {
  if (request.province().empty()) {
    return InvalidFieldError("province", "required, e.g. provinces/25");
  }
  return BuildReport(request.province(), request.period(),
                     AsOf(request.as_of()));
}

absl::StatusOr<v1::ListReportsResponse> AggregatorCore::ListReports(
    const v1::ListReportsRequest& request) const {
  const int page_size = request.page_size() == 0 ? 10 : request.page_size();
  if (page_size < 1 || page_size > 100) {
    return InvalidFieldError("page_size", "must be between 1 and 100");
  }
  ASSIGN_OR_RETURN(std::vector<std::string> provinces, builder_->Provinces());
  // Tokens carry the last province listed, bound to the period asked for.
  const std::string query = absl::StrCat("reports|", request.period());
  ASSIGN_OR_RETURN(std::string after,
                   DecodePageToken(request.page_token(), query));
  v1::ListReportsResponse out;
  const size_t start =
      after.empty()
          ? 0
          : static_cast<size_t>(
                std::upper_bound(provinces.begin(), provinces.end(), after) -
                provinces.begin());
  const absl::Time as_of = AsOf(request.as_of());
  for (size_t i = start; i < provinces.size(); ++i) {
    if (out.reports_size() == page_size) {
      out.set_next_page_token(EncodePageToken(
          query, out.reports(out.reports_size() - 1).province()));
      break;
    }
    ASSIGN_OR_RETURN(v1::Report r,
                     BuildReport(provinces[i], request.period(), as_of));
    *out.add_reports() = std::move(r);
  }
  return out;
}

absl::StatusOr<v1::Rankings> AggregatorCore::RankNow(
    const v1::GetRankingsRequest& request, absl::Time as_of) const {
  std::string figure;
  std::string subject;
  if (!request.group().empty()) {
    const std::string block =
        request.block().empty() ? "GOVERNMENT" : request.block();
    figure = measures::BlockGroupFigure(block, request.group());
    subject = absl::StrCat("group ", request.group(), " (block ", block, ")");
  } else if (!request.figure().empty()) {
    figure = request.figure();
    subject = figure;
  } else {
    return InvalidFieldError("group", "give a criteria group or a figure id");
  }
  ASSIGN_OR_RETURN(std::vector<std::string> provinces, builder_->Provinces());
  std::unique_ptr<Snapshot> snapshot = store_->TakeSnapshot();
  std::vector<v1::RankingEntry> entries;
  std::string period = request.period();
  for (const std::string& province : provinces) {
    ASSIGN_OR_RETURN(v1::Report r,
                     builder_->Build(province, period, as_of, snapshot.get()));
    period = r.period();
    const v1::Figure* f = ReportBuilder::FindFigure(r, figure);
    if (f == nullptr) {
      return InvalidFieldError(request.group().empty() ? "figure" : "group",
                               absl::StrCat("no figure \"", figure, "\""));
    }
    v1::RankingEntry& e = entries.emplace_back();
    e.set_province(province);
    e.set_province_name(r.province_name());
    *e.mutable_value() = f->value();
  }
  // Ties are listed by province code; provinces with no data are not listed.
  std::vector<RankInput> inputs;
  for (const v1::RankingEntry& e : entries) {
    inputs.push_back({FromProto(e.value().ratio()), e.province()});
  }
  v1::Rankings out;
  out.set_subject(subject);
  out.set_period(period);
  out.set_tie_rule(kCompetitionTieRule);
  for (const RankPlace& place : CompetitionRanking(inputs, Better::kHigher)) {
    if (place.rank == 0) continue;
    v1::RankingEntry* e = out.add_entries();
    *e = std::move(entries[place.input]);
    e->set_rank(place.rank);
  }
  return out;
}

absl::StatusOr<v1::Rankings> AggregatorCore::GetRankings(
    const v1::GetRankingsRequest& request) const {
  ASSIGN_OR_RETURN(v1::Rankings out, RankNow(request, AsOf(request.as_of())));
  const std::string prefix =
      KeyBuilder().String(out.subject()).String(out.period()).Build();
  absl::Status status;
  RETURN_IF_ERROR(
      store_->Scan(kRankHistoryFamily, prefix, PrefixSuccessor(prefix),
                   [&](std::string_view, std::string_view value) {
                     if (!out.add_history()->ParseFromArray(
                             value.data(), static_cast<int>(value.size()))) {
                       status = absl::DataLossError("corrupt rank history");
                       return false;
                     }
                     return true;
                   }));
  RETURN_IF_ERROR(status);
  return out;
}

absl::StatusOr<CommitRequest> AggregatorCore::PreparePublish(
    const v1::PublishRequest& request, std::string actor) const {
  if (request.province().empty()) {
    return InvalidFieldError("province", "required, e.g. provinces/25");
  }
  const absl::Time as_of = AsOf(request.as_of());
  ASSIGN_OR_RETURN(v1::Report report,
                   BuildReport(request.province(), request.period(), as_of));
  // The rankings this publication saw, one per criteria group: the rank
  // history of the period.
  std::vector<v1::Rankings> rankings;
  for (int g = criteria::v1::Group_MIN + 1; g <= criteria::v1::Group_MAX; ++g) {
    v1::GetRankingsRequest rank_request;
    rank_request.set_group(
        criteria::v1::Group_Name(static_cast<criteria::v1::Group>(g)));
    rank_request.set_period(report.period());
    ASSIGN_OR_RETURN(v1::Rankings r, RankNow(rank_request, as_of));
    rankings.push_back(std::move(r));
  }
  auto snapshot = std::make_shared<v1::Snapshot>();
  snapshot->set_content_hash(Sha256Hex(RequestFingerprint(report)));
  *snapshot->mutable_report() = std::move(report);
  snapshot->set_publisher(actor);
  return MakeCommit(
      request, request.request_id(), std::move(actor),
      [snapshot,
       rankings = std::move(rankings)](Transaction& txn) -> absl::Status {
        const std::string& province = snapshot->report().province();
        ASSIGN_OR_RETURN(
            int64_t number,
            txn.AddToCounter(kSnapshotsFamily, SnapshotCountKey(province), 1));
        snapshot->set_number(static_cast<uint64_t>(number));
        snapshot->set_name(absl::StrCat(province, kSnapshotsInfix, number));
        *snapshot->mutable_publish_time() = ToProtoTime(txn.commit_time());
        RETURN_IF_ERROR(txn.Put(kSnapshotsFamily,
                                SnapshotKey(province, snapshot->number()),
                                snapshot->SerializeAsString()));
        for (const v1::Rankings& r : rankings) {
          v1::RankHistoryEntry entry;
          *entry.mutable_time() = snapshot->publish_time();
          for (const v1::RankingEntry& e : r.entries()) {
            (*entry.mutable_rank_by_province())[e.province()] = e.rank();
          }
          RETURN_IF_ERROR(
              txn.Put(kRankHistoryFamily,
                      KeyBuilder()
                          .String(r.subject())
                          .String(r.period())
                          .Int64(absl::ToUnixNanos(txn.commit_time()))
                          .Build(),
                      entry.SerializeAsString()));
        }
        txn.RecordChange(snapshot->name(), changes::v1::CREATED, snapshot.get(),
                         nullptr);
        txn.SetResponse(snapshot->SerializeAsString());
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Snapshot> AggregatorCore::GetSnapshot(
    const v1::GetSnapshotRequest& request) const {
  ASSIGN_OR_RETURN(auto name, ParseSnapshotName("name", request.name()));
  ASSIGN_OR_RETURN(
      std::optional<std::string> bytes,
      store_->Get(kSnapshotsFamily, SnapshotKey(name.first, name.second)));
  if (!bytes.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("no snapshot \"", request.name(), "\""));
  }
  v1::Snapshot out;
  if (!out.ParseFromString(*bytes)) {
    return absl::DataLossError("corrupt snapshot");
  }
  return out;
}

absl::StatusOr<v1::ListSnapshotsResponse> AggregatorCore::ListSnapshots(
    const v1::ListSnapshotsRequest& request) const {
  if (request.province().empty()) {
    return InvalidFieldError("province", "required, e.g. provinces/25");
  }
  ASSIGN_OR_RETURN(
      Page page,
      store_->ListPrefix(kSnapshotsFamily,
                         KeyBuilder().String(request.province()).Build(),
                         request.page_token(),
                         request.page_size() == 0 ? 50 : request.page_size()));
  v1::ListSnapshotsResponse out;
  for (const auto& [key, value] : page.entries) {
    v1::Snapshot* s = out.add_snapshots();
    if (!s->ParseFromString(value))
      return absl::DataLossError("corrupt snapshot");
    s->clear_report();
  }
  out.set_next_page_token(page.next_page_token);
  return out;
}

absl::StatusOr<v1::SnapshotDiff> AggregatorCore::DiffSnapshots(
    const v1::DiffSnapshotsRequest& request) const {
  v1::GetSnapshotRequest get;
  get.set_name(request.from());
  absl::StatusOr<v1::Snapshot> from = GetSnapshot(get);
  if (!from.ok()) return PrefixFields(from.status(), "from.");
  get.set_name(request.to());
  absl::StatusOr<v1::Snapshot> to = GetSnapshot(get);
  if (!to.ok()) return PrefixFields(to.status(), "to.");
  std::map<std::string, common::v1::RenderedRatio> before, after;
  ReportBuilder::ForEachFigure(
      from->report(), [&](const v1::Figure& f) { before[f.id()] = f.value(); });
  ReportBuilder::ForEachFigure(
      to->report(), [&](const v1::Figure& f) { after[f.id()] = f.value(); });
  v1::SnapshotDiff out;
  out.set_from(request.from());
  out.set_to(request.to());
  std::set<std::string> ids;
  for (const auto& [id, v] : before) ids.insert(id);
  for (const auto& [id, v] : after) ids.insert(id);
  for (const std::string& id : ids) {
    auto b = before.find(id);
    auto a = after.find(id);
    const bool same =
        b != before.end() && a != after.end() &&
        b->second.SerializeAsString() == a->second.SerializeAsString();
    if (same) continue;
    v1::FigureChange* change = out.add_changes();
    change->set_id(id);
    if (b != before.end()) *change->mutable_from() = b->second;
    if (a != after.end()) *change->mutable_to() = a->second;
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
    return absl::NotFoundError(
        absl::StrCat("no figure \"", request.figure(), "\" in the report of ",
                     report.province(),
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
  // Units counted: those with a per-unit record of the figure's source.
  const std::string& id = figure->id();
  const bool criteria = id.rfind(measures::kCriteriaFigurePrefix, 0) == 0;
  const std::string source = id.substr(0, id.find('.'));
  const std::string unit_measure = criteria ? measures::kCriteriaUnitAssigned
                                            : measures::UnitReported(source);
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
  for (const Unit* u : candidates) {
    ASSIGN_OR_RETURN(
        std::optional<std::string> v,
        store_->Get(kMeasuresFamily,
                    EncodeMeasureKey({u->name, "", unit_measure})));
    uint64_t raw = 0;
    if (v.has_value() && DecodeUint64(*v, &raw) && raw > 0) {
      out.add_units_counted(u->name);
    }
  }
  return out;
}

}  // namespace nq57::aggregator
