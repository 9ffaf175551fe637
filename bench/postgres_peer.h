// PostgresPeer: PostgreSQL 15 from Debian's package as the durable-upsert
// baseline of system_bench, the stack a province would otherwise pick.
//
// Start() creates a cluster in a directory of the benchmark's (initdb as the
// unprivileged "postgres" user, or "nobody", when the benchmark runs as
// root, since PostgreSQL refuses to run as root) and starts it on a free
// loopback port with fsync=on and synchronous_commit=on: a commit is
// acknowledged only after its WAL is flushed, the same promise nq57 makes.
// The destructor stops it (pg_ctl stop -m fast). One owner, not
// thread-safe.
//
//   ASSIGN_OR_RETURN(auto pg, PostgresPeer::Start(dir));
//   RETURN_IF_ERROR(pg->CreateAssignments(13650));
//   ASSIGN_OR_RETURN(double tps, pg->UpsertRate(16, absl::Seconds(10)));
#ifndef NQ57_BENCH_POSTGRES_PEER_H_
#define NQ57_BENCH_POSTGRES_PEER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace nq57 {

class PostgresPeer {
 public:
  // Where Debian's postgresql-15 puts its programs.
  static constexpr char kBinDir[] = "/usr/lib/postgresql/15/bin";

  static absl::StatusOr<std::unique_ptr<PostgresPeer>> Start(
      const std::string& dir);
  ~PostgresPeer();
  PostgresPeer(const PostgresPeer&) = delete;
  PostgresPeer& operator=(const PostgresPeer&) = delete;

  // A table shaped like nq57's assignments (a text key
  // "{unit}/assignments/{code}", state, completion time, evidence,
  // reporter, note, update time) holding `rows` rows.
  absl::Status CreateAssignments(int rows);

  // pgbench -M prepared with one upsert per transaction (INSERT .. ON
  // CONFLICT DO UPDATE of a random row: 60% completed with a time and an
  // evidence number, else in progress, and a note), `clients` connections
  // over loopback TCP for `duration` after `warmup`; transactions per
  // second, without connection time.
  absl::StatusOr<double> UpsertRate(int clients, absl::Duration duration,
                                    absl::Duration warmup);

  const std::string& user() const { return user_; }
  int port() const { return port_; }

 private:
  PostgresPeer(std::string dir, std::string user, int port)
      : dir_(std::move(dir)), user_(std::move(user)), port_(port) {}
  // Runs a PostgreSQL program as the cluster's owner; its output, or the
  // output with the exit code as the error.
  absl::StatusOr<std::string> RunAsOwner(const std::string& program,
                                         const std::vector<std::string>& args);
  absl::StatusOr<double> Pgbench(int clients, absl::Duration duration);

  const std::string dir_;   // the cluster is dir_/data
  const std::string user_;  // the owner ("" when not root: ourselves)
  const int port_;
  int rows_ = 0;
  bool started_ = false;
};

}  // namespace nq57

#endif  // NQ57_BENCH_POSTGRES_PEER_H_
