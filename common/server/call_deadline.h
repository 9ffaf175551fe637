// CallDeadline: the server's cap on how long one unary call may run
// (--max_call_seconds). A gRPC client may send no deadline at all, or one
// days away; a unary call still running when the cap passes is cancelled by
// the server (the client sees CANCELLED), logged at WARN and counted
// (nq57_rpc_cancelled_total), so no call holds a handler, a queued commit's
// waiter or a read snapshot for ever. Streams (Subscribe, WatchReports) are
// not capped: they are meant to stay open, and are bounded by
// StreamLimits instead.
//
// ServerHost's interceptor calls Watch when a unary call starts and Forget
// when it sends its status. One thread sleeps until the earliest cap (and
// wakes at least once a second), so a call ends within a second of it.
// Thread-safe; the watched contexts are not owned and must be forgotten
// before they are destroyed (a call sends its status before it ends).
//
//   CallDeadline deadlines(absl::Seconds(60));
//   const bool watched = deadlines.Watch(
//       context, "/nq57.criteria.v1.CriteriaService/GetSummary");
//   ...
//   if (watched) deadlines.Forget(context);
#ifndef NQ57_COMMON_SERVER_CALL_DEADLINE_H_
#define NQ57_COMMON_SERVER_CALL_DEADLINE_H_

#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"

namespace nq57 {

class CallDeadline {
 public:
  explicit CallDeadline(absl::Duration max);
  ~CallDeadline();
  CallDeadline(const CallDeadline&) = delete;
  CallDeadline& operator=(const CallDeadline&) = delete;

  // Cancels `context` at now + the cap unless it is forgotten first, and
  // returns true; a call whose own deadline comes sooner is left to gRPC
  // (false: nothing to forget). Forget exactly the calls watched, once.
  bool Watch(grpc::ServerContextBase* context, const std::string& method);
  void Forget(grpc::ServerContextBase* context);

  // Calls cancelled so far.
  int64_t cancelled() const;

 private:
  void Run();

  const absl::Duration max_;
  mutable absl::Mutex mu_;
  // By when each watched call must end, earliest first.
  std::multimap<absl::Time, std::pair<grpc::ServerContextBase*, std::string>>
      by_time_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<grpc::ServerContextBase*, absl::Time> watched_
      ABSL_GUARDED_BY(mu_);
  int64_t cancelled_ ABSL_GUARDED_BY(mu_) = 0;
  // The call Run is cancelling outside mu_, or null.
  grpc::ServerContextBase* cancelling_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace nq57

#endif  // NQ57_COMMON_SERVER_CALL_DEADLINE_H_
