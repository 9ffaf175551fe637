#include "common/store/store.h"

#include <algorithm>
#include <filesystem>
#include <random>
#include <system_error>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/base/absl_view.h"
#include "common/base/checked_math.h"
#include "common/base/digest.h"
#include "common/base/error_details.h"
#include "common/base/field_error.h"
#include "common/base/log.h"
#include "common/base/request_fingerprint.h"
#include "common/base/status_macros.h"
#include "common/store/key_codec.h"
#include "common/store/page_token.h"
#include "common/store/rocksdb_log.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/listener.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/write_batch_with_index.h"

namespace nq57 {
namespace {

// Internal column families. Their names start with "nq57." so they never
// collide with a service's own.
constexpr char kChangesFamily[] = "nq57.changes";    // seq -> ChangeRecord
constexpr char kHistoryFamily[] = "nq57.history";    // (resource, seq) -> ""
constexpr char kRequestsFamily[] = "nq57.requests";  // request_id -> record
constexpr char kMetaFamily[] = "nq57.meta";          // store identity
constexpr char kLogIdKey[] = "log_id";

// 128 random bits as 32 lowercase hex digits.
std::string NewLogId() {
  std::random_device random;
  std::string out;
  for (int i = 0; i < 4; ++i) {
    absl::StrAppend(&out, absl::Hex(random(), absl::kZeroPad8));
  }
  return out;
}

// Idempotency record: 32-byte SHA-256 of the fingerprint, 8-byte sequence,
// then the response bytes.
std::string EncodeRequestRecord(std::string_view digest, uint64_t sequence,
                                std::string_view response) {
  return absl::StrCat(AbslView(digest), EncodeUint64(sequence),
                      AbslView(response));
}

std::string_view View(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

// RocksDB's own reactions to background errors, redirected to the store:
// damage is recorded (health, metric) the moment a flush or compaction
// meets it, and RocksDB does not resume by itself after a full disk (its
// SstFileManager would wait for a whole write buffer of free space, 64 MiB,
// and the writer could not tell when writes are back); the store's writer
// resumes instead (TryResume), as soon as a flush fits.
class ErrorListener final : public rocksdb::EventListener {
 public:
  explicit ErrorListener(std::shared_ptr<DamageRecord> damage)
      : damage_(std::move(damage)) {}
  void OnBackgroundError(rocksdb::BackgroundErrorReason,
                         rocksdb::Status* error) override {
    if (error->IsCorruption()) {
      damage_->Note(FromRocks(*error, "background work")).IgnoreError();
    }
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }

 private:
  const std::shared_ptr<DamageRecord> damage_;
};

// The damage text every refused open shares: what to do about it.
constexpr char kAcceptHint[] =
    "; the store is left as it is. Restore it from a backup, or restart "
    "with --accept_data_loss to serve what replays under a new log identity "
    "(consumers then rebuild)";

void CloseDb(rocksdb::DB* db,
             const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    db->DestroyColumnFamilyHandle(h);
  }
  db->Close();
  delete db;
}

// Replays the store read-only, which writes nothing (no flush, no new WAL,
// no deleted file), so a damaged store stays as the operator found it.
// DATA_LOSS if the WAL does not replay completely or ends below the
// acknowledged mark.
absl::Status CheckReplay(
    const std::string& path, const rocksdb::DBOptions& db_options,
    const std::vector<rocksdb::ColumnFamilyDescriptor>& descriptors) {
  ASSIGN_OR_RETURN(std::optional<uint64_t> mark, AcknowledgedMark::Read(path));
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  const rocksdb::Status opened = rocksdb::DB::OpenForReadOnly(
      db_options, path, descriptors, &handles, &db);
  if (opened.IsCorruption()) {
    return absl::DataLossError(absl::StrCat(
        "store ", path,
        " is damaged: its files do not open, or its write-ahead log does "
        "not replay (",
        opened.ToString(), ")", kAcceptHint));
  }
  RETURN_IF_ERROR(FromRocks(opened, absl::StrCat("open store ", path)));
  const uint64_t replayed = db->GetLatestSequenceNumber();
  CloseDb(db, handles);
  if (mark.has_value() && replayed < *mark) {
    return absl::DataLossError(absl::StrCat(
        "store ", path, " is damaged: it replays to RocksDB sequence ",
        replayed, " but writes up to ", *mark,
        " were acknowledged (the write-ahead log lost its tail, or the "
        "files are older than the store's acknowledged mark)",
        kAcceptHint));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsDamage(const absl::Status& status) {
  return status.code() == absl::StatusCode::kDataLoss;
}

Snapshot::~Snapshot() { db_->ReleaseSnapshot(snapshot_); }

absl::StatusOr<std::unique_ptr<Store>> Store::Open(
    const std::string& path, const StoreOptions& options) {
  std::error_code ec;
  if (!options.finishing_restore &&
      std::filesystem::exists(RestoringMarkerOf(path), ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "store ", path, " is a restore that did not finish (it holds ",
        kRestoringMarker,
        "): empty the directory and run nq57ctl restore "
        "again"));
  }
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot create data directory ",
                                               path, ": ", ec.message()));
  }
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  // Refuse a WAL with a bad record anywhere; tolerate only an incomplete
  // last record, which is what a crash in the middle of a write leaves
  // (that write was never acknowledged: the ack follows the fsync).
  // Whether records are missing after it is the acknowledged mark's job.
  db_options.wal_recovery_mode =
      rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db_options.paranoid_checks = true;
  // Resuming after a failed write is this store's job (TryResume), so the
  // writer knows when writes are back.
  db_options.max_bgerror_resume_count = 0;
  if (options.env != nullptr) db_options.env = options.env;
  db_options.info_log = std::make_shared<RocksDbLog>(path);
  auto damage = std::make_shared<DamageRecord>();
  db_options.listeners.push_back(std::make_shared<ErrorListener>(damage));

