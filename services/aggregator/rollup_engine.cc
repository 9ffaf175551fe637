#include "services/aggregator/rollup_engine.h"

#include <algorithm>
#include <set>
#include <thread>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/base/status_macros.h"
#include "common/store/key_codec.h"

namespace nq57::aggregator {
namespace {

// Where the layout is kept: a key no source name can take.
constexpr char kLayoutKey[] = "\x01layout";

}  // namespace
namespace {

v1::MeasureValue ToMeasureValue(const MeasureKey& key, int64_t value) {
  v1::MeasureValue out;
  out.set_scope(key.scope);
  out.set_bucket(key.bucket);
  out.set_measure(key.measure);
  out.set_value(value);
  return out;
}

// The aggregator's own feed: one change record per measure whose value
// moved from `before` to `after` (what a national aggregator and watchers
// follow).
void RecordMeasureChange(Transaction& txn, const MeasureKey& key,
                         int64_t before, int64_t after) {
  const v1::MeasureValue after_value = ToMeasureValue(key, after);
  const v1::MeasureValue before_value = ToMeasureValue(key, before);
  txn.RecordChange(MeasureResource(key),
                   before == 0  ? changes::v1::CREATED
                   : after == 0 ? changes::v1::DELETED
                                : changes::v1::UPDATED,
                   after == 0 ? nullptr : &after_value,
                   before == 0 ? nullptr : &before_value);
}

// A scan visitor that collects measure entries into `out`, or sets `status`
// to DATA_LOSS at the first corrupt one.
auto CollectMeasures(std::map<MeasureKey, int64_t>& out, absl::Status& status) {
  return [&out, &status](std::string_view key, std::string_view value) {
    MeasureKey k;
    uint64_t raw;
    if (!DecodeMeasureKey(key, &k) || !DecodeUint64(value, &raw)) {
      status = absl::DataLossError("corrupt measure entry");
      return false;
    }
    out[k] = static_cast<int64_t>(raw);
    return true;
  };
}

// Every measure, as the transaction sees it.
absl::StatusOr<std::map<MeasureKey, int64_t>> MeasuresIn(Transaction& txn) {
  std::map<MeasureKey, int64_t> out;
  absl::Status decode;
  RETURN_IF_ERROR(
      txn.Scan(kMeasuresFamily, "", "", CollectMeasures(out, decode)));
  RETURN_IF_ERROR(decode);
  return out;
}

// Deletes every key of `family` in the transaction.
absl::Status DeleteAll(Transaction& txn, std::string_view family) {
  std::vector<std::string> keys;
  RETURN_IF_ERROR(
      txn.Scan(family, "", "", [&](std::string_view key, std::string_view) {
        keys.emplace_back(key);
        return true;
      }));
  for (const std::string& key : keys) RETURN_IF_ERROR(txn.Delete(family, key));
  return absl::OkStatus();
}

constexpr char kBasisPayload[] = "type.nq57.dev/aggregator.SourceBasis";

absl::Status BasisError(std::string_view kind, std::string message) {
  absl::Status status = absl::FailedPreconditionError(std::move(message));
  status.SetPayload(kBasisPayload, absl::Cord(AbslView(kind)));
  return status;
}

bool HasBasisPayload(const absl::Status& status, std::string_view kind) {
  absl::optional<absl::Cord> payload = status.GetPayload(kBasisPayload);
  return payload.has_value() && *payload == AbslView(kind);
}

// Positions were a bare 8-byte sequence before log identities.
absl::StatusOr<v1::SourcePosition> DecodePosition(
    const std::optional<std::string>& stored) {
  v1::SourcePosition out;
  if (!stored.has_value()) return out;
  uint64_t legacy = 0;
  if (stored->size() == 8 && DecodeUint64(*stored, &legacy)) {
    out.set_sequence(legacy);
    return out;
  }
  if (!out.ParseFromString(*stored)) {
    return absl::DataLossError("corrupt source position");
  }
  return out;
}

// Why `batch` cannot continue `position`, or empty.
std::string LostBasisReason(const std::string& name,
                            const v1::SourcePosition& position,
                            const changes::v1::ChangeBatch& batch) {
  if (!position.log_id().empty() && !batch.log_id().empty() &&
      position.log_id() != batch.log_id()) {
    return absl::StrCat("source ", name, ": its log identity changed from ",
                        position.log_id(), " to ", batch.log_id(),
                        " (a new or restored store): its history is not a "
                        "continuation of what was applied");
  }
  if (batch.head_sequence() < position.sequence()) {
    return absl::StrCat("source ", name, ": its head ", batch.head_sequence(),
                        " is below the applied sequence ", position.sequence(),
                        " (the log went backwards)");
  }
  if (position.sequence() > 0 && !position.log_id().empty() &&
      position.scope() != batch.scope()) {
    return absl::StrCat("source ", name, ": its scope changed from \"",
                        position.scope(), "\" to \"", batch.scope(), "\"");
  }
  return "";
}

}  // namespace

bool IsLostBasis(const absl::Status& status) {
  return HasBasisPayload(status, "lost_basis");
}

bool IsOverlappingScope(const absl::Status& status) {
  return HasBasisPayload(status, "overlapping_scope");
}

bool ScopesOverlap(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty() || a == b) return true;
  auto under = [](std::string_view unit, std::string_view scope) {
    return unit.size() > scope.size() &&
           unit.substr(0, scope.size()) == scope && unit[scope.size()] == '/';
  };
  return under(a, b) || under(b, a);
}

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
  std::map<std::string, SourceAdapter> adapters;
  for (const SourceSpec& s : sources) {
    ASSIGN_OR_RETURN(SourceAdapter adapter, SourceAdapterFor(s.kind));
    if (!adapters.emplace(s.name, adapter).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("--source: duplicate source name \"", s.name, "\""));
    }
  }
  auto engine = std::unique_ptr<RollupEngine>(
      new RollupEngine(store, std::move(sources), std::move(adapters)));
  ASSIGN_OR_RETURN(engine->recounting_for_layout_, engine->ResetOtherLayout());
  absl::MutexLock lock(&engine->scopes_mu_);
  for (const SourceSpec& s : engine->sources_) {
    ASSIGN_OR_RETURN(v1::SourcePosition position,
                     engine->AppliedPosition(s.name));
    if (!position.log_id().empty()) engine->scopes_[s.name] = position.scope();
  }
  return engine;
}

