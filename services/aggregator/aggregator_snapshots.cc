// AggregatorCore, published snapshots: Publish freezes a report as a
// numbered, hashed, immutable snapshot and records the rank history it saw;
// reading, listing and diffing snapshots.
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/digest.h"
#include "common/base/error_details.h"
#include "common/base/field_error.h"
#include "common/base/quote.h"
#include "common/base/request_fingerprint.h"
#include "common/base/status_macros.h"
#include "common/store/key_codec.h"
#include "common/time/proto_time.h"
#include "nq57/criteria/v1/criteria.pb.h"
#include "services/aggregator/aggregator_core.h"

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

}  // namespace

absl::StatusOr<CommitRequest> AggregatorCore::PreparePublish(
    const v1::PublishRequest& request, std::string actor) const {
  if (request.province().empty()) {
    return InvalidFieldError("province", "required, e.g. provinces/25");
  }
  ASSIGN_OR_RETURN(const absl::Time as_of, AsOf(request.as_of()));
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
        snapshot->set_publisher_on_behalf_of(txn.on_behalf_of());
        snapshot->set_access_policy(txn.access_policy());
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
    return NotFoundResource(
        "nq57.aggregator.v1.Snapshot", request.name(),
        absl::StrCat("no snapshot ", Quoted(request.name())));
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

}  // namespace nq57::aggregator
