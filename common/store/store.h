// Store: a service's durable state in one RocksDB database, written through
// one group-commit path.
//
// What a commit guarantees
//   A commit runs the caller's `apply` function on the store's single writer
//   thread. Everything `apply` writes (data, the change records it emits with
//   RecordChange, the history index, and the idempotency record when the
//   request carries a request_id) lands in ONE RocksDB WriteBatch written with
//   sync=true: all of it is in the fsynced WAL before the caller's callback
//   runs with OK, or none of it is visible. The writer drains its queue and
//   commits many requests per WriteBatch (group commit); `apply` of a later
//   request in a group sees the writes of the earlier ones, so checks and
//   counter updates made in `apply` are race-free without locks. If `apply`
//   returns an error, that request's writes are rolled back and the others
//   in the group are unaffected.
//
// Threading
//   All public methods are thread-safe. `apply` runs on the writer thread;
//   the commit callbacks run on the store's acknowledging thread, in commit
//   order, once their group is durable (so the writer goes on to the next
//   group while answers are sent), and after them the change-log followers
//   are woken there. Neither may block (no waiting on other commits, no
//   RPCs); finishing a gRPC reactor from a callback is fine. Reads (Get,
//   Scan, ListPrefix) run on the caller's thread and see committed data
//   only; a write is readable before its callback runs.
//
// Ownership
//   Open() returns the sole owner. Close() (also run by the destructor)
//   refuses new commits with UNAVAILABLE, completes everything already
//   queued, closes the change log and then the database.
//
// Failures
//   A full disk or another I/O error does not end the process: the failed
//   group is answered RESOURCE_EXHAUSTED ("no space left ...") or
//   UNAVAILABLE, later commits are refused the same way without touching
//   the disk, reads go on, and the writer asks RocksDB to resume about once
//   a second, so writes come back by themselves once space returns.
//   health() says which state the store is in. The queue of commits is
//   bounded (StoreOptions::max_queued): beyond it Commit answers
//   RESOURCE_EXHAUSTED at once.
//
// Damage
//   Open() refuses (DATA_LOSS, IsDamage()) a store whose write-ahead log
//   cannot be replayed completely: a record fails its checksum, or the
//   replayed data ends below the acknowledged mark (acknowledged_mark.h),
//   i.e. acknowledged writes are missing. With accept_data_loss it opens
//   what can be replayed instead and gives the log a new identity, so
//   consumers rebuild rather than continue a history that lost its tail.
//   Every SST's checksums are verified at open (verify_on_open). Damage met
//   while serving is DATA_LOSS to the caller and stays in health().data.
//
// clang-format off
//   ASSIGN_OR_RETURN(std::unique_ptr<Store> store,
//                    Store::Open(dir, {.column_families = {"items"}}));
//   store->Commit(
//       MakeCommit(request, request.request_id(), actor,
//                  [&](Transaction& txn) -> absl::Status {
//                    RETURN_IF_ERROR(txn.Put("items", key, value));
//                    txn.RecordChange(name, changes::v1::CREATED, &item,
//                                     nullptr);
//                    txn.SetResponse(item.SerializeAsString());
//                    return absl::OkStatus();
//                  }),
//       [reactor](absl::StatusOr<CommitResult> r) { /* finish the RPC */ });
// clang-format on
#ifndef NQ57_COMMON_STORE_STORE_H_
#define NQ57_COMMON_STORE_STORE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/store/acknowledged_mark.h"
#include "common/store/change_log.h"
#include "common/store/store_errors.h"
#include "google/protobuf/message.h"
#include "nq57/changes/v1/changes.pb.h"

// RocksDB stays behind this header: code that commits and reads never sees
// its types, only these forward declarations of private members.
namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
class Snapshot;
class WriteBatchWithIndex;
}  // namespace rocksdb

