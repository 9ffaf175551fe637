// (2) A write RPC whose handler goes through the durable commit path
// (Probe.Put: validation, group commit with fsync, change record,
// idempotency record) against a bare Echo RPC on the same server, over
// loopback with the callback API, at 1, 16 and 64 concurrent clients.
// Reports QPS and p99 latency of each.
#include <atomic>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/bench_support.h"
#include "benchmark/benchmark.h"
#include "common/server/server_host.h"
#include "tests/probe/probe_service.h"

namespace nq57 {
namespace {

std::unique_ptr<ProbeServer> g_server;
std::vector<std::shared_ptr<grpc::Channel>> g_channels;
std::string g_dir;
std::atomic<uint64_t> g_counter{0};
SharedLatencies g_latencies;

void StartServer(const benchmark::State&) {
  g_dir = BenchDir("rpc");
  g_server = std::move(*ProbeServer::Create({.server = {.data_dir = g_dir}}));
  g_channels = LoopbackChannels(g_server->host().address());
  g_latencies.Clear();
}

void StopServer(const benchmark::State&) {
  g_channels.clear();
  g_server->BeginShutdown();
  g_server->host().Shutdown(absl::Seconds(5));
  g_server.reset();
  std::filesystem::remove_all(g_dir);
}

template <typename Call>
void RunProbeClient(benchmark::State& state, Call call) {
  auto stub = testing::v1::Probe::NewStub(
      g_channels[state.thread_index() % g_channels.size()]);
  RunClient(state, g_latencies, [&] { return call(*stub); });
}

void BM_Echo(benchmark::State& state) {
  RunProbeClient(state, [](testing::v1::Probe::Stub& stub) {
    grpc::ClientContext ctx;
    testing::v1::EchoRequest req;
    req.set_payload(std::string(200, 'v'));
    testing::v1::EchoResponse resp;
    return stub.Echo(&ctx, req, &resp);
  });
}

void BM_DurablePut(benchmark::State& state) {
  RunProbeClient(state, [](testing::v1::Probe::Stub& stub) {
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
  return nq57::RunPairAtThreadCounts(
      argc, argv,
      {"BM_Echo", nq57::BM_Echo, nq57::StartServer, nq57::StopServer},
      {"BM_DurablePut", nq57::BM_DurablePut, nq57::StartServer,
       nq57::StopServer});
}