  rocksdb::ColumnFamilyOptions cf_options;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // A bloom filter over the memtable's keys too: most point reads of the
  // write path look for keys that are not there (a new request id, a new
  // measure bucket), and without it each one walks the whole skip list.
  cf_options.memtable_prefix_bloom_size_ratio = 0.05;
  cf_options.memtable_whole_key_filtering = true;

  // Open every family that exists (a newer binary may have added some) plus
  // the ones asked for.
  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName,
                                    kChangesFamily, kHistoryFamily,
                                    kRequestsFamily, kMetaFamily};
  for (const std::string& name : options.column_families) {
    if (name.rfind("nq57.", 0) == 0 ||
        name == rocksdb::kDefaultColumnFamilyName) {
      return absl::InvalidArgumentError(
          absl::StrCat("column family name is reserved: ", name));
    }
    names.push_back(name);
  }
  std::vector<std::string> existing;
  rocksdb::Options probe(db_options, cf_options);
  const bool exists =
      rocksdb::DB::ListColumnFamilies(probe, path, &existing).ok();
  for (const std::string& name : existing) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, cf_options);
  }
  bool lost = false;
  // The families the files hold: a read-only open takes no others.
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors_present;
  if (exists) {
    // A family the read-only replay does not know yet would fail it.
    std::vector<rocksdb::ColumnFamilyDescriptor> present;
    for (const rocksdb::ColumnFamilyDescriptor& d : descriptors) {
      if (std::find(existing.begin(), existing.end(), d.name) !=
          existing.end()) {
        present.push_back(d);
      }
    }
    absl::Status replay = CheckReplay(path, db_options, present);
    descriptors_present = present;
    if (IsDamage(replay) && options.accept_data_loss) {
      LogWarning("store damaged; the loss is accepted (--accept_data_loss)",
                 {{"store", path}, {"damage", replay.ToString()}});
      lost = true;
      // Keep what replays consistently: everything before the first bad
      // record, nothing after it.
      db_options.wal_recovery_mode =
          rocksdb::WALRecoveryMode::kPointInTimeRecovery;
    } else {
      RETURN_IF_ERROR(replay);
    }
  }
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  bool read_only = false;
  rocksdb::Status opened =
      rocksdb::DB::Open(db_options, path, descriptors, &handles, &db);
  if (opened.IsNoSpace() && exists) {
    // Serve what is there: reads need no space.
    read_only = true;
    opened = rocksdb::DB::OpenForReadOnly(db_options, path, descriptors_present,
                                          &handles, &db);
  }
  RETURN_IF_ERROR(FromRocks(opened, absl::StrCat("open store ", path)));
  // Damaged table files stop the start here instead of failing some read
  // later with half a report served.
  if (options.verify_on_open) {
    const rocksdb::Status verified = db->VerifyChecksum();
    if (!verified.ok()) {
      CloseDb(db, handles);
      if (!verified.IsCorruption()) {
        return FromRocks(verified, absl::StrCat("verify store ", path));
      }
      return absl::DataLossError(absl::StrCat(
          "store ", path, " is damaged: a table file fails its checksum (",
          verified.ToString(),
          "); the store is left as it is. Restore it from a backup"));
    }
  }
  // The log's identity: read, or made (a new store, or one its operator says
  // is not a continuation) and synced before anything is served.
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    if (h->GetName() == kMetaFamily) meta = h;
  }
  if (meta == nullptr) {
    CloseDb(db, handles);
    return absl::UnavailableError(
        absl::StrCat("store ", path,
                     " is read-only (the disk is full) and predates its "
                     "identity record; free space and restart"));
  }
  std::string log_id;
  rocksdb::Status got =
      db->Get(rocksdb::ReadOptions(), meta, kLogIdKey, &log_id);
  absl::Status identity = absl::OkStatus();
  if (!got.ok() && !got.IsNotFound()) {
    identity = FromRocks(got, "read store identity");
  } else if (!read_only &&
             (got.IsNotFound() || options.new_log_identity || lost)) {
    log_id = NewLogId();
    rocksdb::WriteOptions sync;
    sync.sync = true;
    identity = FromRocks(db->Put(sync, meta, kLogIdKey, log_id),
                         "write store identity");
  }
  if (identity.ok() && !read_only) {
    // From here on the mark only grows with acknowledged writes.
    identity = AcknowledgedMark::Write(path, db->GetLatestSequenceNumber());
  }
  if (!identity.ok()) {
    CloseDb(db, handles);
    return identity;
  }
  return std::unique_ptr<Store>(new Store(db, std::move(handles), options, path,
                                          std::move(log_id), read_only,
                                          std::move(damage)));
}

