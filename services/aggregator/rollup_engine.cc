#include "services/aggregator/rollup_engine.h"

#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "common/store/key_codec.h"

namespace nq57::aggregator {
namespace {

v1::MeasureValue ToMeasureValue(const MeasureKey& key, int64_t value) {
  v1::MeasureValue out;
  out.set_scope(key.scope);
  out.set_bucket(key.bucket);
  out.set_measure(key.measure);
  out.set_value(value);
  return out;
}

}  // namespace

std::string MeasureResource(const MeasureKey& key) {
  return absl::StrCat(key.scope, "/measures/",
                      key.bucket.empty() ? "current" : key.bucket, "/",
                      key.measure);
}

absl::StatusOr<SourceSpec> ParseSourceSpec(std::string_view text) {
  SourceSpec spec;
  const size_t at = text.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == text.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--source: expected name=kind@host:port or kind@host:port, got \"",
        AbslView(text), "\""));
  }
  spec.address = std::string(text.substr(at + 1));
  std::string_view head = text.substr(0, at);
  const size_t eq = head.find('=');
  if (eq == std::string_view::npos) {
    spec.name = spec.kind = std::string(head);
  } else {
    spec.name = std::string(head.substr(0, eq));
    spec.kind = std::string(head.substr(eq + 1));
  }
  if (spec.name.empty()) {
    return absl::InvalidArgumentError("--source: empty source name");
  }
  return spec;
}

std::vector<std::string> RollupEngine::ColumnFamilies() {
  return {kMeasuresFamily, kMirrorFamily, kSourcesFamily, kSnapshotsFamily,
          kRankHistoryFamily};
}

absl::StatusOr<std::unique_ptr<RollupEngine>> RollupEngine::Create(
    Store* store, std::vector<SourceSpec> sources) {
  std::map<std::string, std::unique_ptr<SourceAdapter>> adapters;
  for (const SourceSpec& s : sources) {
    ASSIGN_OR_RETURN(std::unique_ptr<SourceAdapter> adapter,
                     MakeSourceAdapter(s.kind));
    if (!adapters.emplace(s.name, std::move(adapter)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("--source: duplicate source name \"", s.name, "\""));
    }
  }
  return std::unique_ptr<RollupEngine>(
      new RollupEngine(store, std::move(sources), std::move(adapters)));
}

RollupEngine::RollupEngine(
    Store* store, std::vector<SourceSpec> sources,
    std::map<std::string, std::unique_ptr<SourceAdapter>> adapters)
    : store_(store),
      sources_(std::move(sources)),
      adapters_(std::move(adapters)) {}

absl::StatusOr<uint64_t> RollupEngine::AppliedSequence(
    const std::string& name, const Snapshot* snapshot) const {
  ASSIGN_OR_RETURN(std::optional<std::string> v,
                   store_->Get(kSourcesFamily, name, snapshot));
  uint64_t seq = 0;
  if (v.has_value() && !DecodeUint64(*v, &seq)) {
    return absl::DataLossError("corrupt applied sequence");
  }
  return seq;
}

absl::StatusOr<uint64_t> RollupEngine::ApplyBatch(
    const std::string& name, const changes::v1::ChangeBatch& batch) {
  auto adapter = adapters_.find(name);
  if (adapter == adapters_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown source ", name));
  }
  const SourceAdapter* apply_with = adapter->second.get();
  // Not a client write, so not MakeCommit: there is no request to make
  // idempotent (the stored applied sequence is what makes a re-delivered
  // batch harmless), and fingerprinting every batch would cost a
  // serialization per commit on the catch-up path.
  ASSIGN_OR_RETURN(
      CommitResult result,
      store_->CommitAndWait(CommitRequest{
          .actor = absl::StrCat("source:", name),
          .apply = [&, apply_with](Transaction& txn) -> absl::Status {
            ASSIGN_OR_RETURN(std::optional<std::string> stored,
                             txn.Get(kSourcesFamily, name));
            uint64_t applied = 0;
            if (stored.has_value()) DecodeUint64(*stored, &applied);
            TransactionRollupState state(&txn);
            for (const changes::v1::ChangeRecord& record : batch.records()) {
              if (record.sequence() <= applied) continue;  // already counted
              if (record.sequence() != applied + 1) {
                return absl::DataLossError(
                    absl::StrCat("source ", name, ": expected sequence ",
                                 applied + 1, ", got ", record.sequence()));
              }
              RETURN_IF_ERROR(apply_with->Apply(record, state));
              applied = record.sequence();
            }
            RETURN_IF_ERROR(
                txn.Put(kSourcesFamily, name, EncodeUint64(applied)));
            for (const auto& [key, delta] : state.deltas()) {
              ASSIGN_OR_RETURN(int64_t now, state.GetMeasure(key));
              const int64_t before = now - delta;
              const v1::MeasureValue now_value = ToMeasureValue(key, now);
              const v1::MeasureValue before_value = ToMeasureValue(key, before);
              txn.RecordChange(MeasureResource(key),
                               before == 0 ? changes::v1::CREATED
                               : now == 0  ? changes::v1::DELETED
                                           : changes::v1::UPDATED,
                               now == 0 ? nullptr : &now_value,
                               before == 0 ? nullptr : &before_value);
            }
            txn.SetResponse(EncodeUint64(applied));
            return absl::OkStatus();
          }}));
  uint64_t applied = 0;
  DecodeUint64(result.response, &applied);
  return applied;
}

