#include "services/aggregator/source_adapter.h"

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"

namespace nq57::aggregator {

absl::StatusOr<SourceAdapter> SourceAdapterFor(std::string_view kind) {
  if (kind == "criteria") return &ApplyCriteriaChange;
  if (kind == "aggregator") return &ApplyFederatedChange;
  if (kind == "publicservice") return &ApplyPublicServiceChange;
  if (kind == "eidentity") return &ApplyEidentityChange;
  return absl::InvalidArgumentError(
      absl::StrCat("--source: unknown kind \"", AbslView(kind),
                   "\" (criteria, publicservice, eidentity or aggregator)"));
}

}  // namespace nq57::aggregator
