#include "tools/loadgen/load_generator.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/base/percentile.h"
#include "grpcpp/alarm.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/channel_arguments.h"

namespace nq57::loadgen {
namespace {

// What every worker reads; the counters are the only shared writes.
struct Run {
  const LoadOptions& options;
  const std::string& method;
  const RequestSource& next_request;
  int64_t start_ns = 0;         // pacing starts here
  int64_t measure_from_ns = 0;  // warm-up ends
  int64_t end_ns = 0;           // nothing is sent or counted after
  std::atomic<uint64_t> next_call{0};
  std::atomic<uint64_t> next_slot{0};  // paced mode: the next due slot
};

// One completion-queue thread with its own channel and `calls` in flight.
class Worker {
 public:
  Worker(Run* run, std::shared_ptr<grpc::Channel> channel, int calls)
      : run_(run), stub_(std::move(channel)), calls_(calls) {}

  void Loop() {
    std::vector<Call> calls(calls_);
    in_flight_ = calls_;
    for (Call& c : calls) Next(c);
    void* tag;
    bool ok;
    while (in_flight_ > 0 && queue_.Next(&tag, &ok)) {
      Call& c = *static_cast<Call*>(tag);
      if (c.stage == Call::kDue) {
        Send(c);
      } else {
        Record(c);
        Next(c);
      }
    }
    queue_.Shutdown();
    while (queue_.Next(&tag, &ok)) {
    }
  }

  uint64_t ok() const { return ok_; }
  const std::map<grpc::StatusCode, uint64_t>& errors() const { return errors_; }
  std::vector<double>& latencies_ms() { return latencies_ms_; }

 private:
  struct Call {
    enum Stage { kDue, kSent } stage = kDue;
    int64_t due_ns = 0;
    std::unique_ptr<grpc::ClientContext> context;
    grpc::ByteBuffer request, response;
    grpc::Status status;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
    grpc::Alarm alarm;
  };

  // The next call of this client: at once, or at its slot when paced.
  void Next(Call& c) {
    const int64_t now = absl::GetCurrentTimeNanos();
    if (now >= run_->end_ns) {
      --in_flight_;
      return;
    }
    c.due_ns = now;
    if (run_->options.rate > 0) {
      const uint64_t slot = run_->next_slot.fetch_add(1);
      c.due_ns = run_->start_ns +
                 static_cast<int64_t>(slot * 1e9 / run_->options.rate);
      if (c.due_ns >= run_->end_ns) {  // its slot is after the run
        --in_flight_;
        return;
      }
      if (c.due_ns > now) {
        c.stage = Call::kDue;
        c.alarm.Set(&queue_, absl::ToChronoTime(absl::FromUnixNanos(c.due_ns)),
                    &c);
        return;
      }
    }
    Send(c);
  }

  void Send(Call& c) {
    if (absl::GetCurrentTimeNanos() >= run_->end_ns) {
      --in_flight_;
      return;
    }
    c.context = std::make_unique<grpc::ClientContext>();
    c.context->set_deadline(
        absl::ToChronoTime(absl::Now() + run_->options.deadline));
    c.context->AddMetadata("x-nq57-actor", run_->options.actor);
    const std::string bytes = run_->next_request(run_->next_call.fetch_add(1));
    grpc::Slice slice(bytes);
    c.request = grpc::ByteBuffer(&slice, 1);
    c.reader = stub_.PrepareUnaryCall(c.context.get(), run_->method, c.request,
                                      &queue_);
    c.stage = Call::kSent;
    c.reader->StartCall();
    c.reader->Finish(&c.response, &c.status, &c);
  }

  void Record(const Call& c) {
    const int64_t done = absl::GetCurrentTimeNanos();
    if (done < run_->measure_from_ns || done >= run_->end_ns) return;
    if (c.status.ok()) {
      ++ok_;
      latencies_ms_.push_back((done - c.due_ns) / 1e6);
    } else {
      ++errors_[c.status.error_code()];
    }
  }

