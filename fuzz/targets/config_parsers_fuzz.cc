// The config parsers on arbitrary text: the indicator catalogue
// (textproto), the access policy (textproto) and the criteria labels
// (CSV). The first byte picks the parser. Each accepts or refuses with a
// status naming the source; none may crash, loop or accept a file it would
// refuse to parse a second time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/access/access_policy.h"
#include "common/indicators/indicator_catalog.h"
#include "common/labels/criteria_labels.h"
#include "google/protobuf/text_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1),
                              size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto catalog = nq57::IndicatorCatalog::Parse(text, "fuzz.textproto");
      if (catalog.ok()) {
        // What was accepted is accepted again from its own serialization.
        std::string again;
        if (!google::protobuf::TextFormat::PrintToString((*catalog)->config(),
                                                         &again) ||
            !nq57::IndicatorCatalog::Parse(again, "again").ok()) {
          abort();
        }
      }
      break;
    }
    case 1:
      (void)nq57::AccessPolicy::Parse(text, "access.textproto");
      break;
    default:
      (void)nq57::CriteriaLabels::Parse(text, "criteria.csv");
      break;
  }
  return 0;
}