absl::StatusOr<std::map<MeasureKey, int64_t>> RollupEngine::AllMeasures(
    const Snapshot* snapshot) const {
  std::map<MeasureKey, int64_t> out;
  absl::Status status;
  RETURN_IF_ERROR(store_->Scan(
      kMeasuresFamily, "", "",
      [&](std::string_view key, std::string_view value) {
        MeasureKey k;
        uint64_t raw;
        if (!DecodeMeasureKey(key, &k) || !DecodeUint64(value, &raw)) {
          status = absl::DataLossError("corrupt measure entry");
          return false;
        }
        out[k] = static_cast<int64_t>(raw);
        return true;
      },
      snapshot));
  RETURN_IF_ERROR(status);
  return out;
}

absl::StatusOr<v1::RebuildResponse> RollupEngine::Rebuild(
    FeedReader& reader) const {
  std::unique_ptr<Snapshot> snapshot = store_->TakeSnapshot();
  v1::RebuildResponse response;
  // Sources replay in parallel, each into its own state: an adapter only
  // reads measures its own source writes, so the states merge by addition.
  std::vector<MemoryRollupState> states(sources_.size());
  std::vector<absl::Status> results(sources_.size());
  std::vector<uint64_t> targets(sources_.size());
  for (size_t i = 0; i < sources_.size(); ++i) {
    ASSIGN_OR_RETURN(targets[i],
                     AppliedSequence(sources_[i].name, snapshot.get()));
    (*response.mutable_rebuilt_to_sequence())[sources_[i].name] = targets[i];
  }
  auto replay = [&](size_t i) {
    const SourceSpec& source = sources_[i];
    const uint64_t target = targets[i];
    if (target == 0) return;
    const SourceAdapter& adapter = *adapters_.at(source.name);
    uint64_t applied = 0;
    absl::Status status = reader(
        source, 1,
        [&](const changes::v1::ChangeBatch& batch) -> absl::StatusOr<bool> {
          for (const changes::v1::ChangeRecord& record : batch.records()) {
            if (record.sequence() > target) return false;
            if (record.sequence() != applied + 1) {
              return absl::DataLossError(absl::StrCat(
                  "rebuild of ", source.name, ": expected sequence ",
                  applied + 1, ", got ", record.sequence()));
            }
            RETURN_IF_ERROR(adapter.Apply(record, states[i]));
            applied = record.sequence();
          }
          return applied < target;
        });
    if (status.ok() && applied != target) {
      status = absl::UnavailableError(absl::StrCat("rebuild of ", source.name,
                                                   " reached sequence ",
                                                   applied, " of ", target));
    }
    results[i] = status;
  };
  {
    std::vector<std::thread> threads;
    for (size_t i = 1; i < sources_.size(); ++i)
      threads.emplace_back(replay, i);
    if (!sources_.empty()) replay(0);
    for (std::thread& t : threads) t.join();
  }
  for (const absl::Status& status : results) RETURN_IF_ERROR(status);
  MemoryRollupState rebuilt;
  for (MemoryRollupState& state : states) {
    for (const auto& [key, value] : state.measures()) {
      RETURN_IF_ERROR(rebuilt.AddMeasure(key, value));
    }
  }
  ASSIGN_OR_RETURN(auto incremental, AllMeasures(snapshot.get()));
  std::set<MeasureKey> keys;
  for (const auto& [k, v] : incremental) keys.insert(k);
  for (const auto& [k, v] : rebuilt.measures()) keys.insert(k);
  for (const MeasureKey& k : keys) {
    auto a = incremental.find(k);
    auto b = rebuilt.measures().find(k);
    const int64_t inc = a == incremental.end() ? 0 : a->second;
    const int64_t reb = b == rebuilt.measures().end() ? 0 : b->second;
    if (inc != reb && response.differences_size() < 100) {
      response.add_differences(absl::StrCat(
          MeasureResource(k), ": incremental ", inc, ", rebuilt ", reb));
    }
    if (inc != reb) response.set_equal(false);
  }
  if (response.differences_size() == 0) response.set_equal(true);
  response.set_measures_compared(static_cast<int64_t>(keys.size()));
  return response;
}

}  // namespace nq57::aggregator
