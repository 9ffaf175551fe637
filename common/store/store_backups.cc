#include "common/store/store_backups.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "common/store/store_errors.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/backup_engine.h"

namespace nq57 {
namespace {

// What a backup records of its store, in BackupEngine's app metadata:
// "log_id=<32 hex> head=<sequence>".
std::string Metadata(const std::string& log_id, uint64_t head) {
  return absl::StrCat("log_id=", log_id, " head=", head);
}

BackupInfo InfoOf(const rocksdb::BackupInfo& b) {
  BackupInfo out;
  out.id = b.backup_id;
  out.time = absl::FromUnixSeconds(b.timestamp);
  out.size_bytes = b.size;
  for (absl::string_view field : absl::StrSplit(b.app_metadata, ' ')) {
    if (absl::ConsumePrefix(&field, "log_id=")) {
      out.log_id = std::string(field);
    } else if (absl::ConsumePrefix(&field, "head=")) {
      if (!absl::SimpleAtoi(field, &out.head_sequence)) out.head_sequence = 0;
    }
  }
  return out;
}

// Creates `path` (empty) and syncs it and its directory.
absl::Status WriteSynced(const std::string& path) {
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  ::close(fd);
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

rocksdb::BackupEngineOptions EngineOptions(const std::string& dir) {
  rocksdb::BackupEngineOptions options(dir);
  // Every file's checksum is kept in the backup's meta file and checked on
  // restore; fsync the backup like the store (a backup that a crash can
  // half-write is not a backup).
  options.sync = true;
  options.share_table_files = true;
  options.max_background_operations = 1;
  return options;
}

template <typename Engine>
absl::StatusOr<std::unique_ptr<Engine>> OpenEngine(const std::string& dir) {
  Engine* engine = nullptr;
  const rocksdb::IOStatus opened =
      Engine::Open(EngineOptions(dir), rocksdb::Env::Default(), &engine);
  RETURN_IF_ERROR(
      FromRocks(opened, absl::StrCat("open backup directory ", dir)));
  return std::unique_ptr<Engine>(engine);
}

}  // namespace

absl::StatusOr<BackupInfo> StoreBackups::Create(Store& store,
                                                const BackupOptions& options) {
  if (options.dir.empty()) {
    return absl::FailedPreconditionError(
        "no backup directory: start the server with --backup_dir");
  }
  if (options.keep < 1) {
    return absl::InvalidArgumentError("keep: at least 1 backup");
  }
  if (store.read_only()) {
    return absl::FailedPreconditionError(
        "the store is read-only (its disk was full at start): restart it "
        "once there is space, then back it up");
  }
  if (const absl::Status writes = store.health().writes; !writes.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the store refuses writes, and a backup needs a flush: ",
                     writes.message()));
  }
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "cannot create backup directory ", options.dir, ": ", ec.message()));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngine> engine,
                   OpenEngine<rocksdb::BackupEngine>(options.dir));
  // Everything committed before this point is in the backup.
  const uint64_t head = store.change_log().head();
  rocksdb::CreateBackupOptions create;
  create.flush_before_backup = true;
  create.decrease_background_thread_cpu_priority = true;
  create.background_thread_cpu_priority = rocksdb::CpuPriority::kLow;
  rocksdb::BackupID id = 0;
  const rocksdb::IOStatus created = engine->CreateNewBackupWithMetadata(
      create, store.db_.get(), Metadata(store.log_id(), head), &id);
  if (!created.ok()) {
    // A half-written backup takes space and is never listed; drop it now.
    engine->GarbageCollect().PermitUncheckedError();
    return FromRocks(created, absl::StrCat("back up to ", options.dir));
  }
  // The backup is made: failing to drop old ones is said, not an error (a
  // retry would only make another backup).
  if (const absl::Status purged = FromRocks(
          engine->PurgeOldBackups(static_cast<uint32_t>(options.keep)),
          "purge old backups");
      !purged.ok()) {
    LogWarning("old backups not purged",
               {{"backup_dir", options.dir}, {"error", purged.ToString()}});
  }
  rocksdb::BackupInfo info;
  RETURN_IF_ERROR(FromRocks(engine->GetBackupInfo(id, &info),
                            absl::StrCat("read backup ", id)));
  BackupInfo out = InfoOf(info);
  LogInfo("store backed up", {{"backup_dir", options.dir},
                              {"backup_id", static_cast<uint64_t>(id)},
                              {"head", head},
                              {"bytes", out.size_bytes}});
  return out;
}