namespace nq57 {

// A file a restore writes beside the data directory (`<path>` + this; beside,
// because RocksDB's restore empties the directory itself) before anything
// else, and removes only when the restored store has its new log
// identity: while it exists the directory is a restore that did not
// finish, and Open refuses it (FAILED_PRECONDITION).
inline constexpr char kRestoringMarker[] = ".nq57-restoring";
inline std::string RestoringMarkerOf(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path + kRestoringMarker;
}

struct StoreOptions {
  // The service's own column families; the store adds its internal ones
  // (change log, history index, idempotency records).
  std::vector<std::string> column_families;
  // Acknowledge only after the WAL is fsynced. Never false in a server.
  bool sync = true;
  // Upper bound of requests committed in one WriteBatch.
  size_t max_group_size = 1024;
  // Give the log a new identity although the store exists: its history is
  // not a continuation of what consumers saw (e.g. a restored backup, or a
  // recovery that accepted the loss of a tail).
  bool new_log_identity = false;
  // Open a store whose log cannot be replayed completely, keeping what
  // replays (up to the first damaged record) under a new log identity.
  // The operator's explicit acceptance of a loss; without it Open refuses.
  bool accept_data_loss = false;
  // Open a store that StoreBackups::Restore is finishing (it holds the
  // restore marker, kRestoringMarker); everyone else is refused such a
  // store, which may hold a backup's files under the old log identity.
  bool finishing_restore = false;
  // Index every change record under its resource, for History(). A store
  // whose history nobody reads (the aggregator's measures: its feed is
  // read in sequence order, never per resource) saves a random-key write
  // per record.
  bool index_history = true;
  // Verify every SST file's block checksums at open, so a damaged file
  // stops the start instead of failing some read later.
  bool verify_on_open = true;
  // Requests waiting for the writer beyond which Commit answers
  // RESOURCE_EXHAUSTED (with a retry delay) instead of queueing.
  size_t max_queued = 10000;
  // How often, at most, the acknowledged mark is synced.
  absl::Duration mark_interval = absl::Milliseconds(20);
  // The environment RocksDB works through; null: the real one. Tests pass
  // one whose disk fills up (tests/support/full_disk_env.h).
  rocksdb::Env* env = nullptr;
};

// What a store can do now (Store::health()).
struct StoreHealth {
  // OK, or why commits are refused: RESOURCE_EXHAUSTED (the disk is full;
  // also when it was full at open and the store is read-only), UNAVAILABLE
  // (another I/O error), DATA_LOSS (damage). Clears by itself once RocksDB
  // resumes.
  absl::Status writes;
  // OK, or the first DATA_LOSS met while serving: until a restart
  // re-verifies the files, what the store serves cannot all be trusted.
  absl::Status data;
};

// True for the Open() errors that mean the files on disk are damaged (not
// merely unreadable now): a server exits with its "damaged store" code.
bool IsDamage(const absl::Status& status);

// A consistent point-in-time view for several reads. Released on
// destruction; must not outlive the Store.
class Snapshot {
 public:
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

 private:
  friend class Store;
  Snapshot(rocksdb::DB* db, const rocksdb::Snapshot* s)
      : db_(db), snapshot_(s) {}
  rocksdb::DB* const db_;
  const rocksdb::Snapshot* const snapshot_;
};

// One page of a prefix listing.
struct Page {
  std::vector<std::pair<std::string, std::string>> entries;  // key, value
  // Opaque; empty on the last page.
  std::string next_page_token;
};

// What a commit's `apply` sees and writes. Only valid inside `apply`.
class Transaction {
 public:
  // Reads see committed data plus the writes of earlier requests of the same
  // group and of this request.
  absl::StatusOr<std::optional<std::string>> Get(std::string_view family,
                                                 std::string_view key);
  // Visits keys in [start, end) in order, including pending writes, until
  // `fn` returns false.
  absl::Status Scan(
      std::string_view family, std::string_view start, std::string_view end,
      absl::FunctionRef<bool(std::string_view key, std::string_view value)> fn);
  absl::Status Put(std::string_view family, std::string_view key,
                   std::string_view value);
  absl::Status Delete(std::string_view family, std::string_view key);
  // Adds `delta` to the int64 counter stored at `key` (absent counts as 0;
  // a counter that reaches 0 is deleted). Returns the new value, or
  // OUT_OF_RANGE (writing nothing) if it would overflow.
  absl::StatusOr<int64_t> AddToCounter(std::string_view family,
                                       std::string_view key, int64_t delta);

  // Appends a change record for `resource` to the change log and indexes it
  // in the resource's history. Returns its sequence. `previous` is null for
  // CREATED, `current` is null for DELETED.
  uint64_t RecordChange(std::string_view resource, changes::v1::ChangeKind kind,
                        const google::protobuf::Message* current,
                        const google::protobuf::Message* previous);