Store::Store(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
             const StoreOptions& options, std::string path, std::string log_id,
             bool read_only, std::shared_ptr<DamageRecord> damage)
    : options_(options),
      path_(std::move(path)),
      read_only_(read_only),
      damage_(std::move(damage)),
      db_(db),
      handles_(std::move(handles)) {
  for (rocksdb::ColumnFamilyHandle* h : handles_) families_[h->GetName()] = h;
  changes_family_ = families_.at(kChangesFamily);
  history_family_ = families_.at(kHistoryFamily);
  requests_family_ = families_.at(kRequestsFamily);

  // Recover the head of the change log from its last record.
  uint64_t head = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), changes_family_));
  it->SeekToLast();
  if (it->Valid()) DecodeUint64(View(it->key()), &head);
  next_sequence_ = head + 1;
  change_log_ = std::make_unique<ChangeLog>(
      db_.get(), changes_family_, std::move(log_id), head, damage_.get());
  if (read_only_) {
    absl::MutexLock lock(&mu_);
    refusal_ = absl::ResourceExhaustedError(absl::StrCat(
        "no space left for store ", path_,
        ": it was full when the server started, so it serves reads only; "
        "free space and restart the server"));
  } else {
    mark_ = std::make_unique<AcknowledgedMark>(
        path_, db_->GetLatestSequenceNumber(), options_.mark_interval);
  }
  writer_ = std::thread([this] { WriterLoop(); });
  acknowledger_ = std::thread([this] { AcknowledgeLoop(); });
}

