// Clock: where every core reads "now".
//
// A report's figures depend on time (deadlines at an as-of instant, the
// current month, "in the future" checks), so the cores never call
// absl::Now() themselves: they are handed a Clock, the real one in servers
// and a ManualClock in tests that need a fixed or moving instant.
//
// Thread-safety: Now() may be called concurrently on every Clock here.
// RealClock() is a process-wide singleton that is never destroyed.
//
//   const nq57::Clock& clock = nq57::RealClock();
//   absl::CivilDay today = absl::ToCivilDay(clock.Now(), nq57::VietnamTime());
//
//   nq57::ManualClock fixed(absl::FromUnixSeconds(1761152400));
//   fixed.Advance(absl::Hours(24));
#ifndef NQ57_COMMON_TIME_CLOCK_H_
#define NQ57_COMMON_TIME_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace nq57 {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system clock.
const Clock& RealClock();

// A clock that moves only when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time now) {
    absl::MutexLock lock(&mu_);
    now_ = now;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nq57

#endif  // NQ57_COMMON_TIME_CLOCK_H_
