#include "bench/stream_clients.h"

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"

namespace nq57 {

// A read reactor that counts what it reads; `on_message` runs per message
// on a gRPC thread.
template <typename Message>
class CountingStream : public grpc::ClientReadReactor<Message> {
 public:
  void Cancel() { context_.TryCancel(); }
  void AwaitDone() { done_.WaitForNotification(); }
  bool ended_early() const {
    return done_.HasBeenNotified() && !cancelled_.load();
  }
  void MarkCancelled() { cancelled_ = true; }
  std::string error() const {
    absl::MutexLock lock(&mu_);
    return status_.error_message();
  }

 protected:
  virtual void OnMessage(const Message& m) = 0;
  void Begin() {
    this->StartRead(&message_);
    this->StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    OnMessage(message_);
    this->StartRead(&message_);
  }
  void OnDone(const grpc::Status& s) override {
    {
      absl::MutexLock lock(&mu_);
      status_ = s;
    }
    done_.Notify();
  }
  grpc::ClientContext context_;
  Message message_;
  mutable absl::Mutex mu_;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> cancelled_{false};
  absl::Notification done_;
};

// Cancels every stream and waits until each has ended.
template <typename Streams>
void CancelAll(Streams& streams) {
  for (auto& s : streams) {
    s->MarkCancelled();
    s->Cancel();
  }
  for (auto& s : streams) s->AwaitDone();
}

// Streams that ended before being cancelled.
template <typename Streams>
int EndedEarly(const Streams& streams) {
  int n = 0;
  for (const auto& s : streams) n += s->ended_early() ? 1 : 0;
  return n;
}

class FeedReplayers::Stream final
    : public CountingStream<changes::v1::ChangeBatch> {
 public:
  Stream(changes::v1::ChangeFeed::Stub* stub, std::atomic<uint64_t>* records)
      : records_(records) {
    request_.set_from_sequence(1);
    stub->async()->Subscribe(&context_, &request_, this);
    Begin();
  }

 private:
  void OnMessage(const changes::v1::ChangeBatch& batch) override {
    records_->fetch_add(batch.records_size(), std::memory_order_relaxed);
  }
  changes::v1::SubscribeRequest request_;
  std::atomic<uint64_t>* const records_;
};

FeedReplayers::FeedReplayers(const std::shared_ptr<grpc::Channel>& channel,
                             int streams)
    : stub_(changes::v1::ChangeFeed::NewStub(channel)) {
  for (int i = 0; i < streams; ++i) {
    streams_.push_back(std::make_unique<Stream>(stub_.get(), &records_));
  }
}

FeedReplayers::~FeedReplayers() { Stop(); }

void FeedReplayers::Stop() {
  if (stopped_) return;
  stopped_ = true;
  CancelAll(streams_);
}

int FeedReplayers::failed() const { return EndedEarly(streams_); }

std::string FeedReplayers::first_error() const {
  for (const auto& s : streams_) {
    if (s->ended_early()) return s->error();
  }
  return "";
}

class ReportWatchers::Stream final
    : public CountingStream<aggregator::v1::Report> {
 public:
  Stream(aggregator::v1::AggregatorService::Stub* stub,
         const std::string& province, std::atomic<uint64_t>* reports)
      : reports_(reports) {
    request_.set_province(province);
    stub->async()->WatchReports(&context_, &request_, this);
    Begin();
  }
  bool has_first() const {
    absl::MutexLock lock(&arrivals_mu_);
    return !arrivals_.empty();
  }
  absl::Time FirstSeen(uint64_t sequence) const {
    absl::MutexLock lock(&arrivals_mu_);
    for (const Arrival& a : arrivals_) {
      if (a.criteria_sequence >= sequence) return a.at;
    }
    return absl::InfiniteFuture();
  }

 private:
  void OnMessage(const aggregator::v1::Report& report) override {
    const absl::Time now = absl::Now();
    auto it = report.input_sequences().find("criteria");
    const uint64_t seq = it == report.input_sequences().end() ? 0 : it->second;
    reports_->fetch_add(1, std::memory_order_relaxed);
    absl::MutexLock lock(&arrivals_mu_);
    arrivals_.push_back({now, seq});
  }
  aggregator::v1::WatchReportsRequest request_;
  std::atomic<uint64_t>* const reports_;
  mutable absl::Mutex arrivals_mu_;
  std::vector<Arrival> arrivals_ ABSL_GUARDED_BY(arrivals_mu_);
};

ReportWatchers::ReportWatchers(const std::shared_ptr<grpc::Channel>& channel,
                               int streams, const std::string& province)
    : stub_(aggregator::v1::AggregatorService::NewStub(channel)) {
  for (int i = 0; i < streams; ++i) {
    streams_.push_back(
        std::make_unique<Stream>(stub_.get(), province, &reports_));
  }
}

ReportWatchers::~ReportWatchers() { Stop(); }

bool ReportWatchers::AwaitFirstReports(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (const auto& s : streams_) {
    while (!s->has_first()) {
      if (absl::Now() > deadline || s->ended_early()) return false;
      absl::SleepFor(absl::Milliseconds(10));
    }
  }
  return true;
}

void ReportWatchers::Stop() {
  if (stopped_) return;
  stopped_ = true;
  CancelAll(streams_);
}

std::vector<absl::Time> ReportWatchers::FirstSeen(uint64_t sequence) const {
  std::vector<absl::Time> out;
  for (const auto& s : streams_) out.push_back(s->FirstSeen(sequence));
  return out;
}

int ReportWatchers::failed() const { return EndedEarly(streams_); }

}  // namespace nq57