Store::~Store() { Close(); }

void Store::Close() {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    closed_ = true;
    closing_ = true;
  }
  writer_.join();
  {
    absl::MutexLock lock(&ack_mu_);
    acks_closing_ = true;
  }
  acknowledger_.join();
  change_log_->Close();
  if (mark_ != nullptr) mark_->Close();
  if (!options_.sync && !read_only_) db_->FlushWAL(/*sync=*/true);
  for (rocksdb::ColumnFamilyHandle* h : handles_)
    db_->DestroyColumnFamilyHandle(h);
  handles_.clear();
  db_->Close();
  db_.reset();
}

void Store::TEST_FailNextWrite() { fail_next_write_.store(true); }

StoreStats Store::stats() const {
  StoreStats out;
  out.commits = commits_.load(std::memory_order_relaxed);
  out.replays = replays_.load(std::memory_order_relaxed);
  out.rejected = rejected_.load(std::memory_order_relaxed);
  out.write_groups = write_groups_.load(std::memory_order_relaxed);
  out.write_failures = write_failures_.load(std::memory_order_relaxed);
  out.write_nanos = write_nanos_.load(std::memory_order_relaxed);
  out.queue_full = queue_full_.load(std::memory_order_relaxed);
  out.refused = refused_.load(std::memory_order_relaxed);
  out.resumes = resumes_.load(std::memory_order_relaxed);
  out.damage = damage_->count();
  absl::MutexLock lock(&mu_);
  out.queued = queue_.size();
  return out;
}

StoreHealth Store::health() const {
  StoreHealth out;
  out.data = damage_->first();
  out.writes = WriteRefusal();
  if (out.writes.ok() && !out.data.ok()) out.writes = out.data;
  return out;
}

absl::Status Store::WriteRefusal() const {
  absl::MutexLock lock(&mu_);
  return refusal_;
}

absl::StatusOr<rocksdb::ColumnFamilyHandle*> Store::Family(
    std::string_view name) const {
  auto it = families_.find(std::string(name));
  if (it == families_.end()) {
    return absl::InternalError(
        absl::StrCat("unknown column family ", AbslView(name)));
  }
  return it->second;
}

void Store::Commit(CommitRequest request, CommitCallback done) {
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (closing_) {
      refused = absl::UnavailableError("store is shutting down");
    } else if (read_only_) {
      refused = refusal_;
    } else if (queue_.size() >= options_.max_queued) {
      queue_full_.fetch_add(1, std::memory_order_relaxed);
      refused = WithRetryDelay(
          absl::ResourceExhaustedError(absl::StrCat(
              "the store's write queue is full (", options_.max_queued,
              " requests waiting); retry shortly")),
          absl::Milliseconds(100));
    } else {
      queue_.push_back(Pending{std::move(request), std::move(done)});
      return;
    }
  }
  done(std::move(refused));
}

absl::StatusOr<CommitResult> Store::CommitAndWait(CommitRequest request) {
  absl::Notification finished;
  absl::StatusOr<CommitResult> result;
  Commit(std::move(request), [&](absl::StatusOr<CommitResult> r) {
    result = std::move(r);
    finished.Notify();
  });
  finished.WaitForNotification();
  return result;
}

