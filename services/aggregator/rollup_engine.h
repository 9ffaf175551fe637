// RollupEngine: applies source change batches to the aggregator's rollups,
// exactly once.
//
// ApplyBatch() runs one commit on the aggregator's Store that (1) skips the
// records the source's applied sequence already covers, (2) applies the rest
// through the source's adapter, (3) stores the new applied sequence, and (4)
// appends one change record per measure whose value changed (the
// aggregator's own feed, for WatchReports and for a national aggregator).
// All four land in one WriteBatch, so after a crash the engine resumes from
// the stored sequence with nothing counted twice or lost. A gap in the
// source's sequences is DATA_LOSS (the consumer resubscribes).
//
// A source's position is (log id, sequence, scope) (changes.proto): a batch
// whose log id differs from the stored one, or whose head is below what was
// applied, has lost its basis — CheckBasis() and ApplyBatch() refuse it with
// FAILED_PRECONDITION (IsLostBasis) and nothing of it is applied. A source
// whose announced scope overlaps another source of the same kind is refused
// the same way (IsOverlappingScope), so a province is never counted twice.
//
// Rebuild() replays every source from sequence 1 into memory, up to the
// sequences the incremental state had applied at a snapshot (never beyond
// the source's head when the replay started: it never waits for a log to
// grow), and compares. Rebuild(.., {.replace = true}) replays every source
// to its current head and replaces every measure, mirror entry and position
// with the result in one commit — how a source that lost its basis is
// counted again from its new log; the other sources' measures come out
// identical, since their logs are unchanged. ApplyBatch calls wait while a
// replacing rebuild runs.
// Sources replay in parallel; this relies on an adapter reading only
// measures its own source writes (true of every adapter here: their
// measures are prefixed by the source kind, and federated provinces are
// disjoint scopes).
//
// Thread-safe: ApplyBatch may be called from several consumer threads (the
// store serialises commits); Rebuild runs beside them.
#ifndef NQ57_SERVICES_AGGREGATOR_ROLLUP_ENGINE_H_
#define NQ57_SERVICES_AGGREGATOR_ROLLUP_ENGINE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/store/store.h"
#include "nq57/aggregator/v1/aggregator.pb.h"
#include "nq57/changes/v1/changes.pb.h"
#include "services/aggregator/rollup_state.h"
#include "services/aggregator/source_adapter.h"

namespace nq57::aggregator {

struct SourceSpec {
  std::string name;     // stable: keys the applied sequence
  std::string kind;     // criteria | publicservice | eidentity | aggregator
  std::string address;  // host:port of its ChangeFeed
};

// Parses "name=kind@host:port" (kind defaults to name when "kind@" is
// omitted: "criteria@127.0.0.1:50571").
absl::StatusOr<SourceSpec> ParseSourceSpec(std::string_view text);

// Reads one source's feed from `from` and calls `fn` per batch until `fn`
// returns false or the stream ends; implemented over gRPC by the consumer.
// A reader must give up (DEADLINE_EXCEEDED) at the deadline it was made
// with.
using FeedReader = absl::AnyInvocable<absl::Status(
    const SourceSpec& source, uint64_t from,
    absl::FunctionRef<absl::StatusOr<bool>(const changes::v1::ChangeBatch&)>
        fn)>;

// Whether `status` is CheckBasis's "lost its basis" / "overlapping scope".
bool IsLostBasis(const absl::Status& status);
bool IsOverlappingScope(const absl::Status& status);

// Whether two scopes share a unit ("" is the whole country).
bool ScopesOverlap(std::string_view a, std::string_view b);

struct RebuildOptions {
  // Replace the incremental state with the rebuilt one (see above).
  bool replace = false;
  // Checked between batches; a rebuild that is past it stops with
  // DEADLINE_EXCEEDED.
  absl::AnyInvocable<bool() const> expired = [] { return false; };
};

class RollupEngine {
 public:
  // `store` is not owned and must outlive the engine; it must have been
  // opened with ColumnFamilies(). INVALID_ARGUMENT for an unknown source
  // kind or a duplicate source name.
  //
  // A store whose measures were written in another layout (kLayout: an
  // older version of the aggregator) is never read as if it were this one:
  // Create clears its measures, mirror and positions in one commit (with
  // change records, so a national aggregator following it follows), and
  // every source is recounted from its log as on a fresh store.
  static absl::StatusOr<std::unique_ptr<RollupEngine>> Create(
      Store* store, std::vector<SourceSpec> sources);

  // The layout of the measures this code writes (point_in_time.h).
  static constexpr char kLayout[] = "point-in-time-1";
  // True if Create found another layout and cleared the store for a
  // recount.
  bool recounting_for_layout() const { return recounting_for_layout_; }

  // The store's column families.
  static std::vector<std::string> ColumnFamilies();

  const std::vector<SourceSpec>& sources() const { return sources_; }

  // Durably applies `batch` from source `name`; returns the new applied
  // sequence. Blocks until the commit is durable (call from a consumer
  // thread, never a gRPC callback).
  absl::StatusOr<uint64_t> ApplyBatch(const std::string& name,
                                      const changes::v1::ChangeBatch& batch);

  // The last sequence of `name` applied durably (0 if none).
  absl::StatusOr<uint64_t> AppliedSequence(
      const std::string& name, const Snapshot* snapshot = nullptr) const;
  // The whole stored position of `name` (empty log id: nothing applied yet,
  // or state from before log identities).
  absl::StatusOr<v1::SourcePosition> AppliedPosition(
      const std::string& name, const Snapshot* snapshot = nullptr) const;

  // OK if `batch` continues what was applied from `name`: the same log
  // identity and scope, a head not below the applied sequence, and a scope
  // that overlaps no other source of the same kind. FAILED_PRECONDITION
  // (IsLostBasis / IsOverlappingScope) saying why otherwise.
  absl::Status CheckBasis(const std::string& name,
                          const changes::v1::ChangeBatch& batch);

  // Replays every source from 0 up to what the incremental state had applied
  // when Rebuild started, and compares measure by measure (`seconds` is left
  // to the caller: Rebuilder times it with its clock). Blocks; run it on a
  // worker (Rebuilder), never on a gRPC callback thread.
  absl::StatusOr<v1::RebuildResponse> Rebuild(FeedReader& reader,
                                              RebuildOptions options = {});

  // Every measure in the store (for tests and Rebuild).
  absl::StatusOr<std::map<MeasureKey, int64_t>> AllMeasures(
      const Snapshot* snapshot = nullptr) const;

 private:
  // Clears a store of another layout (see Create); true if it held
  // measures.
  absl::StatusOr<bool> ResetOtherLayout();
  RollupEngine(Store* store, std::vector<SourceSpec> sources,
               std::map<std::string, SourceAdapter> adapters);

  absl::Status CheckScope(const std::string& name, std::string_view scope)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(scopes_mu_);
  const SourceSpec* Find(const std::string& name) const;

  Store* const store_;
  const std::vector<SourceSpec> sources_;
  const std::map<std::string, SourceAdapter> adapters_;
  bool recounting_for_layout_ = false;
  // ApplyBatch holds it shared, a replacing Rebuild exclusively.
  absl::Mutex reset_mu_;
  // The scope each source announced (or had stored), by name: sources of one
  // kind must not overlap. First come, first counted.
  absl::Mutex scopes_mu_;
  std::map<std::string, std::string> scopes_ ABSL_GUARDED_BY(scopes_mu_);
};

// The resource name of a measure in the aggregator's feed.
std::string MeasureResource(const MeasureKey& key);

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_ROLLUP_ENGINE_H_
