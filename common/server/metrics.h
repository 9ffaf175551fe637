// Metrics for Prometheus.
//
// Every server can expose GET /metrics (--metrics_listen=HOST:PORT, off by
// default). What it shows:
//   nq57_rpc_requests_total{method,code}     one per finished RPC
//   nq57_rpc_latency_seconds{method}         histogram of handling time
//   nq57_store_*                             the commit path: commits,
//       replays, rejections, fsynced write groups (their count and time, so
//       group size and fsync latency follow), queue depth, change-log head
//   and whatever the service adds at scrape time (the aggregator: each
//   source's applied and head sequence and whether it is serving).
//
// Services never see Prometheus types: they report through MetricSink when
// scraped. RpcMetrics is recorded by ServerHost's interceptor. The exporter
// is prometheus-cpp's (Debian's prometheus-cpp-dev); nothing here speaks
// HTTP itself. All types are thread-safe.
#ifndef NQ57_COMMON_SERVER_METRICS_H_
#define NQ57_COMMON_SERVER_METRICS_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/store/store.h"

namespace prometheus {
class Exposer;
class Registry;
template <typename T>
class Family;
class Counter;
class Histogram;
}  // namespace prometheus

namespace nq57 {

// Receives a service's values at scrape time.
class MetricSink {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;
  virtual ~MetricSink() = default;
  virtual void Counter(std::string_view name, std::string_view help,
                       const Labels& labels, double value) = 0;
  virtual void Gauge(std::string_view name, std::string_view help,
                     const Labels& labels, double value) = 0;
};

// The standard nq57_store_* values of `store`, labelled store=`name`.
void ReportStoreMetrics(const Store& store, std::string_view name,
                        MetricSink& sink);

// Per-RPC counts and latencies.
class RpcMetrics {
 public:
  RpcMetrics();
  ~RpcMetrics();
  void Record(const std::string& method, std::string_view code, double seconds);
  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* latency_;
};

// Serves /metrics: the given registries plus `collect`, called per scrape.
class MetricsExporter {
 public:
  static absl::StatusOr<std::unique_ptr<MetricsExporter>> Start(
      const std::string& address,
      std::vector<std::shared_ptr<prometheus::Registry>> registries,
      std::function<void(MetricSink&)> collect);
  ~MetricsExporter();
  // The bound address, with the real port when asked for port 0.
  const std::string& address() const { return address_; }

 private:
  MetricsExporter() = default;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::vector<std::shared_ptr<prometheus::Registry>> registries_;
  std::shared_ptr<void> collector_;  // a prometheus::Collectable
  std::string address_;
};

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_METRICS_H_