void Store::WriterLoop() {
  std::vector<Pending> group;
  while (true) {
    bool refusing;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !queue_.empty() || closing_;
      };
      refusing = !refusal_.ok() && !read_only_;
      if (refusing) {
        // Wake at least once a second to try resuming, so writes (and
        // health) come back without waiting for a client.
        mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Seconds(1));
      } else {
        mu_.Await(absl::Condition(&ready));
      }
      if (queue_.empty() && closing_) return;  // closing and drained
      const size_t n = std::min(queue_.size(), options_.max_group_size);
      group.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + n));
      queue_.erase(queue_.begin(), queue_.begin() + n);
    }
    if (refusing && !TryResume()) {
      const absl::Status refusal = WriteRefusal();
      Acknowledgement refused;
      for (Pending& p : group) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        refused.done.push_back(std::move(p.done));
        refused.results.push_back(refusal);
      }
      Acknowledge(std::move(refused));
    } else if (!group.empty()) {
      CommitGroup(group);
    }
    group.clear();
  }
}

void Store::RefuseWrites(const absl::Status& failure) {
  absl::Status refusal;
  if (failure.code() == absl::StatusCode::kResourceExhausted) {
    refusal = WithRetryDelay(
        absl::ResourceExhaustedError(absl::StrCat(
            "no space left on the disk of store ", path_,
            ": writes are refused until space is freed (reads are served); ",
            failure.message())),
        absl::Seconds(1));
  } else if (IsDamage(failure)) {
    refusal = damage_->Note(failure);
  } else {
    refusal = absl::UnavailableError(
        absl::StrCat("store ", path_, " cannot write: ", failure.message(),
                     "; writes are refused until it recovers"));
  }
  absl::MutexLock lock(&mu_);
  refusal_ = refusal;
  next_resume_ = absl::InfinitePast();  // the next group tries at once
}

bool Store::TryResume() {
  {
    absl::MutexLock lock(&mu_);
    if (refusal_.ok()) return true;
    // Damage does not heal by retrying.
    if (IsDamage(refusal_) || absl::Now() < next_resume_) return false;
    next_resume_ = absl::Now() + absl::Seconds(1);
  }
  // An injected failure left RocksDB healthy: Resume() is then a no-op.
  const rocksdb::Status resumed = db_->Resume();
  if (!resumed.ok()) {
    if (resumed.IsCorruption()) {
      RefuseWrites(FromRocks(resumed, "resume writes"));
    }
    return false;
  }
  resumes_.fetch_add(1, std::memory_order_relaxed);
  absl::MutexLock lock(&mu_);
  refusal_ = absl::OkStatus();
  return true;
}

