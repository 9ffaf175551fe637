// (2) A write RPC whose handler goes through the durable commit path
// (Probe.Put: validation, group commit with fsync, change record,
// idempotency record) against a bare Echo RPC on the same server, over
// loopback with the callback API, at 1, 16 and 64 concurrent clients.
// Reports QPS and p99 latency of each.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/baseline_reporter.h"
#include "benchmark/benchmark.h"
#include "common/base/log.h"
#include "common/server/server_host.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tests/probe/probe_service.h"

namespace nq57 {
namespace {

std::unique_ptr<ProbeServer> g_server;
ServerHost* g_host = nullptr;
std::vector<std::shared_ptr<grpc::Channel>> g_channels;
std::string g_dir;
std::atomic<uint64_t> g_counter{0};
std::mutex g_latency_mu;
std::vector<double> g_latencies_us;

void StartServer(const benchmark::State&) {
  const char* base = std::getenv("NQ57_BENCH_DIR");
  g_dir = (std::filesystem::path(base != nullptr ? base : "/tmp") /
           absl::StrCat("nq57_rpc_bench_", getpid()))
              .string();
  std::filesystem::remove_all(g_dir);
  g_server = std::move(*ProbeServer::Create({.server = {.data_dir = g_dir}}));
  g_host = &g_server->host();
  // A few connections, as a real integration platform would use.
  g_channels.clear();
  for (int i = 0; i < 4; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("channel_index",
                i);  // distinct channels, not shared subchannels
    g_channels.push_back(grpc::CreateCustomChannel(
        g_host->address(), grpc::InsecureChannelCredentials(), args));
  }
  g_latencies_us.clear();
}

void StopServer(const benchmark::State&) {
  g_channels.clear();
  g_server->BeginShutdown();
  g_host->Shutdown(absl::Seconds(5));
  g_host = nullptr;
  g_server.reset();
  std::filesystem::remove_all(g_dir);
}

void Record(benchmark::State& state, std::vector<double>& mine) {
  std::lock_guard<std::mutex> lock(g_latency_mu);
  g_latencies_us.insert(g_latencies_us.end(), mine.begin(), mine.end());
  // Threads finish at slightly different times, so each reports the p99 of
  // what has been gathered so far and Google Benchmark averages them; the
  // last threads see (almost) the whole run.
  std::vector<double> all = g_latencies_us;
  std::sort(all.begin(), all.end());
  state.counters["p99_us"] =
      benchmark::Counter(all.empty() ? 0 : all[all.size() * 99 / 100],
                         benchmark::Counter::kAvgThreads);
}

template <typename Call>
void RunClient(benchmark::State& state, Call call) {
  auto stub = testing::v1::Probe::NewStub(
      g_channels[state.thread_index() % g_channels.size()]);
  std::vector<double> latencies;
  for (auto _ : state) {
    const absl::Time start = absl::Now();
    grpc::Status s = call(*stub);
    latencies.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    if (!s.ok()) {
      state.SkipWithError(s.error_message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  Record(state, latencies);
}

void BM_Echo(benchmark::State& state) {
  RunClient(state, [](testing::v1::Probe::Stub& stub) {
    grpc::ClientContext ctx;
    testing::v1::EchoRequest req;
    req.set_payload(std::string(200, 'v'));
    testing::v1::EchoResponse resp;
    return stub.Echo(&ctx, req, &resp);
  });
}

void BM_DurablePut(benchmark::State& state) {
  RunClient(state, [](testing::v1::Probe::Stub& stub) {
    const uint64_t n = g_counter.fetch_add(1);
    grpc::ClientContext ctx;
    testing::v1::PutRequest req;
    req.set_request_id(absl::StrCat("req-", n));
    req.set_key(absl::StrCat("k", n));
    req.set_value(std::string(200, 'v'));
    testing::v1::PutResponse resp;
    return stub.Put(&ctx, req, &resp);
  });
}

}  // namespace
}  // namespace nq57

int main(int argc, char** argv) {
  // One JSON line per RPC is part of the real server and is kept in both
  // arms; tools/bench.sh sends stderr to a file.
  for (int threads : {1, 16, 64}) {
    using Fn = void (*)(benchmark::State&);
    for (auto [name, fn] :
         {std::pair<const char*, Fn>{"BM_Echo", nq57::BM_Echo},
          std::pair<const char*, Fn>{"BM_DurablePut", nq57::BM_DurablePut}}) {
      benchmark::RegisterBenchmark(name, fn)
          ->Setup(nq57::StartServer)
          ->Teardown(nq57::StopServer)
          ->Threads(threads)
          ->MinTime(2.0)
          ->UseRealTime();
    }
  }
  return nq57::RunWithBaselines(argc, argv, {{"BM_DurablePut", "BM_Echo"}});
}
