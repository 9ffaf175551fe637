#include "bench/baseline_reporter.h"

#include <cstdio>

#include "benchmark/benchmark.h"

namespace nq57 {
namespace {

struct Figures {
  double items_per_second = 0;
  double p99_us = 0;
};

class BaselineReporter : public benchmark::ConsoleReporter {
 public:
  explicit BaselineReporter(const BaselinePairs& pairs) : pairs_(pairs) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration) continue;
      Figures f;
      auto it = run.counters.find("items_per_second");
      if (it != run.counters.end()) f.items_per_second = it->second.value;
      auto p99 = run.counters.find("p99_us");
      if (p99 != run.counters.end()) f.p99_us = p99->second.value;
      // Family name without arguments; key by (family, threads, args).
      const std::string name = run.benchmark_name();
      const size_t slash = name.find('/');
      const std::string family = name.substr(0, slash);
      const std::string rest =
          slash == std::string::npos ? "" : name.substr(slash);
      figures_[{family, rest}] = f;
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nAgainst the baseline measured in this run:\n");
    for (const BaselinePair& pair : pairs_) {
      const std::string& measured = pair.measured;
      const std::string& baseline = pair.baseline;
      for (const auto& [key, f] : figures_) {
        if (key.first != measured) continue;
        auto base = figures_.find({baseline, key.second});
        if (base == figures_.end() || base->second.items_per_second == 0) {
          continue;
        }
        std::printf("  %s%s: %.0f/s = %.1f%% of %s (%.0f/s)", measured.c_str(),
                    key.second.c_str(), f.items_per_second,
                    100.0 * f.items_per_second / base->second.items_per_second,
                    baseline.c_str(), base->second.items_per_second);
        if (f.p99_us > 0 && base->second.p99_us > 0) {
          std::printf("; p99 %.0f us = %.2fx baseline p99 (%.0f us)", f.p99_us,
                      f.p99_us / base->second.p99_us, base->second.p99_us);
        }
        const double percent =
            100.0 * f.items_per_second / base->second.items_per_second;
        if (pair.min_percent > 0) {
          std::printf("; target >= %.0f%%: %s", pair.min_percent,
                      percent >= pair.min_percent ? "met" : "MISSED");
        }
        if (pair.min_per_second > 0) {
          std::printf(
              "; target >= %.0f/s: %s", pair.min_per_second,
              f.items_per_second >= pair.min_per_second ? "met" : "MISSED");
        }
        std::printf("\n");
      }
    }
    std::fflush(stdout);
  }

 private:
  const BaselinePairs pairs_;
  std::map<std::pair<std::string, std::string>, Figures> figures_;
};

}  // namespace

int RunWithBaselines(int argc, char** argv, const BaselinePairs& pairs) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  BaselineReporter reporter(pairs);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace nq57
