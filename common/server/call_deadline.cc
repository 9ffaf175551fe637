#include "common/server/call_deadline.h"

#include <chrono>

#include "absl/time/clock.h"
#include "common/base/log.h"

namespace nq57 {

CallDeadline::CallDeadline(absl::Duration max)
    : max_(max), thread_([this] { Run(); }) {}

CallDeadline::~CallDeadline() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

bool CallDeadline::Watch(grpc::ServerContextBase* context,
                         const std::string& method) {
  const absl::Time cap = absl::Now() + max_;
  if (absl::FromChrono(context->deadline()) <= cap) return false;
  absl::MutexLock lock(&mu_);
  watched_.emplace(context, cap);
  by_time_.emplace(cap, std::make_pair(context, method));
  return true;
}

void CallDeadline::Forget(grpc::ServerContextBase* context) {
  absl::MutexLock lock(&mu_);
  auto it = watched_.find(context);
  if (it != watched_.end()) {
    auto [first, last] = by_time_.equal_range(it->second);
    for (auto e = first; e != last; ++e) {
      if (e->second.first == context) {
        by_time_.erase(e);
        break;
      }
    }
    watched_.erase(it);
  }
  // The call may end while Run cancels it; the context must outlive that.
  // (gRPC may run the call's cancellation inline in TryCancel, on Run's own
  // thread: that thread must not wait for itself.)
  if (std::this_thread::get_id() != thread_.get_id()) {
    auto done = [this, context]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return cancelling_ != context;
    };
    mu_.Await(absl::Condition(&done));
  }
}

int64_t CallDeadline::cancelled() const {
  absl::MutexLock lock(&mu_);
  return cancelled_;
}

void CallDeadline::Run() {
  absl::MutexLock lock(&mu_);
  while (!stop_) {
    const absl::Time now = absl::Now();
    while (!by_time_.empty() && by_time_.begin()->first <= now) {
      auto [context, method] = by_time_.begin()->second;
      by_time_.erase(by_time_.begin());
      watched_.erase(context);
      ++cancelled_;
      // Outside mu_: gRPC may finish the call inline, and its Forget locks.
      // Forget from any other thread waits until cancelling_ is cleared.
      cancelling_ = context;
      mu_.Unlock();
      context->TryCancel();
      LogWarning("call cancelled: it ran longer than --max_call_seconds",
                 {{"method", method},
                  {"max_call_seconds", absl::ToDoubleSeconds(max_)}});
      mu_.Lock();
      cancelling_ = nullptr;
    }
    const absl::Time next =
        by_time_.empty() ? now + absl::Seconds(1) : by_time_.begin()->first;
    mu_.AwaitWithDeadline(absl::Condition(&stop_), next);
  }
}

}  // namespace nq57
