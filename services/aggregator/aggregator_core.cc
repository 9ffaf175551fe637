// AggregatorCore, reports and rankings: one province's report from one
// store snapshot, the listing of reports, and rankings with their history
// (snapshots: aggregator_snapshots.cc; export and explain:
// aggregator_export.cc).
#include "services/aggregator/aggregator_core.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/base/digest.h"
#include "common/base/field_error.h"
#include "common/base/request_fingerprint.h"
#include "common/base/status_macros.h"
#include "common/ratio/ranking.h"
#include "common/ratio/ratio_proto.h"
#include "common/store/key_codec.h"
#include "common/store/page_token.h"
#include "common/time/proto_time.h"
#include "services/aggregator/measure_names.h"

namespace nq57::aggregator {

absl::StatusOr<absl::Time> AggregatorCore::AsOf(
    const google::protobuf::Timestamp& as_of) const {
  if (!IsSet(as_of)) return clock_->Now();
  return ParseTimestamp(as_of, "as_of");
}

std::string AggregatorCore::ContentFingerprint(const v1::Report& report) {
  v1::Report content = report;
  content.clear_as_of();
  content.clear_freshness();
  content.clear_input_sequences();
  content.clear_report_sequence();
  return Sha256(RequestFingerprint(content));
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
    // The consumers run on: by now one may have applied a batch the
    // snapshot does not hold. The report says where its own figures stand,
    // so a reader who waits for "caught up" never gets the figures before.
    for (v1::SourceFreshness& f : freshness_()) {
      const auto in = report.input_sequences().find(f.source());
      if (in != report.input_sequences().end() &&
          in->second < f.applied_sequence()) {
        f.set_applied_sequence(in->second);
        if (f.serving() && in->second < f.head_sequence()) {
          f.set_serving(false);
          f.set_state(v1::CATCHING_UP);
        }
      }
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
  ASSIGN_OR_RETURN(const absl::Time as_of, AsOf(request.as_of()));
  return BuildReport(request.province(), request.period(), as_of);
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
  ASSIGN_OR_RETURN(const absl::Time as_of, AsOf(request.as_of()));
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
  ASSIGN_OR_RETURN(const absl::Time as_of, AsOf(request.as_of()));
  ASSIGN_OR_RETURN(v1::Rankings out, RankNow(request, as_of));
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

}  // namespace nq57::aggregator