absl::StatusOr<bool> RollupEngine::ResetOtherLayout() {
  ASSIGN_OR_RETURN(std::optional<std::string> layout,
                   store_->Get(kSourcesFamily, kLayoutKey));
  if (layout.has_value() && *layout == kLayout) return false;
  bool reset = false;
  ASSIGN_OR_RETURN(
      CommitResult done,
      store_->CommitAndWait(CommitRequest{
          .actor = "layout", .apply = [&](Transaction& txn) -> absl::Status {
            ASSIGN_OR_RETURN(const auto now, MeasuresIn(txn));
            for (const auto& [k, v] : now) {
              RETURN_IF_ERROR(txn.Delete(kMeasuresFamily, EncodeMeasureKey(k)));
              RecordMeasureChange(txn, k, v, 0);
            }
            RETURN_IF_ERROR(DeleteAll(txn, kMirrorFamily));
            RETURN_IF_ERROR(DeleteAll(txn, kSourcesFamily));
            reset = !now.empty();
            return txn.Put(kSourcesFamily, kLayoutKey, kLayout);
          }}));
  (void)done;
  return reset;
}

RollupEngine::RollupEngine(Store* store, std::vector<SourceSpec> sources,
                           std::map<std::string, SourceAdapter> adapters)
    : store_(store),
      sources_(std::move(sources)),
      adapters_(std::move(adapters)) {}

absl::StatusOr<uint64_t> RollupEngine::AppliedSequence(
    const std::string& name, const Snapshot* snapshot) const {
  ASSIGN_OR_RETURN(v1::SourcePosition position,
                   AppliedPosition(name, snapshot));
  return position.sequence();
}

