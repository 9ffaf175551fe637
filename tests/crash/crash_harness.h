// CrashHarness: kill -9 a real server process at random points, over and
// over, while concurrent writers send it durable writes, and then prove
// that every acknowledged write is present exactly once and that retries of
// acknowledged request ids replay.
//
// One cycle: (sometimes) start the server and SIGKILL it at a random point
// of its start-up (store open, WAL replay, listening); start it again and
// wait for it; retry the writes that failed in the last cycle (a client
// that got no answer retries) and replay a sample of acknowledged ones
// (same request id, same bytes: the response must be byte-identical); run
// `writers` writer threads for a random time; SIGKILL mid-write. After the
// last cycle the server is started once more, every write that never got an
// answer is retried until it does, and its change feed is read from
// sequence 1: each acknowledged request id must occur in exactly one change
// record, and no record may carry an id nobody sent. The workload then
// verifies what the server derives (CrashWorkload::Verify).
//
// A server that fails to start after a kill -9 (for example exit 3, "store
// damaged") ends the run with an error: after kill -9 alone, with fsync
// before every ack, nothing may be damaged.
//
// Not thread-safe; one run at a time per directory.
//
//   CrashOptions options{.cycles = 10};
//   absl::StatusOr<CrashFigures> figures =
//       RunCrashCycles(*CriteriaWorkload(), options, "/tmp/crash");
//   EXPECT_TRUE(figures.ok() && figures->lost == 0 && figures->duplicated ==
//   0);
#ifndef NQ57_TESTS_CRASH_CRASH_HARNESS_H_
#define NQ57_TESTS_CRASH_CRASH_HARNESS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/crash/crash_workload.h"

namespace nq57::crash {

struct CrashOptions {
  int cycles = 10;
  int writers = 4;
  uint64_t seed = 57;
  // Writers run for a uniformly random time in [min_run, max_run] before
  // the kill.
  absl::Duration min_run = absl::Milliseconds(20);
  absl::Duration max_run = absl::Milliseconds(400);
  // Share of cycles that also kill the server during its start-up.
  double start_kill_share = 0.3;
  // Distinct acknowledged writes replayed after each restart (200 after
  // the last).
  int replays_per_cycle = 20;
};

struct CrashFigures {
  // The cycles run, and the kills: with writers running, during start-up.
  int cycles = 0, kills_while_writing = 0, kills_during_start = 0;
  // Writes: distinct ones answered OK; ones that got no answer and were
  // retried; acknowledged ones sent again, and those of them whose
  // response differed from the first.
  int64_t acknowledged = 0, retried = 0, replays = 0, replay_mismatches = 0;
  // In the change feed at the end: acknowledged writes in no commit, in
  // more than one, and commits with a crash request id nobody sent.
  int64_t lost = 0, duplicated = 0, unexpected = 0;
  absl::Duration elapsed;

  // One line: "cycles=… acknowledged=… lost=0 duplicated=0 …".
  std::string ToString() const;
};

// Runs `options.cycles` cycles of `workload`'s server with its data, logs
// and any helper processes under `dir`. An error means the harness could
// not run (a server that would not start, a feed that could not be read);
// lost or duplicated writes are figures, for the caller to judge.
absl::StatusOr<CrashFigures> RunCrashCycles(CrashWorkload& workload,
                                            const CrashOptions& options,
                                            const std::string& dir);

}  // namespace nq57::crash

#endif  // NQ57_TESTS_CRASH_CRASH_HARNESS_H_
