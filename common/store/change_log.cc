#include "common/store/change_log.h"

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/store/key_codec.h"
#include "rocksdb/db.h"

namespace nq57 {

absl::StatusOr<std::vector<changes::v1::ChangeRecord>> ChangeLog::Read(
    uint64_t from, size_t max_records, size_t max_bytes) const {
  absl::ReaderMutexLock lock(&read_mu_);
  if (closed()) return absl::UnavailableError("change log is closed");
  std::vector<changes::v1::ChangeRecord> out;
  if (from == 0) from = 1;
  const uint64_t last = head();
  if (from > last || max_records == 0) return out;
  // Reads are bounded by the committed head: records of a group being
  // written are never visible before the group is durable.
  rocksdb::ReadOptions options;
  const std::string upper = EncodeUint64(last + 1);
  rocksdb::Slice upper_slice(upper);
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family_));
  size_t bytes = 0;
  uint64_t expected = from;
  for (it->Seek(EncodeUint64(from)); it->Valid(); it->Next()) {
    uint64_t seq;
    if (!DecodeUint64(std::string_view(it->key().data(), it->key().size()),
                      &seq) ||
        seq != expected) {
      return Damaged(absl::DataLossError(
          absl::StrCat("change log: expected sequence ", expected)));
    }
    changes::v1::ChangeRecord& record = out.emplace_back();
    if (!record.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size()))) {
      return Damaged(absl::DataLossError(
          absl::StrCat("change log: record ", seq, " does not parse")));
    }
    bytes += it->value().size();
    ++expected;
    if (out.size() >= max_records || bytes >= max_bytes) break;
  }
  RETURN_IF_ERROR(Damaged(FromRocks(it->status(), "change log read")));
  return out;
}

ChangeLog::WaitId ChangeLog::WaitFor(uint64_t seq,
                                     absl::AnyInvocable<void()> fn) {
  absl::MutexLock lock(&mu_);
  if (closed() || head() >= seq) return 0;
  WaitId id = next_id_++;
  waiters_.emplace(id, Waiter{seq, std::move(fn)});
  return id;
}

bool ChangeLog::CancelWait(WaitId id) {
  absl::MutexLock lock(&mu_);
  return waiters_.erase(id) > 0;
}

void ChangeLog::Close() {
  {
    absl::WriterMutexLock lock(&read_mu_);
    closed_.store(true, std::memory_order_release);
  }
  RunReady(/*all=*/true);
}

void ChangeLog::RunReady(bool all) {
  std::vector<absl::AnyInvocable<void()>> ready;
  {
    absl::MutexLock lock(&mu_);
    const uint64_t h = head();
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (all || it->second.seq <= h) {
        ready.push_back(std::move(it->second.fn));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  // Outside the lock: a waiter may register again or cancel others.
  for (auto& fn : ready) fn();
}

}  // namespace nq57