  Run* const run_;
  grpc::GenericStub stub_;
  const int calls_;
  grpc::CompletionQueue queue_;
  int in_flight_ = 0;
  uint64_t ok_ = 0;
  std::map<grpc::StatusCode, uint64_t> errors_;
  std::vector<double> latencies_ms_;
};

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace

uint64_t LoadResult::error_count() const {
  uint64_t n = 0;
  for (const auto& [code, count] : errors) n += count;
  return n;
}

std::string LoadResult::ToJson() const {
  std::string errors_json;
  for (const auto& [code, count] : errors) {
    absl::StrAppend(&errors_json, errors_json.empty() ? "" : ",", "\"",
                    CodeName(code), "\":", count);
  }
  return absl::StrFormat(
      "{\"concurrency\":%d,\"rate\":%g,\"seconds\":%.3f,\"ok\":%d,"
      "\"ok_per_second\":%.1f,\"errors\":{%s},\"latency_ms\":{\"p50\":%.3f,"
      "\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f}}",
      concurrency, rate, seconds, ok, ok_per_second(), errors_json, p50_ms,
      p90_ms, p99_ms, p999_ms, max_ms);
}

std::string LoadResult::ToText() const {
  std::string out = absl::StrFormat(
      "%d concurrent%s, %.1f s: %d OK (%.1f/s)\n"
      "latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n",
      concurrency,
      rate > 0 ? absl::StrFormat(", paced at %g/s", rate) : std::string(),
      seconds, ok, ok_per_second(), p50_ms, p90_ms, p99_ms, p999_ms, max_ms);
  for (const auto& [code, count] : errors) {
    absl::StrAppendFormat(&out, "errors %s: %d\n", CodeName(code), count);
  }
  return out;
}

absl::StatusOr<LoadResult> RunLoad(const LoadOptions& options,
                                   const std::string& method,
                                   const RequestSource& next_request) {
  if (options.target.empty()) {
    return absl::InvalidArgumentError("target: required");
  }
  if (options.concurrency < 1 || options.concurrency > 10000) {
    return absl::InvalidArgumentError("concurrency: must be 1..10000");
  }
  if (options.rate < 0) return absl::InvalidArgumentError("rate: negative");
  if (options.duration <= absl::ZeroDuration() ||
      options.warmup < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "duration: must be positive (warmup: not negative)");
  }
  const int threads = std::clamp(
      options.threads > 0 ? options.threads : std::min(options.concurrency, 2),
      1, options.concurrency);
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      options.credentials != nullptr ? options.credentials
                                     : grpc::InsecureChannelCredentials();

  Run run{.options = options, .method = method, .next_request = next_request};
  std::vector<std::unique_ptr<Worker>> workers;
  // A server that is not there (yet) shows as UNAVAILABLE answers below.
  const absl::Time connected_by =
      absl::Now() + std::min(absl::Seconds(5), options.deadline);
  for (int i = 0; i < threads; ++i) {
    grpc::ChannelArguments args;
    // One connection per worker: channels do not share subchannels.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("nq57.loadgen.connection", i);
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateCustomChannel(options.target, credentials, args);
    channel->WaitForConnected(absl::ToChronoTime(connected_by));
    const int calls = options.concurrency / threads +
                      (i < options.concurrency % threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(&run, channel, calls));
  }
  run.start_ns = absl::GetCurrentTimeNanos();
  run.measure_from_ns = run.start_ns + absl::ToInt64Nanoseconds(options.warmup);
  run.end_ns = run.measure_from_ns + absl::ToInt64Nanoseconds(options.duration);
  std::vector<std::thread> running;
  for (auto& w : workers) running.emplace_back([&w] { w->Loop(); });
  for (std::thread& t : running) t.join();

  LoadResult result;
  result.concurrency = options.concurrency;
  result.rate = options.rate;
  result.seconds = absl::ToDoubleSeconds(options.duration);
  std::vector<double> latencies;
  for (auto& w : workers) {
    result.ok += w->ok();
    for (const auto& [code, count] : w->errors()) result.errors[code] += count;
    latencies.insert(latencies.end(), w->latencies_ms().begin(),
                     w->latencies_ms().end());
  }
  if (!latencies.empty()) {
    std::sort(latencies.begin(), latencies.end());
    result.p50_ms = Percentile(latencies, 50);
    result.p90_ms = Percentile(latencies, 90);
    result.p99_ms = Percentile(latencies, 99);
    result.p999_ms = Percentile(latencies, 99.9);
    result.max_ms = latencies.back();
  }
  return result;
}

}  // namespace nq57::loadgen
