// Makes ThreadSanitizer see absl::Mutex and absl::CondVar of Debian's
// Abseil (libabsl_synchronization.so is not built with TSan, so TSan sees
// neither its locks nor the happens-before they give, and reports every
// access to data an absl::Mutex guards as a race).
//
// `make tsan` preloads this library (LD_PRELOAD, tools/sanitize.sh) into
// every test and server process: each Mutex and CondVar entry point below
// interposes Abseil's, tells TSan what it does with the mutex annotations
// of <sanitizer/tsan_interface.h> (what Abseil itself does when it is built
// with TSan), and calls Abseil's own function (dlsym RTLD_NEXT). The TSan
// entry points are weak: a process without the TSan runtime is unaffected.
// Nothing of ours is suppressed by this; it only restores what an
// instrumented Abseil would have said.
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

extern "C" {
void __tsan_acquire(void* addr) __attribute__((weak));
void __tsan_release(void* addr) __attribute__((weak));
void __tsan_mutex_pre_lock(void* addr, unsigned flags) __attribute__((weak));
void __tsan_mutex_post_lock(void* addr, unsigned flags, int recursion)
    __attribute__((weak));
int __tsan_mutex_pre_unlock(void* addr, unsigned flags) __attribute__((weak));
void __tsan_mutex_post_unlock(void* addr, unsigned flags) __attribute__((weak));
}

