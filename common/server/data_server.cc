#include "common/server/data_server.h"

#include <utility>

#include "common/base/status_macros.h"
#include "common/server/data_service_host.h"
#include "nq57/changes/v1/changes.grpc.pb.h"

namespace nq57 {

absl::StatusOr<DataServer::Basics> DataServer::OpenBasics(
    const ServerOptions& options, std::vector<std::string> column_families,
    const std::string& service_name) {
  Basics basics;
  basics.admin = StoreAdminService::OptionsFor(options);
  ASSIGN_OR_RETURN(
      basics.gate,
      AccessGate::Create(
          {.policy_path = options.access_policy_path(),
           .services = {service_name,
                        changes::v1::ChangeFeed::service_full_name(),
                        admin::v1::StoreAdmin::service_full_name()},
           .refresh = absl::Seconds(options.tls.refresh_seconds),
           .province = options.province,
           .max_streams = options.max_streams,
           .max_streams_per_peer = options.max_streams_per_peer}));
  ASSIGN_OR_RETURN(
      basics.units,
      UnitRegistry::Load(options.config_dir, {.province = options.province}));
  ASSIGN_OR_RETURN(
      basics.store,
      Store::Open(options.data_dir,
                  options.store_options(std::move(column_families))));
  return basics;
}

DataServer::DataServer(Basics basics)
    : units_(std::move(basics.units)),
      store_(std::move(basics.store)),
      gate_(std::move(basics.gate)),
      feed_(&store_->change_log(), units_->deployment_province(), gate_.get()),
      admin_(store_.get(), std::move(basics.admin), gate_.get()) {}

absl::StatusOr<std::unique_ptr<ServerHost>> DataServer::StartHost(
    const ServerOptions& options, grpc::Service* service,
    std::string service_name, std::string_view store_name) {
  return StartDataServiceHost(options, service, std::move(service_name), &feed_,
                              *store_, store_name, &gate_->streams(), &admin_);
}

}  // namespace nq57