void Store::CommitGroup(std::vector<Pending>& group) {
  rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0,
                                     /*overwrite_key=*/true);
  const absl::Time commit_time = absl::Now();
  const uint64_t group_first_sequence = next_sequence_;
  std::vector<absl::StatusOr<CommitResult>> results;
  results.reserve(group.size());
  std::vector<bool> wrote(group.size(), false);

  for (size_t i = 0; i < group.size(); ++i) {
    CommitRequest& req = group[i].request;
    std::string digest;
    if (!req.request_id.empty()) {
      digest = Sha256(req.fingerprint);
      std::string stored;
      rocksdb::Status s =
          batch.GetFromBatchAndDB(db_.get(), rocksdb::ReadOptions(),
                                  requests_family_, req.request_id, &stored);
      if (s.ok()) {
        uint64_t seq = 0;
        if (stored.size() < 40 ||
            !DecodeUint64(std::string_view(stored).substr(32, 8), &seq)) {
          results.push_back(absl::DataLossError("corrupt idempotency record"));
        } else if (stored.compare(0, 32, digest) != 0) {
          results.push_back(absl::AlreadyExistsError(
              absl::StrCat("request_id ", req.request_id,
                           " was already used for a different request")));
        } else {
          results.push_back(CommitResult{stored.substr(40), seq, true});
          replays_.fetch_add(1, std::memory_order_relaxed);
        }
        continue;
      }
      if (!s.IsNotFound()) {
        results.push_back(damage_->Note(FromRocks(s, "idempotency lookup")));
        continue;
      }
    }
    batch.SetSavePoint();
    const uint64_t saved_sequence = next_sequence_;
    Transaction txn(this, &batch, commit_time, &next_sequence_);
    txn.request_id_ = req.request_id;
    txn.actor_ = req.actor;
    txn.on_behalf_of_ = req.on_behalf_of;
    txn.access_policy_ = req.access_policy;
    absl::Status status = req.apply(txn);
    if (status.ok() && !req.request_id.empty()) {
      status = FromRocks(
          batch.Put(
              requests_family_, req.request_id,
              EncodeRequestRecord(digest, txn.last_sequence_, txn.response_)),
          "idempotency record");
    }
    if (!status.ok()) {
      batch.RollbackToSavePoint();
      next_sequence_ = saved_sequence;
      results.push_back(status);
      continue;
    }
    batch.PopSavePoint();
    wrote[i] = true;
    results.push_back(
        CommitResult{std::move(txn.response_), txn.last_sequence_, false});
  }

  if (batch.GetWriteBatch()->Count() > 0) {
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.sync;
    rocksdb::Status s;
    const absl::Time write_start = absl::Now();
    if (fail_next_write_.exchange(false)) {
      s = rocksdb::Status::IOError(
          "injected write failure (TEST_FailNextWrite)");
    } else {
      s = db_->Write(write_options, batch.GetWriteBatch());
    }
    write_nanos_.fetch_add(static_cast<uint64_t>(absl::ToInt64Nanoseconds(
                               absl::Now() - write_start)),
                           std::memory_order_relaxed);
    write_groups_.fetch_add(1, std::memory_order_relaxed);
    if (!s.ok()) {
      RefuseWrites(FromRocks(s, "commit"));
      const absl::Status failure = WriteRefusal();
      for (size_t i = 0; i < group.size(); ++i) {
        if (wrote[i]) results[i] = failure;
      }
      next_sequence_ = group_first_sequence;
      write_failures_.fetch_add(1, std::memory_order_relaxed);
    } else if (mark_ != nullptr) {
      mark_->Advance(db_->GetLatestSequenceNumber());
    }
  }
  for (size_t i = 0; i < group.size(); ++i) {
    if (wrote[i] && results[i].ok()) {
      commits_.fetch_add(1, std::memory_order_relaxed);
    } else if (!results[i].ok()) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  // Publish the new head (an acknowledged write is readable at once), then
  // hand the acknowledgements and the followers' wake-up to the
  // acknowledging thread, so sending answers never delays the next group.
  Acknowledgement done;
  done.wake = next_sequence_ - 1 != change_log_->head();
  if (done.wake) change_log_->PublishHead(next_sequence_ - 1);
  for (size_t i = 0; i < group.size(); ++i) {
    done.done.push_back(std::move(group[i].done));
  }
  done.results = std::move(results);
  Acknowledge(std::move(done));
}

void Store::Acknowledge(Acknowledgement acknowledgement) {
  absl::MutexLock lock(&ack_mu_);
  acks_.push_back(std::move(acknowledgement));
}

void Store::AcknowledgeLoop() {
  std::deque<Acknowledgement> ready;
  while (true) {
    {
      absl::MutexLock lock(&ack_mu_);
      auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(ack_mu_) {
        return !acks_.empty() || acks_closing_;
      };
      ack_mu_.Await(absl::Condition(&has_work));
      if (acks_.empty()) return;  // closing, and everything is answered
      ready.swap(acks_);
    }
    // In commit order: every answer of a group, then its followers.
    for (Acknowledgement& a : ready) {
      for (size_t i = 0; i < a.done.size(); ++i) {
        a.done[i](std::move(a.results[i]));
      }
      if (a.wake) change_log_->WakeWaiters();
    }
    ready.clear();
  }
}

absl::StatusOr<std::optional<std::string>> Transaction::Get(
    std::string_view family, std::string_view key) {
  ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * cf, store_->Family(family));
  std::string value;
  rocksdb::Status s =
      batch_->GetFromBatchAndDB(store_->db_.get(), rocksdb::ReadOptions(), cf,
                                rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(store_->damage_->Note(FromRocks(s, "get")));
  return value;
}

