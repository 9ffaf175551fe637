// End to end: the four real server processes on free ports, the reference
// dataset loaded with the real `nq57ctl load`, and the report printed by
// `nq57ctl report` checked against the seed report's figures (DESIGN
// section 7). Then a data service is killed with SIGKILL and restarted on
// the same port and data directory, and the report must not change; then
// every process gets SIGTERM and must exit 0. A second test loads a dataset
// with bad rows: each error names file:line and the column, and loading
// again after the fix writes only what was rejected.
// Links no server code: only clients and process control.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "nq57/aggregator/v1/aggregator.pb.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace nq57 {
namespace {

const std::string kBin = NQ57_BIN_DIR;
const std::string kSource = NQ57_SOURCE_DIR;
const std::string kConfig = kSource + "/deploy/config";
const std::string kPhuTho = kSource + "/deploy/datasets/phu-tho-2025-10";
const std::string kLaiChau =
    kSource + "/deploy/datasets/synthetic-lai-chau-2025-10";
constexpr char kPeriod[] = "--period=2025-10";
constexpr char kAsOf[] = "--as_of=2025-10-23T00:00:00+07:00";

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The first line of `text` containing `needle` ("" if none); for a label
// on a line of its own, with the line of values that follows it.
std::string LineWith(const std::string& text, const std::string& needle) {
  const std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find(needle) == std::string::npos) continue;
    if (i + 1 < lines.size() && lines[i + 1].rfind("            ", 0) == 0) {
      return absl::StrCat(lines[i], "\n", lines[i + 1]);
    }
    return lines[i];
  }
  return "";
}

class EndToEndTest : public nq57::testing::TempDirTest {
 protected:
  static constexpr const char* kServices[] = {"criteria", "publicservice",
                                              "eidentity", "aggregator"};

  // Starts `name`-server with its data under dir()/name; `listen` defaults
  // to a free port.
  void Start(const std::string& name,
             const std::string& listen = "127.0.0.1:0") {
    std::vector<std::string> args = {absl::StrCat("--listen=", listen),
                                     absl::StrCat("--data_dir=", Path(name)),
                                     absl::StrCat("--config_dir=", kConfig),
                                     "--drain_seconds=5"};
    if (name == "aggregator") {
      args.push_back(absl::StrCat(
          "--source=criteria=criteria@", servers_["criteria"]->address(),
          ",publicservice=publicservice@", servers_["publicservice"]->address(),
          ",eidentity=eidentity@", servers_["eidentity"]->address()));
    }
    auto p = ServerProcess::Start(kBin + "/" + name + "-server", args,
                                  Path(name + ".log"));
    ASSERT_TRUE(p.ok()) << p.status();
    servers_[name] = std::move(*p);
  }

  // Runs nq57ctl against the servers started so far.
  RunResult Ctl(std::vector<std::string> args) {
    std::vector<std::string> all;
    for (const auto& [name, server] : servers_) {
      all.push_back(absl::StrCat("--", name, "=", server->address()));
    }
    all.insert(all.end(), args.begin(), args.end());
    return RunToCompletion(kBin + "/nq57ctl", all);
  }

  // SIGTERM to every server at once: each drains and exits 0.
  void TerminateAll() {
    for (auto& [name, server] : servers_) server->Signal(SIGTERM);
    for (auto& [name, server] : servers_) {
      absl::StatusOr<int> code = server->Wait();
      ASSERT_TRUE(code.ok()) << name << ": " << code.status();
      EXPECT_EQ(*code, 0) << name;
    }
  }

  std::map<std::string, std::unique_ptr<ServerProcess>> servers_;
};

