#include "services/aggregator/source_adapter.h"

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "services/aggregator/criteria_rollup.h"
#include "services/aggregator/eidentity_rollup.h"
#include "services/aggregator/federation_rollup.h"
#include "services/aggregator/publicservice_rollup.h"

namespace nq57::aggregator {

absl::StatusOr<std::unique_ptr<SourceAdapter>> MakeSourceAdapter(
    std::string_view kind) {
  if (kind == "criteria") return std::make_unique<CriteriaRollup>();
  if (kind == "aggregator") return std::make_unique<FederationRollup>();
  if (kind == "publicservice") return std::make_unique<PublicServiceRollup>();
  if (kind == "eidentity") return std::make_unique<EidentityRollup>();
  return absl::InvalidArgumentError(
      absl::StrCat("--source: unknown kind \"", AbslView(kind),
                   "\" (criteria, publicservice, eidentity or aggregator)"));
}

}  // namespace nq57::aggregator
