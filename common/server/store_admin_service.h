// StoreAdminService: nq57.admin.v1.StoreAdmin over a server's Store, the
// operator's calls every server answers besides its own API (admin.proto).
//
// CreateBackup takes an online backup (store_backups.h) on the calling gRPC
// thread: backups are rare (a daily CronJob) and take about as long as the
// heaviest report, while the store keeps committing. One backup runs at a
// time; a second one meanwhile is ABORTED, so an impatient retry loop cannot
// pile copies onto the backup volume.
//
// Nothing is owned: `store` and `gate` must outlive the server that serves
// this. Thread-safe.
//
//   StoreAdminService admin(store.get(),
//                           {.store_name = "criteria-server",
//                            .backup_dir = "/var/lib/nq57-backups"},
//                           gate.get());
#ifndef NQ57_COMMON_SERVER_STORE_ADMIN_SERVICE_H_
#define NQ57_COMMON_SERVER_STORE_ADMIN_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/server/access_gate.h"
#include "common/server/server.h"
#include "common/store/store.h"
#include "nq57/admin/v1/admin.grpc.pb.h"

namespace nq57 {

class StoreAdminService final : public admin::v1::StoreAdmin::CallbackService {
 public:
  struct Options {
    std::string store_name;  // e.g. "criteria-server"
    std::string backup_dir;  // empty: backups are refused
    int backups_to_keep = 7;
  };
  // The options of a server started with `server`'s flags.
  static Options OptionsFor(const ServerOptions& server) {
    return {.store_name = server.program,
            .backup_dir = server.backup_dir,
            .backups_to_keep = server.backups_to_keep};
  }

  StoreAdminService(Store* store, Options options,
                    const AccessGate* gate = &AccessGate::Unrestricted())
      : store_(store), options_(std::move(options)), gate_(gate) {}

  grpc::ServerUnaryReactor* CreateBackup(
      grpc::CallbackServerContext* context,
      const admin::v1::CreateBackupRequest* request,
      admin::v1::Backup* response) override;
  grpc::ServerUnaryReactor* ListBackups(
      grpc::CallbackServerContext* context,
      const admin::v1::ListBackupsRequest* request,
      admin::v1::ListBackupsResponse* response) override;

  // The calls above without gRPC (for tools and tests).
  absl::StatusOr<admin::v1::Backup> Create();
  absl::StatusOr<admin::v1::ListBackupsResponse> List() const;

 private:
  Store* const store_;
  const Options options_;
  const AccessGate* const gate_;
  // Held while a backup is taken, and while one is listed (BackupEngine
  // must not be opened while another one purges).
  mutable absl::Mutex running_;
};

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_STORE_ADMIN_SERVICE_H_