TEST_F(EndToEndTest, ReferenceDatasetGivesTheSeedFigures) {
  for (const char* name : kServices) Start(name);
  ASSERT_EQ(servers_.size(), 4u);
  RunResult health = Ctl({"health", "--wait=30"});
  ASSERT_EQ(health.exit_code, 0) << health.output;

  RunResult load = Ctl({"load", kPhuTho});
  ASSERT_EQ(load.exit_code, 0) << load.output;
  EXPECT_NE(load.output.find("progress.csv"), std::string::npos);

  RunResult table =
      Ctl({"report", "--format=table", kPeriod, kAsOf, "--wait=30"});
  ASSERT_EQ(table.exit_code, 0) << table.output;
  const std::string& t = table.output;
  SCOPED_TRACE(t);
  // The blocks, each with the published text and the rounding modes that
  // reproduce it.
  EXPECT_NE(LineWith(t, "Party block").find("2,663/2,696"), std::string::npos);
  EXPECT_NE(LineWith(t, "Party block").find("published 98,7 = truncate"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "People's Council block").find("2,525/2,538"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "People's Council block")
                .find("published 99,5 = half-up, half-even"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "People's Committee block ").find("4,972/5,064"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "People's Committee block ")
                .find("published 98,2 = half-up, half-even"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "Fatherland Front block").find("3,377/3,435"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "Fatherland Front block")
                .find("published 98,3 = half-up, half-even, truncate"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "All four blocks")
                .find("published 97,9 FLAG: no declared rounding"),
            std::string::npos);
  // People's Committee groups.
  for (const auto& [group, text] :
       std::vector<std::pair<std::string, std::string>>{
           {"Institutions", "97.7%"},
           {"· Data", "98.9%"},
           {"Platforms", "99.4%"},
           {"Training", "99.5%"},
           {"Implementation", "98.8%"},
           {"Direction", "96.4%"}}) {
    EXPECT_NE(LineWith(t, group).find(text), std::string::npos) << group;
  }
  EXPECT_NE(LineWith(t, "tasks with a deadline").find("overdue 0, pending 0"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "tasks with a deadline").find("completed 100.0%"),
            std::string::npos);
  // Public services.
  EXPECT_NE(LineWith(t, "Procedures online, full").find("885"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "Procedures online, partial").find("1,183"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "Administrative procedures").find("2,132"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "Digitisation of dossiers").find("83.20%"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "Reuse of digitised").find("80.47%"),
            std::string::npos);
  // Project 06.
  EXPECT_NE(LineWith(t, "e-ID accounts issued").find("2,565,124"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "e-ID accounts activated").find("2,438,487"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "land parcels").find("781,339"), std::string::npos);
  EXPECT_NE(LineWith(t, "land parcels").find("148/148"), std::string::npos);
  EXPECT_NE(LineWith(t, "communes connected").find("148"), std::string::npos);
  EXPECT_NE(LineWith(t, "2,671/4,070").find("65.62%  truncate"),
            std::string::npos);
  EXPECT_NE(LineWith(t, "pensions").find("66.29%"), std::string::npos);
  EXPECT_NE(LineWith(t, "one-time social").find("99.54%"), std::string::npos);
  EXPECT_NE(LineWith(t, "electricity").find("99.82%"), std::string::npos);

  // The same report as canonical JSON through Export.
  RunResult json = Ctl({"report", "--format=json", kPeriod, kAsOf});
  ASSERT_EQ(json.exit_code, 0) << json.output;
  aggregator::v1::Report report;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json.output, &report).ok())
      << json.output;
  ASSERT_EQ(report.criteria().blocks_size(), 4);
  const auto& party = report.criteria().blocks(0);
  EXPECT_EQ(party.id(), "criteria.block.PARTY");
  EXPECT_EQ(party.value().ratio().numerator(), 2663);
  EXPECT_EQ(party.value().ratio().denominator(), 2696);
  EXPECT_TRUE(party.published().reproduced());
  ASSERT_EQ(party.published().reproducing_modes_size(), 1);
  EXPECT_EQ(party.published().reproducing_modes(0), common::v1::TRUNCATE);
  EXPECT_FALSE(report.criteria().total().published().reproduced());

  // SIGKILL a data service, restart it on the same port and data directory:
  // the report does not change.
  const std::string address = servers_["eidentity"]->address();
  servers_["eidentity"]->Signal(SIGKILL);
  ASSERT_TRUE(servers_["eidentity"]->Wait().ok());
  Start("eidentity", address);
  ASSERT_EQ(servers_["eidentity"]->address(), address);
  ASSERT_EQ(Ctl({"health", "--wait=30"}).exit_code, 0);
  RunResult again =
      Ctl({"report", "--format=table", kPeriod, kAsOf, "--wait=30"});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output, table.output);

  // SIGTERM: every process drains and exits 0.
  TerminateAll();
}

