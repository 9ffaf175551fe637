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
#include <vector>

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

// Over a Store Transaction, deferred: changes collect in memory while the
// adapters run and reach the transaction once, in Flush(). A batch of
// records moves the same measures up and down many times (an update takes
// an assignment's facts out and puts them back), so only the net delta of
// each measure is written, a measure whose net delta is zero is never read
// or written, and each mirror entry is written once with its last value.
// Reads see the committed state plus everything changed here.
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

  struct MeasureChange {
    MeasureKey key;
    int64_t before = 0;
    int64_t after = 0;
  };
  // Writes the net changes into the transaction (a measure that comes to 0
  // is deleted) and returns the measures that changed, in key order (what
  // the engine publishes in its feed). OUT_OF_RANGE, writing nothing more,
  // if a measure would overflow int64. Call once, after the last change.
  absl::StatusOr<std::vector<MeasureChange>> Flush();

 private:
  // The committed value of `key` (0 if absent), read once.
  absl::StatusOr<int64_t> Stored(const MeasureKey& key);

  Transaction* const txn_;
  absl::flat_hash_map<MeasureKey, int64_t> deltas_;  // net, never 0
  absl::flat_hash_map<MeasureKey, int64_t> stored_;
  absl::btree_map<std::string, std::string, std::less<>> mirror_;  // puts
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
