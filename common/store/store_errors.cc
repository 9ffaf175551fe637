#include "common/store/store_errors.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "rocksdb/status.h"

namespace nq57 {

absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(AbslView(what), ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(message);
  if (s.IsIOError()) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

absl::Status DamageRecord::Note(absl::Status status) {
  if (status.code() == absl::StatusCode::kDataLoss) {
    count_.fetch_add(1, std::memory_order_relaxed);
    absl::MutexLock lock(&mu_);
    if (first_.ok()) first_ = status;
  }
  return status;
}

absl::Status DamageRecord::first() const {
  absl::MutexLock lock(&mu_);
  return first_;
}

}  // namespace nq57
