#include "services/aggregator/rebuilder.h"

#include <utility>

namespace nq57::aggregator {

Rebuilder::Rebuilder(RollupEngine* engine, ReaderFactory readers,
                     const Clock* clock)
    : engine_(engine), readers_(std::move(readers)), clock_(clock) {
  worker_ = std::thread([this] { Work(); });
}

Rebuilder::~Rebuilder() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  worker_.join();
}

absl::Status Rebuilder::Start(Done done, bool replace, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  if (busy_) return absl::AbortedError(kRebuildRunning);
  if (stopping_) return absl::UnavailableError("server is shutting down");
  busy_ = true;
  pending_ = std::move(done);
  pending_replace_ = replace;
  pending_deadline_ = deadline;
  return absl::OkStatus();
}

bool Rebuilder::running() const {
  absl::MutexLock lock(&mu_);
  return busy_;
}

bool Rebuilder::HasWorkOrStopping() const {
  return pending_ != nullptr || stopping_;
}

void Rebuilder::Work() {
  while (true) {
    Done done;
    bool replace = false;
    absl::Time deadline;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &Rebuilder::HasWorkOrStopping));
      // A queued rebuild still runs when stopping begins: its caller waits.
      if (pending_ == nullptr) return;
      done = std::move(pending_);
      pending_ = nullptr;
      replace = pending_replace_;
      deadline = pending_deadline_;
    }
    const absl::Time start = clock_->Now();
    FeedReader reader = readers_(deadline);
    absl::StatusOr<v1::RebuildResponse> result = engine_->Rebuild(
        reader, {.replace = replace, .expired = [this, deadline] {
                   return clock_->Now() >= deadline;
                 }});
    if (result.ok()) {
      result->set_seconds(absl::ToDoubleSeconds(clock_->Now() - start));
    }
    {
      absl::MutexLock lock(&mu_);
      busy_ = false;
    }
    done(std::move(result));
  }
}

}  // namespace nq57::aggregator