  // The bytes handed back to the caller (and replayed on a retry with the
  // same request_id).
  void SetResponse(std::string response) { response_ = std::move(response); }

  // The time stamped on every change record of this commit group.
  absl::Time commit_time() const { return commit_time_; }
  const std::string& request_id() const { return request_id_; }
  const std::string& actor() const { return actor_; }
  const std::string& on_behalf_of() const { return on_behalf_of_; }
  const std::string& access_policy() const { return access_policy_; }

 private:
  friend class Store;
  Transaction(class Store* store, rocksdb::WriteBatchWithIndex* batch,
              absl::Time commit_time, uint64_t* next_sequence)
      : store_(store),
        batch_(batch),
        commit_time_(commit_time),
        next_sequence_(next_sequence) {}

  class Store* const store_;
  rocksdb::WriteBatchWithIndex* const batch_;
  const absl::Time commit_time_;
  uint64_t* const next_sequence_;
  std::string request_id_;
  std::string actor_;
  std::string on_behalf_of_;
  std::string access_policy_;
  std::string response_;
  uint64_t last_sequence_ = 0;
};

struct CommitRequest {
  // Client-chosen id that makes the write idempotent; empty = not
  // idempotent. A retry with the same id and the same fingerprint gets the
  // first response without writing again; the same id with a different
  // fingerprint is ALREADY_EXISTS.
  std::string request_id;
  // The request's content (e.g. its deterministic serialization without the
  // request_id); only its SHA-256 is kept.
  std::string fingerprint;
  // Who sent it, for the audit trail: the verified identity (or, on a
  // server without client certificates, what the client claimed), the
  // client's on-behalf-of claim, and the access policy version that let it.
  std::string actor;
  std::string on_behalf_of;
  std::string access_policy;
  absl::AnyInvocable<absl::Status(Transaction&)> apply;
};

struct CommitResult {
  std::string response;
  // The highest sequence this request's records got (0 if it recorded
  // none, or the original's when replayed).
  uint64_t last_sequence = 0;
  // True when answered from the idempotency record of an earlier commit.
  bool replayed = false;
};

using CommitCallback = absl::AnyInvocable<void(absl::StatusOr<CommitResult>)>;

// The one way a write RPC builds its commit: idempotent under `request_id`,
// fingerprinted by the request's content (RequestFingerprint), audited as
// `actor`.
CommitRequest MakeCommit(const google::protobuf::Message& request,
                         std::string_view request_id, std::string actor,
                         absl::AnyInvocable<absl::Status(Transaction&)> apply);

// Counters of the commit path since Open, for metrics. Monotonic.
struct StoreStats {
  uint64_t commits = 0;         // requests committed (replays excluded)
  uint64_t replays = 0;         // answered from an idempotency record
  uint64_t rejected = 0;        // apply() or idempotency check refused
  uint64_t write_groups = 0;    // fsynced WriteBatches written
  uint64_t write_failures = 0;  // WriteBatches RocksDB refused
  uint64_t write_nanos = 0;     // time spent in those writes (incl. fsync)
  uint64_t queued = 0;          // requests waiting for the writer now
  uint64_t queue_full = 0;      // commits refused because the queue was full
  uint64_t refused = 0;         // commits refused while writes failed
  uint64_t resumes = 0;         // times writes came back after failing
  uint64_t damage = 0;          // DATA_LOSS results met while serving
};

class Store {
 public:
  // Opens (creating it and its parent directories if missing) the store at
  // `path`.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const std::string& path, const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Queues a commit; `done` runs on the acknowledging thread once the group
  // holding it is durable (or failed). Never blocks on I/O.
  void Commit(CommitRequest request, CommitCallback done);
  // Commit and wait for the result; for tools, loaders and tests, never on a
  // gRPC callback thread.
  absl::StatusOr<CommitResult> CommitAndWait(CommitRequest request);

  std::unique_ptr<Snapshot> TakeSnapshot() const;
  absl::StatusOr<std::optional<std::string>> Get(
      std::string_view family, std::string_view key,
      const Snapshot* snapshot = nullptr) const;
  absl::Status Scan(
      std::string_view family, std::string_view start, std::string_view end,
      absl::FunctionRef<bool(std::string_view key, std::string_view value)> fn,
      const Snapshot* snapshot = nullptr) const;
  // Lists keys starting with `prefix` in order, `page_size` (1..1000)
  // entries that pass `filter` per page. `page_token` is the
  // next_page_token of the previous page, or empty; a token that does not
  // belong to this prefix is INVALID_ARGUMENT on field "page_token".
  absl::StatusOr<Page> ListPrefix(
      std::string_view family, std::string_view prefix,
      std::string_view page_token, int page_size,
      absl::FunctionRef<bool(std::string_view key, std::string_view value)>
          filter = AcceptAll,
      const Snapshot* snapshot = nullptr) const;

