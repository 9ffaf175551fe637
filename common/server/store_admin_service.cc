#include "common/server/store_admin_service.h"

#include <utility>

#include "common/base/status_macros.h"
#include "common/server/commit_reactor.h"
#include "common/store/store_backups.h"
#include "google/protobuf/util/time_util.h"

namespace nq57 {
namespace {

admin::v1::Backup ToProto(const BackupInfo& b, const std::string& store,
                          const std::string& dir) {
  admin::v1::Backup out;
  out.set_store(store);
  out.set_backup_id(b.id);
  *out.mutable_create_time() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(
          absl::ToUnixSeconds(b.time));
  out.set_size_bytes(b.size_bytes);
  out.set_log_id(b.log_id);
  out.set_head_sequence(b.head_sequence);
  out.set_backup_dir(dir);
  return out;
}

}  // namespace

absl::StatusOr<admin::v1::Backup> StoreAdminService::Create() {
  if (!running_.TryLock()) {
    return absl::AbortedError(
        "a backup of this store is running; retry when it finishes");
  }
  absl::StatusOr<BackupInfo> made = StoreBackups::Create(
      *store_, {.dir = options_.backup_dir, .keep = options_.backups_to_keep});
  running_.Unlock();
  if (!made.ok()) return made.status();
  return ToProto(*made, options_.store_name, options_.backup_dir);
}

absl::StatusOr<admin::v1::ListBackupsResponse> StoreAdminService::List() const {
  if (options_.backup_dir.empty()) {
    return absl::FailedPreconditionError(
        "no backup directory: start the server with --backup_dir");
  }
  admin::v1::ListBackupsResponse out;
  absl::MutexLock lock(&running_);
  absl::StatusOr<std::vector<BackupInfo>> listed =
      StoreBackups::List(options_.backup_dir);
  // No directory yet: no backup was ever taken.
  if (absl::IsNotFound(listed.status())) return out;
  RETURN_IF_ERROR(listed.status());
  for (const BackupInfo& b : *listed) {
    *out.add_backups() = ToProto(b, options_.store_name, options_.backup_dir);
  }
  return out;
}

grpc::ServerUnaryReactor* StoreAdminService::CreateBackup(
    grpc::CallbackServerContext* context,
    const admin::v1::CreateBackupRequest* request,
    admin::v1::Backup* response) {
  return gate_->FinishRead(
      context, *request, [&] { return Create(); }, response);
}

grpc::ServerUnaryReactor* StoreAdminService::ListBackups(
    grpc::CallbackServerContext* context,
    const admin::v1::ListBackupsRequest* request,
    admin::v1::ListBackupsResponse* response) {
  return gate_->FinishRead(
      context, *request, [&] { return List(); }, response);
}

}  // namespace nq57
