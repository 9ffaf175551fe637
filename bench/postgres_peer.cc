#include "bench/postgres_peer.h"

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/base/status_macros.h"
#include "tests/support/server_process.h"

namespace nq57 {
namespace {

// A loopback port nobody listens on now.
absl::StatusOr<int> FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  if (port < 0) return absl::InternalError("no free loopback port");
  return port;
}

// One statement per transaction, the row picked at random; the same mix of
// states as nq57-loadgen's ReportProgress calls (progress_workload.h).
constexpr char kUpsertScript[] =
    "\\set i random(0, ROWS - 1)\n"
    "\\set done random(0, 9)\n"
    "\\set days random(0, 300)\n"
    "INSERT INTO assignments (name, state, complete_time, evidence, reporter, "
    "note, update_time) VALUES ('provinces/25/communes/' || lpad((:i % "
    "148)::text, 5, '0') || '/assignments/C-' || (:i / 148), CASE WHEN :done "
    "< 6 THEN 3 ELSE 2 END, CASE WHEN :done < 6 THEN now() - "
    "make_interval(days => :days) END, CASE WHEN :done < 6 THEN (100 + :i % "
    "900) || '/QĐ-UBND' END, 'pgbench', 'load test call ' || :i, now()) ON "
    "CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, complete_time = "
    "EXCLUDED.complete_time, evidence = EXCLUDED.evidence, reporter = "
    "EXCLUDED.reporter, note = EXCLUDED.note, update_time = "
    "EXCLUDED.update_time;\n";

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresPeer>> PostgresPeer::Start(
    const std::string& dir) {
  if (!std::filesystem::exists(absl::StrCat(kBinDir, "/initdb"))) {
    return absl::FailedPreconditionError(
        absl::StrCat(kBinDir,
                     "/initdb is missing: install Debian's "
                     "postgresql-15 (make deps-bench)"));
  }
  std::string user;
  if (geteuid() == 0) {
    user = getpwnam("postgres") != nullptr ? "postgres" : "nobody";
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat(dir, ": ", ec.message()));
  if (!user.empty()) {
    const passwd* pw = getpwnam(user.c_str());
    if (pw == nullptr || chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return absl::InternalError(
          absl::StrCat("cannot give ", dir, " to ", user));
    }
  }
  ASSIGN_OR_RETURN(int port, FreePort());
  auto peer = std::unique_ptr<PostgresPeer>(new PostgresPeer(dir, user, port));
  ASSIGN_OR_RETURN(
      std::string initdb,
      peer->RunAsOwner("initdb", {"-D", dir + "/data", "-U", "bench", "-A",
                                  "trust", "-E", "UTF8", "--locale=C"}));
  (void)initdb;
  const std::string server_options = absl::StrCat(
      "-c listen_addresses=127.0.0.1 -p ", port,
      " -c unix_socket_directories=", dir,
      " -c fsync=on -c synchronous_commit=on -c max_connections=200");
  ASSIGN_OR_RETURN(
      std::string started,
      peer->RunAsOwner("pg_ctl",
                       {"-D", dir + "/data", "-l", dir + "/postgres.log", "-w",
                        "-t", "60", "-o", server_options, "start"}));
  (void)started;
  peer->started_ = true;
  return peer;
}

PostgresPeer::~PostgresPeer() {
  if (started_) {
    (void)RunAsOwner("pg_ctl",
                     {"-D", dir_ + "/data", "-m", "fast", "-w", "stop"});
  }
}

absl::StatusOr<std::string> PostgresPeer::RunAsOwner(
    const std::string& program, const std::vector<std::string>& args) {
  const std::string path = absl::StrCat(kBinDir, "/", program);
  RunResult result;
  if (user_.empty()) {
    result = RunToCompletion(path, args);
  } else {
    std::vector<std::string> wrapped = {"-u", user_, "--", path};
    wrapped.insert(wrapped.end(), args.begin(), args.end());
    result = RunToCompletion("/usr/sbin/runuser", wrapped);
  }
  if (result.exit_code != 0) {
    return absl::InternalError(absl::StrCat(
        program, " exited with ", result.exit_code, ": ", result.output));
  }
  return result.output;
}

absl::Status PostgresPeer::CreateAssignments(int rows) {
  rows_ = rows;
  const std::string sql = absl::StrCat(
      "CREATE TABLE assignments (name text PRIMARY KEY, state int NOT NULL, "
      "complete_time timestamptz, evidence text, reporter text, note text, "
      "update_time timestamptz NOT NULL);"
      "INSERT INTO assignments SELECT 'provinces/25/communes/' || "
      "lpad((i % 148)::text, 5, '0') || '/assignments/C-' || (i / 148), 2, "
      "NULL, NULL, 'seed', '', now() FROM generate_series(0, ",
      rows - 1, ") i;");
  ASSIGN_OR_RETURN(
      std::string out,
      RunAsOwner("psql",
                 {"-h", "127.0.0.1", "-p", absl::StrCat(port_), "-U", "bench",
                  "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql,
                  "-c", "VACUUM ANALYZE assignments"}));
  (void)out;
  std::ofstream(dir_ + "/upsert.sql")
      << absl::StrReplaceAll(kUpsertScript, {{"ROWS", absl::StrCat(rows)}});
  return absl::OkStatus();
}

absl::StatusOr<double> PostgresPeer::Pgbench(int clients,
                                             absl::Duration duration) {
  const int seconds = std::max(
      1, static_cast<int>(std::lround(absl::ToDoubleSeconds(duration))));
  ASSIGN_OR_RETURN(
      std::string out,
      RunAsOwner(
          "pgbench",
          {"-n", "-M", "prepared", "-c", absl::StrCat(clients), "-j",
           absl::StrCat(std::min(clients, 2)), "-T", absl::StrCat(seconds),
           "-f", dir_ + "/upsert.sql", "-h", "127.0.0.1", "-p",
           absl::StrCat(port_), "-U", "bench", "postgres"}));
  // "tps = 4938.123456 (without initial connection time)"
  const size_t at = out.find("tps = ");
  double tps = 0;
  if (at == std::string::npos ||
      !absl::SimpleAtod(out.substr(at + 6, out.find(' ', at + 6) - at - 6),
                        &tps)) {
    return absl::InternalError(absl::StrCat("pgbench printed no tps: ", out));
  }
  return tps;
}

absl::StatusOr<double> PostgresPeer::UpsertRate(int clients,
                                                absl::Duration duration,
                                                absl::Duration warmup) {
  if (rows_ == 0) return absl::FailedPreconditionError("no table yet");
  if (warmup > absl::ZeroDuration()) {
    RETURN_IF_ERROR(Pgbench(clients, warmup).status());
  }
  return Pgbench(clients, duration);
}

}  // namespace nq57