  // Every change record of `resource`, oldest first (the audit trail).
  // FAILED_PRECONDITION on a store opened without index_history.
  absl::StatusOr<std::vector<changes::v1::ChangeRecord>> History(
      std::string_view resource) const;

  // The identity of this store's change log (32 hex digits): made once when
  // the store is created, kept with its data, and replaced only by
  // Open(.., {.new_log_identity = true}).
  const std::string& log_id() const { return change_log_->log_id(); }

  ChangeLog& change_log() { return *change_log_; }
  const ChangeLog& change_log() const { return *change_log_; }

  StoreStats stats() const;
  StoreHealth health() const;
  // True if the disk was full at open: the store serves reads only, until
  // a restart finds space.
  bool read_only() const { return read_only_; }

  void Close();

  // Makes the next group's RocksDB write fail, to test atomicity.
  void TEST_FailNextWrite();

 private:
  friend class Transaction;
  friend class StoreBackups;  // backs up db_ (store_backups.h)
  struct Pending {
    CommitRequest request;
    CommitCallback done;
  };

  Store(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
        const StoreOptions& options, std::string path, std::string log_id,
        bool read_only, std::shared_ptr<DamageRecord> damage);
  static bool AcceptAll(std::string_view, std::string_view) { return true; }
  absl::StatusOr<rocksdb::ColumnFamilyHandle*> Family(
      std::string_view name) const;
  // A written (or refused) group's answers, for the acknowledging thread.
  struct Acknowledgement {
    std::vector<CommitCallback> done;
    std::vector<absl::StatusOr<CommitResult>> results;
    bool wake = false;  // the head advanced: wake the change log's followers
  };
  void WriterLoop();
  void CommitGroup(std::vector<Pending>& group);
  void Acknowledge(Acknowledgement acknowledgement);
  void AcknowledgeLoop();
  // Why writes are refused now (OK if they are not).
  absl::Status WriteRefusal() const;
  // After a failed write: refuse further commits with `failure`.
  void RefuseWrites(const absl::Status& failure);
  // While writes are refused: asks RocksDB to resume, at most once a
  // second. True if writes are accepted again.
  bool TryResume();

  const StoreOptions options_;
  const std::string path_;
  const bool read_only_;
  // Shared with RocksDB's event listener, which may outlive the store.
  const std::shared_ptr<DamageRecord> damage_;
  std::unique_ptr<rocksdb::DB> db_;                    // reset in Close()
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned
  std::unordered_map<std::string, rocksdb::ColumnFamilyHandle*> families_;
  rocksdb::ColumnFamilyHandle* changes_family_ = nullptr;
  rocksdb::ColumnFamilyHandle* history_family_ = nullptr;
  rocksdb::ColumnFamilyHandle* requests_family_ = nullptr;
  std::unique_ptr<ChangeLog> change_log_;
  std::unique_ptr<AcknowledgedMark> mark_;  // null when read-only

  // Owned by the writer thread once started.
  uint64_t next_sequence_ = 1;

  mutable absl::Mutex mu_;
  std::vector<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // OK, or why commits are refused (set by the writer after a failed write,
  // cleared when RocksDB resumes).
  absl::Status refusal_ ABSL_GUARDED_BY(mu_);
  absl::Time next_resume_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::atomic<bool> fail_next_write_{false};
  std::atomic<uint64_t> commits_{0}, replays_{0}, rejected_{0},
      write_groups_{0}, write_failures_{0}, write_nanos_{0}, queue_full_{0},
      refused_{0}, resumes_{0};
  std::thread writer_;

  absl::Mutex ack_mu_;
  std::deque<Acknowledgement> acks_ ABSL_GUARDED_BY(ack_mu_);
  bool acks_closing_ ABSL_GUARDED_BY(ack_mu_) = false;
  std::thread acknowledger_;
};

}  // namespace nq57

#endif  // NQ57_COMMON_STORE_STORE_H_
