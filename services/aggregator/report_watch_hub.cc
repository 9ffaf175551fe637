#include "services/aggregator/report_watch_hub.h"

#include <algorithm>

#include "common/server/grpc_status.h"

namespace nq57::aggregator {

ReportWatchHub::ReportWatchHub(ChangeLog* log, const AggregatorCore* core)
    : log_(log), core_(core) {
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->seen = log_->head();
  }
  Arm(shared_, log_);
  builder_ = std::thread([this] { BuildLoop(); });
}

ReportWatchHub::~ReportWatchHub() {
  ChangeLog::WaitId id;
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->stopping = true;
    id = shared_->wait_id;
    shared_->wait_id = 0;
  }
  // A waiter running now sees `stopping` and does not register again.
  if (id != 0) log_->CancelWait(id);
  builder_.join();
}

void ReportWatchHub::Arm(const std::shared_ptr<Shared>& shared,
                         ChangeLog* log) {
  while (true) {
    uint64_t next;
    {
      absl::MutexLock lock(&shared->mu);
      if (shared->stopping || shared->log_closed) return;
      next = shared->seen + 1;
    }
    const ChangeLog::WaitId id =
        log->WaitFor(next, [shared, log] { OnLogAdvanced(shared, log); });
    absl::MutexLock lock(&shared->mu);
    if (id != 0) {
      shared->wait_id = id;
      return;
    }
    // Already there (or closed): mark, and wait for what comes after.
    shared->seen = std::max(shared->seen, log->head());
    shared->stale = true;
    if (log->closed()) shared->log_closed = true;
  }
}

void ReportWatchHub::OnLogAdvanced(const std::shared_ptr<Shared>& shared,
                                   ChangeLog* log) {
  {
    absl::MutexLock lock(&shared->mu);
    shared->wait_id = 0;
    shared->seen = std::max(shared->seen, log->head());
    shared->stale = true;
    if (log->closed()) shared->log_closed = true;
  }
  Arm(shared, log);
}

void ReportWatchHub::Subscribe(const std::string& province,
                               const std::string& period, Watcher* watcher) {
  absl::MutexLock lock(&shared_->mu);
  std::shared_ptr<Topic>& topic = topics_[{province, period}];
  if (topic == nullptr) {
    topic = std::shared_ptr<Topic>(new Topic(province, period));
  }
  watcher->OnSubscribed(topic);
  if (topics_closed_) {
    watcher->OnClosed(absl::UnavailableError("server is shutting down"));
    return;
  }
  topic->watchers_.push_back(watcher);
  // Built again so the newcomer's next report is as of its subscription.
  shared_->stale = true;
}

void ReportWatchHub::Unsubscribe(const std::shared_ptr<Topic>& topic,
                                 Watcher* watcher) {
  absl::MutexLock lock(&shared_->mu);
  auto& w = topic->watchers_;
  w.erase(std::remove(w.begin(), w.end(), watcher), w.end());
  auto it = topics_.find({topic->province_, topic->period_});
  if (w.empty() && it != topics_.end() && it->second == topic) {
    topics_.erase(it);  // nobody watches: no more builds for it
  }
}

uint64_t ReportWatchHub::builds() const {
  absl::MutexLock lock(&shared_->mu);
  return builds_;
}

void ReportWatchHub::CloseTopics(const absl::Status& why) {
  topics_closed_ = true;
  for (auto& [key, topic] : topics_) {
    for (Watcher* w : topic->watchers_) w->OnClosed(why);
  }
}

void ReportWatchHub::BuildLoop() {
  while (true) {
    std::vector<std::shared_ptr<Topic>> stale;
    {
      absl::MutexLock lock(&shared_->mu);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared_->mu) {
        return shared_->stopping || shared_->log_closed ||
               (shared_->stale && !topics_.empty());
      };
      shared_->mu.Await(absl::Condition(&ready));
      if (shared_->log_closed && !topics_closed_) {
        CloseTopics(absl::UnavailableError("server is shutting down"));
      }
      if (shared_->stopping || shared_->log_closed) return;
      // Everything watched may have moved: one build per topic, however
      // many commits marked it.
      shared_->stale = false;
      for (auto& [key, topic] : topics_) stale.push_back(topic);
    }
    for (const std::shared_ptr<Topic>& topic : stale) {
      v1::GetReportRequest get;
      get.set_province(topic->province_);
      get.set_period(topic->period_);
      absl::StatusOr<v1::Report> report = core_->GetReport(get);
      // Serialized here, once, not by each stream (nor under the lock).
      grpc::ByteBuffer bytes;
      std::string fingerprint;
      if (report.ok()) {
        fingerprint = AggregatorCore::ContentFingerprint(*report);
        grpc::Slice slice(report->SerializeAsString());
        bytes = grpc::ByteBuffer(&slice, 1);
      }
      absl::MutexLock lock(&shared_->mu);
      ++builds_;
      if (!report.ok()) {
        for (Watcher* w : topic->watchers_) w->OnClosed(report.status());
        auto it = topics_.find({topic->province_, topic->period_});
        if (it != topics_.end() && it->second == topic) topics_.erase(it);
        continue;
      }
      if (topic->Latest().second > 0 && fingerprint == topic->fingerprint_) {
        continue;  // nothing a watcher would see changed
      }
      topic->fingerprint_ = std::move(fingerprint);
      {
        absl::MutexLock latest(&topic->mu_);
        topic->latest_ = std::make_shared<const v1::Report>(*std::move(report));
        topic->latest_bytes_ = bytes;
        ++topic->version_;
      }
      for (Watcher* w : topic->watchers_) w->OnReport();
    }
  }
}

}  // namespace nq57::aggregator
