// Benchmarks in nq57 report every figure as a ratio against a baseline
// measured in the same run (timings on a shared 2-core machine vary; ratios
// of things measured side by side much less).
//
// BaselineReporter prints Google Benchmark's usual console table and, at the
// end, one line per measured benchmark: its throughput as a percentage of
// its baseline's at the same thread count, and its p99 latency against the
// baseline's when both report a "p99_us" counter, and the target it is held
// to, if any.
//
//   int main(int argc, char** argv) {
//     return RunWithBaselines(argc, argv, {{"BM_StoreCommit",
//     "BM_RawRocksDB"}});
//   }
#ifndef NQ57_BENCH_BASELINE_REPORTER_H_
#define NQ57_BENCH_BASELINE_REPORTER_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nq57 {

// A measured benchmark family, its baseline family, and, where an issue
// set one, the target it is held to: a least share of the baseline's
// throughput and/or a least throughput (0: none). A target is printed
// beside the figure with "met" or "MISSED".
struct BaselinePair {
  std::string measured;
  std::string baseline;
  double min_percent = 0;
  double min_per_second = 0;
};
using BaselinePairs = std::vector<BaselinePair>;

int RunWithBaselines(int argc, char** argv, const BaselinePairs& pairs);

}  // namespace nq57

#endif  // NQ57_BENCH_BASELINE_REPORTER_H_