absl::Status Transaction::Scan(
    std::string_view family, std::string_view start, std::string_view end,
    absl::FunctionRef<bool(std::string_view, std::string_view)> fn) {
  ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * cf, store_->Family(family));
  std::unique_ptr<rocksdb::Iterator> base(
      store_->db_->NewIterator(rocksdb::ReadOptions(), cf));
  std::unique_ptr<rocksdb::Iterator> it(
      batch_->NewIteratorWithBase(cf, base.release()));
  for (it->Seek(rocksdb::Slice(start.data(), start.size())); it->Valid();
       it->Next()) {
    std::string_view key = View(it->key());
    if (!end.empty() && key >= end) break;
    if (!fn(key, View(it->value()))) break;
  }
  return store_->damage_->Note(FromRocks(it->status(), "scan"));
}

absl::Status Transaction::Put(std::string_view family, std::string_view key,
                              std::string_view value) {
  ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * cf, store_->Family(family));
  return FromRocks(batch_->Put(cf, rocksdb::Slice(key.data(), key.size()),
                               rocksdb::Slice(value.data(), value.size())),
                   "put");
}

absl::Status Transaction::Delete(std::string_view family,
                                 std::string_view key) {
  ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * cf, store_->Family(family));
  return FromRocks(batch_->Delete(cf, rocksdb::Slice(key.data(), key.size())),
                   "delete");
}

absl::StatusOr<int64_t> Transaction::AddToCounter(std::string_view family,
                                                  std::string_view key,
                                                  int64_t delta) {
  ASSIGN_OR_RETURN(std::optional<std::string> stored, Get(family, key));
  uint64_t raw = 0;
  if (stored.has_value() && !DecodeUint64(*stored, &raw)) {
    return absl::DataLossError("corrupt counter");
  }
  const std::optional<int64_t> sum =
      CheckedAdd(static_cast<int64_t>(raw), delta);
  if (!sum.has_value()) {
    // Inputs are bounded before they get here; an overflow means a bound is
    // missing, and the request is refused rather than the counter wrapped.
    return absl::OutOfRangeError(
        absl::StrCat("counter ", AbslView(family),
                     " would overflow int64; nothing written"));
  }
  const int64_t value = *sum;
  if (value == 0) {
    RETURN_IF_ERROR(Delete(family, key));
  } else {
    RETURN_IF_ERROR(
        Put(family, key, EncodeUint64(static_cast<uint64_t>(value))));
  }
  return value;
}

uint64_t Transaction::RecordChange(std::string_view resource,
                                   changes::v1::ChangeKind kind,
                                   const google::protobuf::Message* current,
                                   const google::protobuf::Message* previous) {
  const uint64_t seq = (*next_sequence_)++;
  changes::v1::ChangeRecord record;
  record.set_sequence(seq);
  *record.mutable_commit_time() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          absl::ToUnixNanos(commit_time_));
  record.set_resource(std::string(resource));
  record.set_kind(kind);
  if (current != nullptr) record.mutable_new_value()->PackFrom(*current);
  if (previous != nullptr) record.mutable_previous_value()->PackFrom(*previous);
  record.set_request_id(request_id_);
  record.set_actor(actor_);
  record.set_on_behalf_of(on_behalf_of_);
  record.set_access_policy(access_policy_);
  batch_->Put(store_->changes_family_, EncodeUint64(seq),
              record.SerializeAsString());
  if (store_->options_.index_history) {
    batch_->Put(store_->history_family_,
                KeyBuilder().String(resource).Uint64(seq).Build(), "");
  }
  last_sequence_ = seq;
  return seq;
}

std::unique_ptr<Snapshot> Store::TakeSnapshot() const {
  return std::unique_ptr<Snapshot>(new Snapshot(db_.get(), db_->GetSnapshot()));
}

