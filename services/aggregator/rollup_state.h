// RollupState: what the aggregator's rollups are made of, and the one
// interface through which source adapters change them.
//
// Every figure of a report is computed from *measures*: int64 counters keyed
// by (scope, bucket, measure). The scope is a province ("provinces/25") or,
// for coverage, a unit; the bucket is "at:<seconds>" for the change that took
// effect at that instant (point_in_time.h), or "open:<deadline>|at:<seconds>"
// for the open-deadline index. Adapters
// may also keep *mirror* entries: the facts they need to turn a later change
// into a delta (e.g. each criterion's block and deadline).
//
// Two implementations share the adapters: TransactionRollupState writes into
// the aggregator's Store inside a commit (the incremental path, atomic with
// the consumed sequence), MemoryRollupState into maps (Rebuild, and tests'
// reference computations). Not thread-safe; one user at a time.
#ifndef NQ57_SERVICES_AGGREGATOR_ROLLUP_STATE_H_
#define NQ57_SERVICES_AGGREGATOR_ROLLUP_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/store/store.h"

namespace nq57::aggregator {

// Column families of the aggregator's store.
inline constexpr char kMeasuresFamily[] = "measures";  // key -> int64
inline constexpr char kMirrorFamily[] = "mirror";      // adapter facts
inline constexpr char kSourcesFamily[] = "sources";    // name -> position
inline constexpr char kSnapshotsFamily[] = "snapshots";
inline constexpr char kRankHistoryFamily[] = "rank_history";

struct MeasureKey {
  std::string scope;
  std::string bucket;
  std::string measure;
  friend auto operator<=>(const MeasureKey&, const MeasureKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const MeasureKey& k) {
    return H::combine(std::move(h), k.scope, k.bucket, k.measure);
  }
};

std::string EncodeMeasureKey(const MeasureKey& key);
bool DecodeMeasureKey(std::string_view encoded, MeasureKey* key);
// Prefix of every measure of (scope, bucket), or of scope when bucket is
// unset.
std::string MeasurePrefix(std::string_view scope,
                          std::optional<std::string_view> bucket);

class RollupState {
 public:
  virtual ~RollupState() = default;
  // Adds `delta` to a measure (absent = 0; a measure that returns to 0 is
  // removed).
  virtual absl::Status AddMeasure(const MeasureKey& key, int64_t delta) = 0;
  virtual absl::StatusOr<int64_t> GetMeasure(const MeasureKey& key) = 0;

  virtual absl::StatusOr<std::optional<std::string>> GetMirror(
      std::string_view key) = 0;
  virtual absl::Status PutMirror(std::string_view key,
                                 std::string_view value) = 0;
  // Visits mirror entries whose key starts with `prefix`, in key order.
  virtual absl::Status ScanMirror(
      std::string_view prefix,
      absl::FunctionRef<bool(std::string_view key, std::string_view value)>
          fn) = 0;
};

// Over a Store Transaction; also remembers the net delta of every measure it
// touched so the engine can publish the changes (federation, watchers).
class TransactionRollupState : public RollupState {
 public:
  explicit TransactionRollupState(Transaction* txn) : txn_(txn) {}
  absl::Status AddMeasure(const MeasureKey& key, int64_t delta) override;
  absl::StatusOr<int64_t> GetMeasure(const MeasureKey& key) override;
  absl::StatusOr<std::optional<std::string>> GetMirror(
      std::string_view key) override;
  absl::Status PutMirror(std::string_view key, std::string_view value) override;
  absl::Status ScanMirror(
      std::string_view prefix,
      absl::FunctionRef<bool(std::string_view, std::string_view)> fn) override;

  // Net change per measure since construction (zero deltas dropped).
  const std::map<MeasureKey, int64_t>& deltas() const { return deltas_; }

 private:
  Transaction* const txn_;
  std::map<MeasureKey, int64_t> deltas_;
};

class MemoryRollupState : public RollupState {
 public:
  absl::Status AddMeasure(const MeasureKey& key, int64_t delta) override;
  absl::StatusOr<int64_t> GetMeasure(const MeasureKey& key) override;
  absl::StatusOr<std::optional<std::string>> GetMirror(
      std::string_view key) override;
  absl::Status PutMirror(std::string_view key, std::string_view value) override;
  absl::Status ScanMirror(
      std::string_view prefix,
      absl::FunctionRef<bool(std::string_view, std::string_view)> fn) override;

  const absl::flat_hash_map<MeasureKey, int64_t>& measures() const {
    return measures_;
  }
  const absl::btree_map<std::string, std::string, std::less<>>& mirror() const {
    return mirror_;
  }

 private:
  // Rebuild touches every measure and mirror entry once per record: hashed
  // measures, and a B-tree for the mirror (ordered for prefix scans).
  absl::flat_hash_map<MeasureKey, int64_t> measures_;
  absl::btree_map<std::string, std::string, std::less<>> mirror_;
};

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_ROLLUP_STATE_H_