absl::StatusOr<v1::SourcePosition> RollupEngine::AppliedPosition(
    const std::string& name, const Snapshot* snapshot) const {
  ASSIGN_OR_RETURN(std::optional<std::string> v,
                   store_->Get(kSourcesFamily, name, snapshot));
  return DecodePosition(v);
}

const SourceSpec* RollupEngine::Find(const std::string& name) const {
  for (const SourceSpec& s : sources_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

absl::Status RollupEngine::CheckScope(const std::string& name,
                                      std::string_view scope) {
  const SourceSpec* self = Find(name);
  if (self == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown source ", name));
  }
  for (const auto& [other, other_scope] : scopes_) {
    if (other == name) continue;
    const SourceSpec* spec = Find(other);
    if (spec == nullptr || spec->kind != self->kind) continue;
    if (ScopesOverlap(scope, other_scope)) {
      return BasisError(
          "overlapping_scope",
          absl::StrCat("source ", name, ": its scope \"", AbslView(scope),
                       "\" overlaps source ", other, "'s scope \"", other_scope,
                       "\"; nothing of it is counted"));
    }
  }
  scopes_[name] = std::string(scope);
  return absl::OkStatus();
}

absl::Status RollupEngine::CheckBasis(const std::string& name,
                                      const changes::v1::ChangeBatch& batch) {
  ASSIGN_OR_RETURN(v1::SourcePosition position, AppliedPosition(name));
  std::string reason = LostBasisReason(name, position, batch);
  if (!reason.empty()) return BasisError("lost_basis", std::move(reason));
  absl::MutexLock lock(&scopes_mu_);
  return CheckScope(name, batch.scope());
}

absl::StatusOr<uint64_t> RollupEngine::ApplyBatch(
    const std::string& name, const changes::v1::ChangeBatch& batch) {
  auto adapter = adapters_.find(name);
  if (adapter == adapters_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown source ", name));
  }
  const SourceAdapter apply_with = adapter->second;
  RETURN_IF_ERROR(CheckBasis(name, batch));
  absl::ReaderMutexLock shared(&reset_mu_);
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
            ASSIGN_OR_RETURN(v1::SourcePosition position,
                             DecodePosition(stored));
            // Checked again in the commit: a replacing rebuild may have
            // moved the position since CheckBasis.
            std::string reason = LostBasisReason(name, position, batch);
            if (!reason.empty()) {
              return BasisError("lost_basis", std::move(reason));
            }
            uint64_t applied = position.sequence();
            TransactionRollupState state(&txn);
            for (const changes::v1::ChangeRecord& record : batch.records()) {
              if (record.sequence() <= applied) continue;  // already counted
              if (record.sequence() != applied + 1) {
                return absl::DataLossError(
                    absl::StrCat("source ", name, ": expected sequence ",
                                 applied + 1, ", got ", record.sequence()));
              }
              RETURN_IF_ERROR(apply_with(record, state));
              applied = record.sequence();
            }
            position.set_sequence(applied);
            position.set_log_id(batch.log_id());
            position.set_scope(batch.scope());
            RETURN_IF_ERROR(
                txn.Put(kSourcesFamily, name, position.SerializeAsString()));
            ASSIGN_OR_RETURN(
                std::vector<TransactionRollupState::MeasureChange> changes,
                state.Flush());
            for (const auto& c : changes) {
              RecordMeasureChange(txn, c.key, c.before, c.after);
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
  RETURN_IF_ERROR(store_->Scan(kMeasuresFamily, "", "",
                               CollectMeasures(out, status), snapshot));
  RETURN_IF_ERROR(status);
  return out;
}

absl::StatusOr<v1::RebuildResponse> RollupEngine::Rebuild(
    FeedReader& reader, RebuildOptions options) {
  // A replacing rebuild holds every ApplyBatch off until its commit is in.
  if (options.replace) reset_mu_.WriterLock();
  struct Unlock {
    absl::Mutex* mu;
    ~Unlock() {
      if (mu != nullptr) mu->WriterUnlock();
    }
  } unlock{options.replace ? &reset_mu_ : nullptr};

  std::unique_ptr<Snapshot> snapshot = store_->TakeSnapshot();
  v1::RebuildResponse response;
  struct Replay {
    MemoryRollupState state;
    absl::Status status;
    v1::SourcePosition stored;
    v1::SourcePosition rebuilt;  // log id, sequence replayed to, scope
    bool heard = false;
  };
  // Sources replay in parallel, each into its own state: an adapter only
  // reads measures its own source writes, so the states merge by addition.
  std::vector<Replay> replays(sources_.size());
  for (size_t i = 0; i < sources_.size(); ++i) {
    ASSIGN_OR_RETURN(replays[i].stored,
                     AppliedPosition(sources_[i].name, snapshot.get()));
  }
  auto replay = [&](size_t i) {
    const SourceSpec& source = sources_[i];
    Replay& r = replays[i];
    const SourceAdapter adapter = adapters_.at(source.name);
    uint64_t applied = 0, target = 0;
    absl::Status status = reader(
        source, 1,
        [&](const changes::v1::ChangeBatch& batch) -> absl::StatusOr<bool> {
          if (options.expired()) {
            return absl::DeadlineExceededError(
                absl::StrCat("rebuild of ", source.name,
                             " passed its deadline at sequence ", applied));
          }
          if (!r.heard) {
            // What is there now: never wait for the log to grow. A compare
            // stops where the incremental state stopped, if it is the same
            // history; a replacement takes everything.
            r.heard = true;
            r.rebuilt.set_log_id(batch.log_id());
            r.rebuilt.set_scope(batch.scope());
            const bool same_history = r.stored.log_id().empty() ||
                                      r.stored.log_id() == batch.log_id();
            target = options.replace || !same_history
                         ? batch.head_sequence()
                         : std::min(r.stored.sequence(), batch.head_sequence());
          }
          for (const changes::v1::ChangeRecord& record : batch.records()) {
            if (record.sequence() > target) return false;
            if (record.sequence() != applied + 1) {
              return absl::DataLossError(absl::StrCat(
                  "rebuild of ", source.name, ": expected sequence ",
                  applied + 1, ", got ", record.sequence()));
            }
            RETURN_IF_ERROR(adapter(record, r.state));
            applied = record.sequence();
          }
          return applied < target;
        });
    if (status.ok() && applied != target) {
      status = absl::UnavailableError(absl::StrCat("rebuild of ", source.name,
                                                   " reached sequence ",
                                                   applied, " of ", target));
    }
    r.rebuilt.set_sequence(applied);
    r.status = status;
  };
  {
    std::vector<std::thread> threads;
    for (size_t i = 1; i < sources_.size(); ++i)
      threads.emplace_back(replay, i);
    if (!sources_.empty()) replay(0);
    for (std::thread& t : threads) t.join();
  }
  for (const Replay& r : replays) RETURN_IF_ERROR(r.status);

  // Sources of one kind whose scopes overlap an earlier one are not counted.
  std::vector<bool> counted(sources_.size(), true);
  for (size_t i = 0; i < sources_.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (counted[j] && sources_[j].kind == sources_[i].kind &&
          ScopesOverlap(replays[i].rebuilt.scope(),
                        replays[j].rebuilt.scope())) {
        counted[i] = false;
        response.add_differences(
            absl::StrCat("source ", sources_[i].name, ": its scope \"",
                         replays[i].rebuilt.scope(), "\" overlaps source ",
                         sources_[j].name, "'s; not counted"));
      }
    }
  }
  MemoryRollupState rebuilt;
  std::map<std::string, std::string> mirror;
  for (size_t i = 0; i < sources_.size(); ++i) {
    const Replay& r = replays[i];
    (*response.mutable_rebuilt_to_sequence())[sources_[i].name] =
        r.rebuilt.sequence();
    (*response.mutable_rebuilt_log_ids())[sources_[i].name] =
        r.rebuilt.log_id();
    if (!r.stored.log_id().empty() && r.stored.log_id() != r.rebuilt.log_id()) {
      response.add_differences(absl::StrCat(
          "source ", sources_[i].name, ": log identity changed from ",
          r.stored.log_id(), " to ", r.rebuilt.log_id()));
    }
    if (!counted[i]) continue;
    for (const auto& [key, value] : r.state.measures()) {
      RETURN_IF_ERROR(rebuilt.AddMeasure(key, value));
    }
    for (const auto& [key, value] : r.state.mirror()) mirror[key] = value;
  }
  ASSIGN_OR_RETURN(auto incremental, AllMeasures(snapshot.get()));
  std::set<MeasureKey> keys;
  for (const auto& [k, v] : incremental) keys.insert(k);
  for (const auto& [k, v] : rebuilt.measures()) keys.insert(k);
  bool equal = response.differences_size() == 0;
  for (const MeasureKey& k : keys) {
    auto a = incremental.find(k);
    auto b = rebuilt.measures().find(k);
    const int64_t inc = a == incremental.end() ? 0 : a->second;
    const int64_t reb = b == rebuilt.measures().end() ? 0 : b->second;
    if (inc != reb && response.differences_size() < 100) {
      response.add_differences(absl::StrCat(
          MeasureResource(k), ": incremental ", inc, ", rebuilt ", reb));
    }
    if (inc != reb) equal = false;
  }
  response.set_equal(equal);
  response.set_measures_compared(static_cast<int64_t>(keys.size()));
  if (!options.replace) return response;

  // One commit: every measure that changed (with its change record, so a
  // national aggregator follows), the mirror, every position.
  ASSIGN_OR_RETURN(
      CommitResult done,
      store_->CommitAndWait(CommitRequest{
          .actor = "rebuild", .apply = [&](Transaction& txn) -> absl::Status {
            ASSIGN_OR_RETURN(const auto now, MeasuresIn(txn));
            std::set<MeasureKey> all;
            for (const auto& [k, v] : now) all.insert(k);
            for (const auto& [k, v] : rebuilt.measures()) all.insert(k);
            for (const MeasureKey& k : all) {
              auto a = now.find(k);
              auto b = rebuilt.measures().find(k);
              const int64_t before = a == now.end() ? 0 : a->second;
              const int64_t after =
                  b == rebuilt.measures().end() ? 0 : b->second;
              if (before == after) continue;
              if (after == 0) {
                RETURN_IF_ERROR(
                    txn.Delete(kMeasuresFamily, EncodeMeasureKey(k)));
              } else {
                RETURN_IF_ERROR(
                    txn.Put(kMeasuresFamily, EncodeMeasureKey(k),
                            EncodeUint64(static_cast<uint64_t>(after))));
              }
              RecordMeasureChange(txn, k, before, after);
            }
            RETURN_IF_ERROR(DeleteAll(txn, kMirrorFamily));
            for (const auto& [key, value] : mirror) {
              RETURN_IF_ERROR(txn.Put(kMirrorFamily, key, value));
            }
            for (size_t i = 0; i < sources_.size(); ++i) {
              if (!counted[i]) {
                RETURN_IF_ERROR(txn.Delete(kSourcesFamily, sources_[i].name));
                continue;
              }
              RETURN_IF_ERROR(txn.Put(kSourcesFamily, sources_[i].name,
                                      replays[i].rebuilt.SerializeAsString()));
            }
            return absl::OkStatus();
          }}));
  (void)done;
  {
    absl::MutexLock lock(&scopes_mu_);
    scopes_.clear();
    for (size_t i = 0; i < sources_.size(); ++i) {
      if (counted[i]) scopes_[sources_[i].name] = replays[i].rebuilt.scope();
    }
  }
  response.set_replaced(true);
  return response;
}

}  // namespace nq57::aggregator