absl::StatusOr<std::optional<std::string>> Store::Get(
    std::string_view family, std::string_view key,
    const Snapshot* snapshot) const {
  ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * cf, Family(family));
  rocksdb::ReadOptions options;
  if (snapshot != nullptr) options.snapshot = snapshot->snapshot_;
  std::string value;
  rocksdb::Status s =
      db_->Get(options, cf, rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(damage_->Note(FromRocks(s, "get")));
  return value;
}

absl::Status Store::Scan(
    std::string_view family, std::string_view start, std::string_view end,
    absl::FunctionRef<bool(std::string_view, std::string_view)> fn,
    const Snapshot* snapshot) const {
  ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * cf, Family(family));
  rocksdb::ReadOptions options;
  if (snapshot != nullptr) options.snapshot = snapshot->snapshot_;
  rocksdb::Slice upper(end.data(), end.size());
  if (!end.empty()) options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, cf));
  for (it->Seek(rocksdb::Slice(start.data(), start.size())); it->Valid();
       it->Next()) {
    if (!fn(View(it->key()), View(it->value()))) break;
  }
  return damage_->Note(FromRocks(it->status(), "scan"));
}

absl::StatusOr<Page> Store::ListPrefix(
    std::string_view family, std::string_view prefix,
    std::string_view page_token, int page_size,
    absl::FunctionRef<bool(std::string_view, std::string_view)> filter,
    const Snapshot* snapshot) const {
  if (page_size < 1 || page_size > 1000) {
    return InvalidFieldError("page_size", "must be between 1 and 1000");
  }
  std::string query(family);
  query.push_back('\0');
  query.append(prefix.data(), prefix.size());
  ASSIGN_OR_RETURN(std::string last_key, DecodePageToken(page_token, query));
  std::string start(prefix);
  if (!last_key.empty()) {
    if (last_key.compare(0, prefix.size(), prefix) != 0) {
      return InvalidFieldError("page_token",
                               "not a token of this listing; pass the "
                               "next_page_token of the previous page");
    }
    start = last_key;
    start.push_back('\0');  // the smallest key after last_key
  }
  Page page;
  bool more = false;
  RETURN_IF_ERROR(Scan(
      family, start, PrefixSuccessor(prefix),
      [&](std::string_view key, std::string_view value) {
        if (!filter(key, value)) return true;
        if (static_cast<int>(page.entries.size()) == page_size) {
          more = true;
          return false;
        }
        page.entries.emplace_back(std::string(key), std::string(value));
        return true;
      },
      snapshot));
  if (more) {
    page.next_page_token = EncodePageToken(query, page.entries.back().first);
  }
  return page;
}

absl::StatusOr<std::vector<changes::v1::ChangeRecord>> Store::History(
    std::string_view resource) const {
  if (!options_.index_history) {
    return absl::FailedPreconditionError(
        "this store keeps no history index (index_history is off)");
  }
  std::vector<changes::v1::ChangeRecord> out;
  const std::string prefix = KeyBuilder().String(resource).Build();
  absl::Status read_status;
  RETURN_IF_ERROR(
      Scan(kHistoryFamily, prefix, PrefixSuccessor(prefix),
           [&](std::string_view key, std::string_view) {
             KeyReader reader(key.substr(prefix.size()));
             uint64_t seq;
             if (!reader.Uint64(&seq)) {
               read_status = absl::DataLossError("corrupt history key");
               return false;
             }
             auto records = change_log_->Read(seq, 1);
             if (!records.ok() || records->empty()) {
               read_status =
                   records.ok()
                       ? absl::DataLossError("history names a missing record")
                       : records.status();
               return false;
             }
             out.push_back(std::move(records->front()));
             return true;
           }));
  RETURN_IF_ERROR(read_status);
  return out;
}

CommitRequest MakeCommit(const google::protobuf::Message& request,
                         std::string_view request_id, std::string actor,
                         absl::AnyInvocable<absl::Status(Transaction&)> apply) {
  return CommitRequest{.request_id = std::string(request_id),
                       .fingerprint = RequestFingerprint(request),
                       .actor = std::move(actor),
                       .apply = std::move(apply)};
}

}  // namespace nq57
