#include "bench/bench_support.h"

#include <algorithm>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "bench/baseline_reporter.h"
#include "common/base/absl_view.h"
#include "common/base/percentile.h"
#include "common/base/status_macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "rocksdb/write_batch.h"

namespace nq57 {

benchmark::internal::Benchmark* Register(const BenchSpec& spec) {
  benchmark::internal::Benchmark* b =
      benchmark::RegisterBenchmark(spec.name, spec.fn);
  if (spec.setup != nullptr) b->Setup(spec.setup);
  if (spec.teardown != nullptr) b->Teardown(spec.teardown);
  return b->UseRealTime();
}

void RegisterAtThreadCounts(std::initializer_list<BenchSpec> specs) {
  for (int threads : {1, 16, 64}) {
    for (const BenchSpec& spec : specs) {
      Register(spec)->Threads(threads)->MinTime(2.0);
    }
  }
}

int RunPairAtThreadCounts(int argc, char** argv, const BenchSpec& baseline,
                          const BenchSpec& measured) {
  RegisterAtThreadCounts({baseline, measured});
  return RunWithBaselines(argc, argv, {{measured.name, baseline.name}});
}

void SetPercentiles(benchmark::State& state, std::vector<double>& samples_us,
                    std::initializer_list<int> percentiles) {
  if (samples_us.empty()) return;
  std::sort(samples_us.begin(), samples_us.end());
  for (int p : percentiles) {
    state.counters[absl::StrCat("p", p, "_us")] = Percentile(samples_us, p);
  }
}

int64_t ProcStatusKb(std::string_view process, std::string_view field) {
  const std::string prefix = absl::StrCat(AbslView(field), ":");
  std::ifstream status(absl::StrCat("/proc/", AbslView(process), "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(prefix, 0) == 0) {
      return std::stoll(line.substr(prefix.size()));
    }
  }
  return 0;
}

void ResetPeakRss(std::string_view process) {
  std::ofstream(absl::StrCat("/proc/", AbslView(process), "/clear_refs"))
      << "5";
}

void SharedLatencies::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  all_.clear();
}

void SharedLatencies::Record(benchmark::State& state,
                             const std::vector<double>& mine) {
  std::lock_guard<std::mutex> lock(mu_);
  all_.insert(all_.end(), mine.begin(), mine.end());
  std::vector<double> all = all_;
  std::sort(all.begin(), all.end());
  state.counters["p99_us"] =
      benchmark::Counter(Percentile(all, 99), benchmark::Counter::kAvgThreads);
}

std::vector<std::shared_ptr<grpc::Channel>> LoopbackChannels(
    const std::string& address, int count,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  if (credentials == nullptr) credentials = grpc::InsecureChannelCredentials();
  std::vector<std::shared_ptr<grpc::Channel>> out;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("channel_index", i);  // distinct channels
    out.push_back(grpc::CreateCustomChannel(address, credentials, args));
  }
  return out;
}

absl::StatusOr<ProvinceConfig> LoadProvinceConfig(
    const std::string& config_dir, const std::string& catalog_file,
    std::string_view province) {
  ProvinceConfig out;
  ASSIGN_OR_RETURN(out.units, UnitRegistry::Load(config_dir));
  ASSIGN_OR_RETURN(out.catalog, IndicatorCatalog::LoadFile(absl::StrCat(
                                    config_dir, "/indicators/", catalog_file)));
  for (const Unit* u : out.units->Children(province, UnitLevel::kCommune)) {
    out.communes.push_back(u->name);
  }
  return out;
}

void SharedReadFixture::Open() {
  if (seeded_) return;
  seeded_ = true;
  absl::Status s = seed_();
  if (!s.ok()) error_ = s.ToString();
}

void SharedReadFixture::OpenReopened() {
  Open();
  if (reopened_ || !error_.empty()) return;
  reopened_ = true;
  absl::Status s = reopen_();
  if (!s.ok()) error_ = s.ToString();
}

absl::StatusOr<std::vector<std::string>> CopyToRaw(const Store& store,
                                                   std::string_view family,
                                                   RawRocksDb& raw) {
  rocksdb::WriteBatch batch;
  std::vector<std::string> keys;
  RETURN_IF_ERROR(store.Scan(
      family, "", "", [&](std::string_view key, std::string_view value) {
        batch.Put(rocksdb::Slice(key.data(), key.size()),
                  rocksdb::Slice(value.data(), value.size()));
        keys.emplace_back(key);
        return true;
      }));
  RETURN_IF_ERROR(raw.Write(batch));
  return keys;
}

absl::Status ScanAll(const RawRocksDb& raw, int64_t expected) {
  int64_t bytes = 0;
  ASSIGN_OR_RETURN(int64_t entries, raw.ScanPrefix("", &bytes));
  benchmark::DoNotOptimize(bytes);
  if (entries != expected) {
    return absl::InternalError(
        absl::StrCat("scan saw ", entries, " entries, expected ", expected));
  }
  return absl::OkStatus();
}

absl::Status ReadEach(const RawRocksDb& raw,
                      const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    ASSIGN_OR_RETURN(std::optional<std::string> value, raw.Get(key));
    if (!value.has_value()) return absl::InternalError("missing key");
    benchmark::DoNotOptimize(value);
  }
  return absl::OkStatus();
}

}  // namespace nq57