namespace {

// The read-only engine of an existing backup directory (NOT_FOUND if none).
absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenExisting(
    const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("no backup directory ", dir));
  }
  return OpenEngine<rocksdb::BackupEngineReadOnly>(dir);
}

std::vector<BackupInfo> Backups(rocksdb::BackupEngineReadOnly& engine) {
  std::vector<rocksdb::BackupInfo> infos;
  engine.GetBackupInfo(&infos);
  std::vector<BackupInfo> out;
  for (const rocksdb::BackupInfo& b : infos) out.push_back(InfoOf(b));
  return out;
}

}  // namespace

absl::StatusOr<std::vector<BackupInfo>> StoreBackups::List(
    const std::string& dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngineReadOnly> engine,
                   OpenExisting(dir));
  return Backups(*engine);
}

absl::StatusOr<BackupInfo> StoreBackups::Restore(const std::string& dir,
                                                 uint32_t id,
                                                 const std::string& data_dir) {
  std::error_code ec;
  if (std::filesystem::exists(data_dir, ec) &&
      !std::filesystem::is_empty(data_dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("restore needs an empty data directory, and ", data_dir,
                     " is not empty: move it aside (or delete it) first"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::BackupEngineReadOnly> engine,
                   OpenExisting(dir));
  const std::vector<BackupInfo> backups = Backups(*engine);
  if (backups.empty()) {
    return absl::NotFoundError(absl::StrCat("no backup in ", dir));
  }
  BackupInfo chosen = backups.back();
  if (id != 0) {
    bool found = false;
    for (const BackupInfo& b : backups) {
      if (b.id == id) {
        chosen = b;
        found = true;
      }
    }
    if (!found) {
      return absl::NotFoundError(absl::StrCat("no backup ", id, " in ", dir,
                                              " (latest is ", backups.back().id,
                                              ")"));
    }
  }
  const rocksdb::IOStatus verified =
      engine->VerifyBackup(chosen.id, /*verify_with_checksum=*/true);
  if (!verified.ok()) {
    return absl::DataLossError(
        absl::StrCat("backup ", chosen.id, " in ", dir,
                     " is damaged: ", verified.ToString()));
  }
  // The marker goes in first and comes out last: a restore that fails or
  // is killed half way leaves a directory no server opens, never a store
  // under the old identity (store.h, RestoringMarkerOf).
  const std::filesystem::path marker = RestoringMarkerOf(data_dir);
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create ", data_dir, ": ", ec.message()));
  }
  RETURN_IF_ERROR(WriteSynced(marker.string()));
  RETURN_IF_ERROR(FromRocks(
      engine->RestoreDBFromBackup(rocksdb::RestoreOptions(), chosen.id,
                                  data_dir, data_dir),
      absl::StrCat("restore backup ", chosen.id, " into ", data_dir)));
  {
    // A new history for consumers (see the header).
    ASSIGN_OR_RETURN(std::unique_ptr<Store> store,
                     Store::Open(data_dir, {.new_log_identity = true,
                                            .finishing_restore = true}));
    if (store->read_only()) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "restored into ", data_dir,
          " but its disk is full, so it has no "
          "new log identity yet: free space, empty it and restore again"));
    }
    chosen.restored_log_id = store->log_id();
    chosen.restored_head = store->change_log().head();
    store->Close();
  }
  if (chosen.restored_head < chosen.head_sequence) {
    return absl::DataLossError(
        absl::StrCat("backup ", chosen.id, " restored to change-log head ",
                     chosen.restored_head, " but it was taken at head ",
                     chosen.head_sequence));
  }
  std::filesystem::remove(marker, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("remove ", marker.string(), ": ", ec.message()));
  }
  LogInfo("store restored", {{"backup_dir", dir},
                             {"backup_id", static_cast<uint64_t>(chosen.id)},
                             {"data_dir", data_dir},
                             {"head", chosen.restored_head},
                             {"log_id", chosen.restored_log_id}});
  return chosen;
}

}  // namespace nq57
