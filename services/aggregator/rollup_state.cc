#include "services/aggregator/rollup_state.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "common/base/absl_view.h"
#include "common/base/checked_math.h"
#include "common/base/status_macros.h"
#include "common/store/key_codec.h"

namespace nq57::aggregator {

std::string EncodeMeasureKey(const MeasureKey& key) {
  return KeyBuilder()
      .String(key.scope)
      .String(key.bucket)
      .String(key.measure)
      .Build();
}

bool DecodeMeasureKey(std::string_view encoded, MeasureKey* key) {
  KeyReader reader(encoded);
  return reader.String(&key->scope) && reader.String(&key->bucket) &&
         reader.String(&key->measure) && reader.done();
}

std::string MeasurePrefix(std::string_view scope,
                          std::optional<std::string_view> bucket) {
  KeyBuilder builder;
  builder.String(scope);
  if (bucket.has_value()) builder.String(*bucket);
  return std::move(builder).Build();
}

absl::Status TransactionRollupState::AddMeasure(const MeasureKey& key,
                                                int64_t delta) {
  if (delta == 0) return absl::OkStatus();
  auto [it, inserted] = deltas_.try_emplace(key, 0);
  const std::optional<int64_t> net = CheckedAdd(it->second, delta);
  if (!net.has_value()) {
    return absl::OutOfRangeError("a measure's change would overflow int64");
  }
  if (*net == 0) {
    deltas_.erase(it);
  } else {
    it->second = *net;
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> TransactionRollupState::Stored(const MeasureKey& key) {
  auto cached = stored_.find(key);
  if (cached != stored_.end()) return cached->second;
  ASSIGN_OR_RETURN(std::optional<std::string> v,
                   txn_->Get(kMeasuresFamily, EncodeMeasureKey(key)));
  uint64_t raw = 0;
  if (v.has_value() && !DecodeUint64(*v, &raw)) {
    return absl::DataLossError("corrupt measure");
  }
  stored_.emplace(key, static_cast<int64_t>(raw));
  return static_cast<int64_t>(raw);
}

absl::StatusOr<int64_t> TransactionRollupState::GetMeasure(
    const MeasureKey& key) {
  ASSIGN_OR_RETURN(const int64_t stored, Stored(key));
  auto delta = deltas_.find(key);
  if (delta == deltas_.end()) return stored;
  const std::optional<int64_t> now = CheckedAdd(stored, delta->second);
  if (!now.has_value()) {
    return absl::OutOfRangeError("a measure would overflow int64");
  }
  return *now;
}

absl::StatusOr<std::optional<std::string>> TransactionRollupState::GetMirror(
    std::string_view key) {
  auto pending = mirror_.find(key);
  if (pending != mirror_.end()) return pending->second;
  return txn_->Get(kMirrorFamily, key);
}

absl::Status TransactionRollupState::PutMirror(std::string_view key,
                                               std::string_view value) {
  mirror_.insert_or_assign(std::string(key), std::string(value));
  return absl::OkStatus();
}

absl::Status TransactionRollupState::ScanMirror(
    std::string_view prefix,
    absl::FunctionRef<bool(std::string_view, std::string_view)> fn) {
  // The committed entries with the pending puts laid over them, in order.
  absl::btree_map<std::string, std::string, std::less<>> merged;
  RETURN_IF_ERROR(txn_->Scan(kMirrorFamily, prefix, PrefixSuccessor(prefix),
                             [&](std::string_view k, std::string_view v) {
                               merged.emplace(std::string(k), std::string(v));
                               return true;
                             }));
  for (auto it = mirror_.lower_bound(prefix);
       it != mirror_.end() && absl::StartsWith(it->first, AbslView(prefix));
       ++it) {
    merged.insert_or_assign(it->first, it->second);
  }
  for (const auto& [k, v] : merged) {
    if (!fn(k, v)) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TransactionRollupState::MeasureChange>>
TransactionRollupState::Flush() {
  std::vector<MeasureChange> changes;
  changes.reserve(deltas_.size());
  for (const auto& [key, delta] : deltas_) {
    ASSIGN_OR_RETURN(const int64_t before, Stored(key));
    const std::optional<int64_t> after = CheckedAdd(before, delta);
    if (!after.has_value()) {
      return absl::OutOfRangeError(
          "counter measures would overflow int64; nothing written");
    }
    changes.push_back({key, before, *after});
  }
  std::sort(changes.begin(), changes.end(),
            [](const MeasureChange& a, const MeasureChange& b) {
              return a.key < b.key;
            });
  for (const MeasureChange& c : changes) {
    const std::string key = EncodeMeasureKey(c.key);
    if (c.after == 0) {
      RETURN_IF_ERROR(txn_->Delete(kMeasuresFamily, key));
    } else {
      RETURN_IF_ERROR(txn_->Put(kMeasuresFamily, key,
                                EncodeUint64(static_cast<uint64_t>(c.after))));
    }
  }
  for (const auto& [key, value] : mirror_) {
    RETURN_IF_ERROR(txn_->Put(kMirrorFamily, key, value));
  }
  deltas_.clear();
  mirror_.clear();
  return changes;
}

absl::Status MemoryRollupState::AddMeasure(const MeasureKey& key,
                                           int64_t delta) {
  if (delta == 0) return absl::OkStatus();
  int64_t& v = measures_[key];
  v += delta;
  if (v == 0) measures_.erase(key);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> MemoryRollupState::GetMeasure(const MeasureKey& key) {
  auto it = measures_.find(key);
  return it == measures_.end() ? 0 : it->second;
}

absl::StatusOr<std::optional<std::string>> MemoryRollupState::GetMirror(
    std::string_view key) {
  auto it = mirror_.find(key);
  if (it == mirror_.end()) return std::nullopt;
  return it->second;
}

absl::Status MemoryRollupState::PutMirror(std::string_view key,
                                          std::string_view value) {
  mirror_[std::string(key)] = std::string(value);
  return absl::OkStatus();
}

absl::Status MemoryRollupState::ScanMirror(
    std::string_view prefix,
    absl::FunctionRef<bool(std::string_view, std::string_view)> fn) {
  for (auto it = mirror_.lower_bound(prefix);
       it != mirror_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it) {
    if (!fn(it->first, it->second)) break;
  }
  return absl::OkStatus();
}

}  // namespace nq57::aggregator