TEST_F(EndToEndTest, LoadNamesBadRowsAndResumesAfterTheFix) {
  for (const char* name : {"criteria", "publicservice", "eidentity"}) {
    Start(name);
  }
  ASSERT_EQ(servers_.size(), 3u);
  const std::filesystem::path data = dir() / "dataset";
  std::filesystem::copy(kLaiChau, data);
  // Row on line 50 of progress.csv completed in the future; the value on
  // line 20 of metric_snapshots.csv above its total.
  auto replace_line = [](const std::filesystem::path& path, int line,
                         const std::string& from, const std::string& to) {
    std::vector<std::string> lines = absl::StrSplit(ReadAll(path), '\n');
    std::string& l = lines[static_cast<size_t>(line - 1)];
    const size_t at = l.find(from);
    ASSERT_NE(at, std::string::npos) << l;
    l.replace(at, from.size(), to);
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        << absl::StrJoin(lines, "\n");
  };
  const std::string progress = ReadAll(data / "progress.csv");
  const std::string snapshots = ReadAll(data / "metric_snapshots.csv");
  replace_line(data / "progress.csv", 50, ",2025-", ",2027-");
  replace_line(data / "metric_snapshots.csv", 20,
               "business_households_einvoice,",
               "business_households_einvoice,999999");

  RunResult bad = Ctl({"load", data.string()});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find(absl::StrCat((data / "progress.csv").string(),
                                         ":50: complete_time: ")),
            std::string::npos)
      << bad.output;
  EXPECT_NE(bad.output.find(
                absl::StrCat((data / "metric_snapshots.csv").string(),
                             ":20: value (business_households_einvoice): ")),
            std::string::npos)
      << bad.output;

  // An assignment of a batch that was written the first time, and the one
  // whose batch was rejected (line 50 is in the first batch of 1,000).
  std::vector<std::string> lines = absl::StrSplit(progress, '\n');
  auto assignment_at = [&](int line) {
    std::vector<std::string> f =
        absl::StrSplit(lines[static_cast<size_t>(line - 1)], ',');
    return absl::StrCat(f[0], "/assignments/", f[1]);
  };
  const std::string written = assignment_at(1500);
  const std::string rejected = assignment_at(50);
  auto stub = criteria::v1::CriteriaService::NewStub(grpc::CreateChannel(
      servers_["criteria"]->address(), grpc::InsecureChannelCredentials()));
  auto history = [&](const std::string& name) {
    grpc::ClientContext ctx;
    criteria::v1::GetAssignmentRequest req;
    req.set_name(name);
    criteria::v1::GetAssignmentResponse resp;
    grpc::Status s = stub->GetAssignment(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << name << ": " << s.error_message();
    return resp;
  };
  ASSERT_TRUE(absl::StrContains(lines[1499], "COMPLETED")) << lines[1499];
  EXPECT_EQ(history(written).assignment().state(), criteria::v1::COMPLETED);
  const int written_revisions = history(written).history_size();
  EXPECT_NE(history(rejected).assignment().state(), criteria::v1::COMPLETED);

  // Fix the rows and load again: the rejected batches are written, the rest
  // replayed (no new revision of what was already written).
  std::ofstream(data / "progress.csv", std::ios::binary | std::ios::trunc)
      << progress;
  std::ofstream(data / "metric_snapshots.csv",
                std::ios::binary | std::ios::trunc)
      << snapshots;
  RunResult fixed = Ctl({"load", data.string()});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.output;
  EXPECT_EQ(history(rejected).assignment().state(), criteria::v1::COMPLETED);
  EXPECT_EQ(history(written).history_size(), written_revisions);

  TerminateAll();
}

TEST_F(EndToEndTest, UsageAndServerErrorsAreOneLineWithTheirExitCode) {
  RunResult unknown = RunToCompletion(kBin + "/nq57ctl", {"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(std::count(unknown.output.begin(), unknown.output.end(), '\n'), 1)
      << unknown.output;
  RunResult bad_flag = RunToCompletion(kBin + "/nq57ctl", {"--nope", "health"});
  EXPECT_EQ(bad_flag.exit_code, 2) << bad_flag.output;
  RunResult bad_as_of =
      RunToCompletion(kBin + "/nq57ctl", {"report", "--as_of=yesterday"});
  EXPECT_EQ(bad_as_of.exit_code, 2);
  EXPECT_NE(bad_as_of.output.find("--as_of"), std::string::npos);

  Start("criteria");
  Start("publicservice");
  Start("eidentity");
  Start("aggregator");
  RunResult bad_period = Ctl({"report", "--period=2025-13"});
  EXPECT_EQ(bad_period.exit_code, 1) << bad_period.output;
  EXPECT_EQ(bad_period.output.rfind("nq57ctl: INVALID_ARGUMENT: period: ", 0),
            0u)
      << bad_period.output;
  RunResult unreachable =
      RunToCompletion(kBin + "/nq57ctl", {"--target=127.0.0.1:1", "report"});
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_NE(unreachable.output.find("UNAVAILABLE"), std::string::npos);
}

}  // namespace
}  // namespace nq57
