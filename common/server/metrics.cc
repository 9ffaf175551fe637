#include "common/server/metrics.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace nq57 {
namespace {

// Gathers what services report into metric families, per scrape.
class SinkCollector : public prometheus::Collectable, public MetricSink {
 public:
  explicit SinkCollector(std::function<void(MetricSink&)> collect)
      : collect_(std::move(collect)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::lock_guard<std::mutex> lock(mu_);
    families_.clear();
    collect_(*const_cast<SinkCollector*>(this));
    std::vector<prometheus::MetricFamily> out;
    for (auto& [name, family] : families_) out.push_back(std::move(family));
    return out;
  }

  void Counter(std::string_view name, std::string_view help,
               const Labels& labels, double value) override {
    Add(name, help, prometheus::MetricType::Counter, labels).counter.value =
        value;
  }
  void Gauge(std::string_view name, std::string_view help, const Labels& labels,
             double value) override {
    Add(name, help, prometheus::MetricType::Gauge, labels).gauge.value = value;
  }

 private:
  prometheus::ClientMetric& Add(std::string_view name, std::string_view help,
                                prometheus::MetricType type,
                                const Labels& labels) {
    prometheus::MetricFamily& family = families_[std::string(name)];
    family.name = std::string(name);
    family.help = std::string(help);
    family.type = type;
    prometheus::ClientMetric& metric = family.metric.emplace_back();
    for (const auto& [k, v] : labels) metric.label.push_back({k, v});
    return metric;
  }

  const std::function<void(MetricSink&)> collect_;
  mutable std::mutex mu_;
  mutable std::map<std::string, prometheus::MetricFamily> families_;
};

}  // namespace

void ReportStoreMetrics(const Store& store, std::string_view name,
                        MetricSink& sink) {
  const StoreStats s = store.stats();
  const MetricSink::Labels labels = {{"store", std::string(name)}};
  sink.Counter("nq57_store_commits_total",
               "Write requests committed durably (replays excluded).", labels,
               static_cast<double>(s.commits));
  sink.Counter("nq57_store_replays_total",
               "Retried requests answered from their idempotency record.",
               labels, static_cast<double>(s.replays));
  sink.Counter("nq57_store_rejected_total",
               "Write requests refused by validation or idempotency checks.",
               labels, static_cast<double>(s.rejected));
  sink.Counter("nq57_store_write_groups_total",
               "Group commits written (one fsynced WriteBatch each).", labels,
               static_cast<double>(s.write_groups));
  sink.Counter("nq57_store_write_failures_total",
               "Group commits RocksDB refused (every request in them failed).",
               labels, static_cast<double>(s.write_failures));
  sink.Counter("nq57_store_write_seconds_total",
               "Time spent writing group commits, fsync included.", labels,
               static_cast<double>(s.write_nanos) / 1e9);
  sink.Gauge("nq57_store_queued_requests",
             "Write requests waiting for the store's writer.", labels,
             static_cast<double>(s.queued));
  sink.Gauge("nq57_change_log_head", "Highest committed change sequence.",
             labels, static_cast<double>(store.change_log().head()));
  const struct {
    const char* name;
    const char* help;
    uint64_t value;
  } refusals[] = {
      {"nq57_store_queue_full_total",
       "Write requests refused because the writer's queue was full.",
       s.queue_full},
      {"nq57_store_refused_total",
       "Write requests refused while writes failed (disk full, I/O error).",
       s.refused},
      {"nq57_store_resumes_total", "Times writes came back after failing.",
       s.resumes},
      {"nq57_store_damage_total",
       "DATA_LOSS results met while serving (damaged files).", s.damage},
  };
  for (const auto& r : refusals) {
    sink.Counter(r.name, r.help, labels, static_cast<double>(r.value));
  }
  const StoreHealth health = store.health();
  sink.Gauge("nq57_store_writable",
             "1 while the store accepts writes; 0 while it refuses them "
             "(disk full, I/O error, damage, read-only start).",
             labels, health.writes.ok() ? 1 : 0);
  sink.Gauge("nq57_store_damaged",
             "1 once damage was met while serving (until a restart).", labels,
             health.data.ok() ? 0 : 1);
}

RpcMetrics::RpcMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  requests_ = &prometheus::BuildCounter()
                   .Name("nq57_rpc_requests_total")
                   .Help("RPCs finished, by method and status code.")
                   .Register(*registry_);
  latency_ = &prometheus::BuildHistogram()
                  .Name("nq57_rpc_latency_seconds")
                  .Help("Time from a call's start to its status, by method.")
                  .Register(*registry_);
}

RpcMetrics::~RpcMetrics() = default;

void RpcMetrics::Record(const std::string& method, std::string_view code,
                        double seconds) {
  requests_->Add({{"method", method}, {"code", std::string(code)}}).Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  latency_->Add({{"method", method}}, kBuckets).Observe(seconds);
}

absl::StatusOr<std::unique_ptr<MetricsExporter>> MetricsExporter::Start(
    const std::string& address,
    std::vector<std::shared_ptr<prometheus::Registry>> registries,
    std::function<void(MetricSink&)> collect) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--metrics_listen: expected HOST:PORT, got \"", address, "\""));
  }
  auto exporter = std::unique_ptr<MetricsExporter>(new MetricsExporter());
  try {
    // prometheus-cpp (civetweb) reports a bind failure by throwing; this is
    // the one place an exception can arise, and it stops here.
    exporter->exposer_ = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  exporter->registries_ = std::move(registries);
  for (const auto& registry : exporter->registries_) {
    exporter->exposer_->RegisterCollectable(registry);
  }
  auto collector = std::make_shared<SinkCollector>(std::move(collect));
  exporter->exposer_->RegisterCollectable(collector);
  exporter->collector_ = collector;
  const std::vector<int> ports = exporter->exposer_->GetListeningPorts();
  exporter->address_ = absl::StrCat(address.substr(0, colon), ":",
                                    ports.empty() ? 0 : ports.front());
  return exporter;
}

MetricsExporter::~MetricsExporter() = default;

}  // namespace nq57
