#include "services/criteria/criteria_server.h"

#include <utility>

#include "common/base/status_macros.h"
#include "common/time/clock.h"

namespace nq57::criteria {

absl::StatusOr<std::unique_ptr<CriteriaServer>> CriteriaServer::Create(
    const CriteriaOptions& options) {
  ASSIGN_OR_RETURN(Basics basics,
                   OpenBasics(options.server, CriteriaCore::ColumnFamilies(),
                              v1::CriteriaService::service_full_name()));
  auto server =
      std::unique_ptr<CriteriaServer>(new CriteriaServer(std::move(basics)));
  ASSIGN_OR_RETURN(
      server->host_,
      server->StartHost(options.server, &server->criteria_,
                        v1::CriteriaService::service_full_name(), "criteria"));
  return server;
}

CriteriaServer::CriteriaServer(Basics basics)
    : DataServer(std::move(basics)),
      core_(store_.get(), units_.get(), RealClock()),
      criteria_(&core_, store_.get(), gate_.get()) {}

}  // namespace nq57::criteria