namespace {

// <sanitizer/tsan_interface.h>'s flags.
constexpr unsigned kReadLock = 1 << 3;
constexpr unsigned kTryLock = 1 << 4;
constexpr unsigned kTryLockFailed = 1 << 5;

template <typename Fn>
Fn Real(const char* symbol) {
  void* fn = dlsym(RTLD_NEXT, symbol);
  if (fn == nullptr) {
    std::fprintf(stderr, "tsan_absl_sync: no %s in Abseil\n", symbol);
    std::abort();
  }
  return reinterpret_cast<Fn>(fn);
}

bool Tsan() { return __tsan_mutex_pre_lock != nullptr; }

void PreLock(void* mu, unsigned flags) {
  if (Tsan()) __tsan_mutex_pre_lock(mu, flags);
}
void PostLock(void* mu, unsigned flags) {
  if (Tsan()) __tsan_mutex_post_lock(mu, flags, 0);
}
void PreUnlock(void* mu, unsigned flags) {
  if (Tsan()) __tsan_mutex_pre_unlock(mu, flags);
}
void PostUnlock(void* mu, unsigned flags) {
  if (Tsan()) __tsan_mutex_post_unlock(mu, flags);
}

// A lock taken by `lock` (returning whether it was taken when `try_lock`).
template <typename Lock>
bool Locked(void* mu, unsigned flags, bool try_lock, Lock lock) {
  PreLock(mu, flags | (try_lock ? kTryLock : 0));
  const bool taken = lock();
  PostLock(mu,
           flags | (try_lock ? kTryLock : 0) | (taken ? 0 : kTryLockFailed));
  return taken;
}

using absl::Condition;
using absl::Duration;
using absl::Mutex;
using absl::Time;

// How deep this thread is in the entry points below. Abseil's own entry
// points call one another (AwaitWithTimeout -> AwaitWithDeadline, ...);
// only the outermost call annotates.
thread_local int t_depth = 0;

struct Outermost {
  Outermost() : outermost(t_depth++ == 0) {}
  ~Outermost() { --t_depth; }
  const bool outermost;
};

// The mutex this thread waits on in Await, if any.
thread_local void* t_awaiting = nullptr;

// A wait that releases the mutex and holds it again when it returns.
template <typename Wait>
auto Released(void* mu, Wait wait) {
  PreUnlock(mu, 0);
  PostUnlock(mu, 0);
  void* const outer = t_awaiting;
  t_awaiting = mu;
  auto result = wait();
  t_awaiting = outer;
  PreLock(mu, 0);
  PostLock(mu, 0);
  return result;
}

// An Await condition as Abseil evaluates it. Abseil evaluates it with the
// mutex held: by the waiting thread inside Await (which TSan, told the
// mutex is released for the wait, must be told is held again around the
// evaluation), or by another thread inside its Unlock (where TSan ignores
// accesses already).
struct AwaitCondition {
  const Condition* condition;
  Mutex* mu;
};

bool EvalAwaitCondition(AwaitCondition* c) {
  if (t_awaiting != c->mu) return c->condition->Eval();
  PreLock(c->mu, 0);
  PostLock(c->mu, 0);
  const bool met = c->condition->Eval();
  PreUnlock(c->mu, 0);
  PostUnlock(c->mu, 0);
  return met;
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  static auto real = Real<void (*)(Mutex*)>("_ZN4absl7debian35Mutex4LockEv");
  const Outermost depth;
  if (!depth.outermost) return real(this);
  Locked(this, 0, false, [&] { return real(this), true; });
}

void Mutex::ReaderLock() {
  static auto real =
      Real<void (*)(Mutex*)>("_ZN4absl7debian35Mutex10ReaderLockEv");
  const Outermost depth;
  if (!depth.outermost) return real(this);
  Locked(this, kReadLock, false, [&] { return real(this), true; });
}

bool Mutex::TryLock() {
  static auto real = Real<bool (*)(Mutex*)>("_ZN4absl7debian35Mutex7TryLockEv");
  const Outermost depth;
  if (!depth.outermost) return real(this);
  return Locked(this, 0, true, [&] { return real(this); });
}

bool Mutex::ReaderTryLock() {
  static auto real =
      Real<bool (*)(Mutex*)>("_ZN4absl7debian35Mutex13ReaderTryLockEv");
  const Outermost depth;
  if (!depth.outermost) return real(this);
  return Locked(this, kReadLock, true, [&] { return real(this); });
}

void Mutex::Unlock() {
  static auto real = Real<void (*)(Mutex*)>("_ZN4absl7debian35Mutex6UnlockEv");
  const Outermost depth;
  if (!depth.outermost) return real(this);
  PreUnlock(this, 0);
  real(this);
  PostUnlock(this, 0);
}

void Mutex::ReaderUnlock() {
  static auto real =
      Real<void (*)(Mutex*)>("_ZN4absl7debian35Mutex12ReaderUnlockEv");
  const Outermost depth;
  if (!depth.outermost) return real(this);
  PreUnlock(this, kReadLock);
  real(this);
  PostUnlock(this, kReadLock);
}

void Mutex::LockWhen(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(
      "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  const Outermost depth;
  if (!depth.outermost) return real(this, cond);
  Locked(this, 0, false, [&] { return real(this, cond), true; });
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(
      "_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE");
  const Outermost depth;
  if (!depth.outermost) return real(this, cond);
  Locked(this, kReadLock, false, [&] { return real(this, cond), true; });
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, Duration timeout) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, Duration)>(
      "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_"
      "8DurationE");
  const Outermost depth;
  if (!depth.outermost) return real(this, cond, timeout);
  bool met = false;
  Locked(this, 0, false, [&] { return met = real(this, cond, timeout), true; });
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, Time deadline) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, Time)>(
      "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_"
      "4TimeE");
  const Outermost depth;
  if (!depth.outermost) return real(this, cond, deadline);
  bool met = false;
  Locked(this, 0, false,
         [&] { return met = real(this, cond, deadline), true; });
  return met;
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, Duration timeout) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, Duration)>(
      "_ZN4absl7debian35Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_"
      "8DurationE");
  const Outermost depth;
  if (!depth.outermost) return real(this, cond, timeout);
  bool met = false;
  Locked(this, kReadLock, false,
         [&] { return met = real(this, cond, timeout), true; });
  return met;
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, Time deadline) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, Time)>(
      "_ZN4absl7debian35Mutex26ReaderLockWhenWithDeadlineERKNS0_"
      "9ConditionENS0_4TimeE");
  const Outermost depth;
  if (!depth.outermost) return real(this, cond, deadline);
  bool met = false;
  Locked(this, kReadLock, false,
         [&] { return met = real(this, cond, deadline), true; });
  return met;
}

