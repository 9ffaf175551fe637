#include "services/aggregator/rollup_state.h"

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
  RETURN_IF_ERROR(
      txn_->AddToCounter(kMeasuresFamily, EncodeMeasureKey(key), delta)
          .status());
  int64_t& net = deltas_[key];
  net += delta;
  if (net == 0) deltas_.erase(key);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> TransactionRollupState::GetMeasure(
    const MeasureKey& key) {
  ASSIGN_OR_RETURN(std::optional<std::string> v,
                   txn_->Get(kMeasuresFamily, EncodeMeasureKey(key)));
  uint64_t raw = 0;
  if (v.has_value() && !DecodeUint64(*v, &raw)) {
    return absl::DataLossError("corrupt measure");
  }
  return static_cast<int64_t>(raw);
}

absl::StatusOr<std::optional<std::string>> TransactionRollupState::GetMirror(
    std::string_view key) {
  return txn_->Get(kMirrorFamily, key);
}

absl::Status TransactionRollupState::PutMirror(std::string_view key,
                                               std::string_view value) {
  return txn_->Put(kMirrorFamily, key, value);
}

absl::Status TransactionRollupState::ScanMirror(
    std::string_view prefix,
    absl::FunctionRef<bool(std::string_view, std::string_view)> fn) {
  return txn_->Scan(kMirrorFamily, prefix, PrefixSuccessor(prefix), fn);
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
