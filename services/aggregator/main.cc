// aggregator-server: the province's nq57 report and feed (aggregator_server.h).
//
// Flags of its own (besides ServerMain's common ones):
//   --source=name=kind@host:port,...  default: the three data services of
//       `make run` (criteria@127.0.0.1:50571, publicservice@...:50572,
//       eidentity@...:50573); kinds: criteria, publicservice, eidentity,
//       aggregator (federation).
//   --criteria_decimals (1), --criteria_rounding (half_up), --stale_days (45)
// A bad value exits with status 2.
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "common/base/status_macros.h"
#include "common/server/server_main.h"
#include "services/aggregator/aggregator_server.h"

ABSL_FLAG(std::vector<std::string>, source,
          std::vector<std::string>({"criteria@127.0.0.1:50571",
                                    "publicservice@127.0.0.1:50572",
                                    "eidentity@127.0.0.1:50573"}),
          "sources to follow, comma-separated name=kind@host:port (kind "
          "defaults to name): criteria, publicservice, eidentity, aggregator");
ABSL_FLAG(int, criteria_decimals, 1, "decimals of criteria percentages");
ABSL_FLAG(std::string, criteria_rounding, "half_up",
          "rounding of criteria percentages: half_up, half_even, truncate");
ABSL_FLAG(int, stale_days, 45,
          "a unit whose latest stock report is older than this is stale");

ABSL_FLAG(std::string, source_reset, "auto",
          "when a source's log is not a continuation of what was applied (a "
          "wiped or restored store): auto = rebuild from every source's "
          "current log at once; manual = stop counting it until an operator "
          "runs Rebuild with replace");

namespace nq57::aggregator {
namespace {

absl::StatusOr<AggregatorOptions> OptionsFromFlags(
    const ServerOptions& server) {
  AggregatorOptions options{.server = server};
  for (const std::string& text : absl::GetFlag(FLAGS_source)) {
    ASSIGN_OR_RETURN(SourceSpec spec, ParseSourceSpec(text));
    options.sources.push_back(std::move(spec));
  }
  options.report.criteria_decimals = absl::GetFlag(FLAGS_criteria_decimals);
  if (options.report.criteria_decimals < 0 ||
      options.report.criteria_decimals > 6) {
    return absl::InvalidArgumentError("--criteria_decimals: expected 0..6");
  }
  const std::string rounding = absl::GetFlag(FLAGS_criteria_rounding);
  if (rounding == "half_up") {
    options.report.criteria_rounding = RoundingMode::kHalfUp;
  } else if (rounding == "half_even") {
    options.report.criteria_rounding = RoundingMode::kHalfEven;
  } else if (rounding == "truncate") {
    options.report.criteria_rounding = RoundingMode::kTruncate;
  } else {
    return absl::InvalidArgumentError(
        "--criteria_rounding: expected half_up, half_even or truncate");
  }
  const int stale_days = absl::GetFlag(FLAGS_stale_days);
  if (stale_days < 1) {
    return absl::InvalidArgumentError("--stale_days: expected >= 1");
  }
  options.report.stale_after = absl::Hours(24) * stale_days;
  const std::string reset = absl::GetFlag(FLAGS_source_reset);
  if (reset != "auto" && reset != "manual") {
    return absl::InvalidArgumentError(
        "--source_reset: expected auto or manual");
  }
  options.reset_sources_automatically = reset == "auto";
  return options;
}

}  // namespace
}  // namespace nq57::aggregator

int main(int argc, char** argv) {
  return nq57::ServerMain<nq57::aggregator::AggregatorServer>(
      argc, argv,
      {.program = "aggregator-server", .default_listen = "127.0.0.1:50574"},
      &nq57::aggregator::OptionsFromFlags);
}