void Mutex::Await(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(
      "_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE");
  const Outermost depth;
  if (!depth.outermost) return real(this, cond);
  AwaitCondition annotated{&cond, this};
  const Condition wrapped(&EvalAwaitCondition, &annotated);
  Released(this, [&] { return real(this, wrapped), true; });
}

bool Mutex::AwaitWithTimeout(const Condition& cond, Duration timeout) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, Duration)>(
      "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_"
      "8DurationE");
  const Outermost depth;
  if (!depth.outermost) return real(this, cond, timeout);
  AwaitCondition annotated{&cond, this};
  const Condition wrapped(&EvalAwaitCondition, &annotated);
  return Released(this, [&] { return real(this, wrapped, timeout); });
}

bool Mutex::AwaitWithDeadline(const Condition& cond, Time deadline) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, Time)>(
      "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  const Outermost depth;
  if (!depth.outermost) return real(this, cond, deadline);
  AwaitCondition annotated{&cond, this};
  const Condition wrapped(&EvalAwaitCondition, &annotated);
  return Released(this, [&] { return real(this, wrapped, deadline); });
}

void CondVar::Wait(Mutex* mu) {
  static auto real = Real<void (*)(CondVar*, Mutex*)>(
      "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  const Outermost depth;
  if (!depth.outermost) return real(this, mu);
  Released(mu, [&] { return real(this, mu), true; });
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  static auto real = Real<bool (*)(CondVar*, Mutex*, Duration)>(
      "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  const Outermost depth;
  if (!depth.outermost) return real(this, mu, timeout);
  return Released(mu, [&] { return real(this, mu, timeout); });
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  static auto real = Real<bool (*)(CondVar*, Mutex*, Time)>(
      "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  const Outermost depth;
  if (!depth.outermost) return real(this, mu, deadline);
  return Released(mu, [&] { return real(this, mu, deadline); });
}

// Notification: Notify publishes with an (uninstrumented) atomic store that
// HasBeenNotified (inline, so instrumented: an acquire load of that atomic)
// and the waits read; the sync address is that atomic, which follows the
// Notification's Mutex.
static_assert(sizeof(Notification) == sizeof(Mutex) + 8,
              "absl::Notification is a Mutex and then its atomic flag");

namespace {
void* NotifiedFlag(const Notification* n) {
  return const_cast<char*>(reinterpret_cast<const char*>(n) + sizeof(Mutex));
}
void Acquire(void* addr) {
  if (__tsan_acquire != nullptr) __tsan_acquire(addr);
}
void Release(void* addr) {
  if (__tsan_release != nullptr) __tsan_release(addr);
}
}  // namespace

void Notification::Notify() {
  static auto real =
      Real<void (*)(Notification*)>("_ZN4absl7debian312Notification6NotifyEv");
  Release(NotifiedFlag(this));
  real(this);
}

void Notification::WaitForNotification() const {
  static auto real = Real<void (*)(const Notification*)>(
      "_ZNK4absl7debian312Notification19WaitForNotificationEv");
  real(this);
  Acquire(NotifiedFlag(this));
}

bool Notification::WaitForNotificationWithTimeout(Duration timeout) const {
  static auto real = Real<bool (*)(const Notification*, Duration)>(
      "_ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_"
      "8DurationE");
  const bool notified = real(this, timeout);
  if (notified) Acquire(NotifiedFlag(this));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(Time deadline) const {
  static auto real = Real<bool (*)(const Notification*, Time)>(
      "_ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_"
      "4TimeE");
  const bool notified = real(this, deadline);
  if (notified) Acquire(NotifiedFlag(this));
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
