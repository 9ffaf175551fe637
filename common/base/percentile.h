// Percentile: the nearest-rank percentile of a sorted sample, the one way
// nq57's benchmarks and load generator report latencies (p50, p99, ...).
//
//   std::sort(ms.begin(), ms.end());
//   const double p99 = Percentile(ms, 99);
#ifndef NQ57_COMMON_BASE_PERCENTILE_H_
#define NQ57_COMMON_BASE_PERCENTILE_H_

#include <algorithm>
#include <cstddef>
#include <vector>

namespace nq57 {

// `sorted` must be sorted ascending; 0 if it is empty. `p` in [0, 100].
inline double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(p / 100.0 * sorted.size());
  return sorted[std::min(rank, sorted.size() - 1)];
}

}  // namespace nq57

#endif  // NQ57_COMMON_BASE_PERCENTILE_H_
