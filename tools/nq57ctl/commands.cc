#include "tools/nq57ctl/commands.h"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/base/vietnam_time.h"
#include "common/store/store_backups.h"
#include "common/time/proto_time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "nq57/admin/v1/admin.grpc.pb.h"
#include "nq57/aggregator/v1/aggregator.grpc.pb.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "tools/nq57ctl/dataset_loader.h"
#include "tools/nq57ctl/report_table.h"

namespace nq57::ctl {
namespace {

namespace agg = ::nq57::aggregator::v1;
using AggregatorStub = agg::AggregatorService::Stub;
using grpc::health::v1::HealthCheckResponse;

// A failed command: its exit code and the one line to print.
struct Failure {
  int code;
  std::string line;
};
Failure UsageError(std::string line) { return {kExitUsage, std::move(line)}; }
Failure ServerError(const absl::Status& status) {
  return {kExitServerError, DescribeError(status)};
}

std::string FormatTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %Ez", FromProtoTime(t),
                          VietnamTime());
}

class Commands {
 public:
  Commands(const CommandOptions& options, std::ostream& out)
      : o_(options), out_(out) {}

  // Parses the shared flags; a usage error if one is malformed.
  std::optional<Failure> Prepare() {
    if (!o_.as_of.empty()) {
      absl::Time t;
      std::string err;
      if (!absl::ParseTime(absl::RFC3339_full, o_.as_of, &t, &err)) {
        return UsageError(
            absl::StrCat("--as_of: expected an RFC 3339 time such as "
                         "2025-10-23T00:00:00+07:00, got \"",
                         o_.as_of, "\""));
      }
      as_of_ = ToProtoTime(t);
    }
    if (o_.format != "table" && o_.format != "json" && o_.format != "csv") {
      return UsageError(absl::StrCat(
          "--format: expected table, json or csv, got \"", o_.format, "\""));
    }
    return std::nullopt;
  }

  std::string Address(const std::string& own) const {
    return o_.target.empty() ? own : o_.target;
  }
  std::unique_ptr<AggregatorStub> Aggregator() const {
    return agg::AggregatorService::NewStub(
        o_.endpoints.Channel(Address(o_.endpoints.aggregator)));
  }
  // Sets the request's period to --period and its as_of to --as_of, if
  // given (unset: the server's now).
  template <typename Request>
  void SetPeriod(Request& req) const {
    req.set_period(o_.period);
    if (as_of_.has_value()) *req.mutable_as_of() = *as_of_;
  }
  agg::GetReportRequest ReportRequest() const {
    agg::GetReportRequest req;
    req.set_province(o_.province);
    SetPeriod(req);
    return req;
  }
  // Calls `rpc` of the aggregator (or --target).
  template <typename Request, typename Response>
  absl::StatusOr<Response> CallAggregator(
      Rpc<AggregatorStub, Request, Response> rpc, const Request& req) const {
    return Call(*Aggregator(), rpc, o_.endpoints, req);
  }
  // The same for a request about --period as of --as_of.
  template <typename Request, typename Response>
  absl::StatusOr<Response> CallForPeriod(
      Rpc<AggregatorStub, Request, Response> rpc, Request req) const {
    SetPeriod(req);
    return CallAggregator(rpc, req);
  }

  // One grpc.health.v1 check of the server at `address`.
  grpc::Status CheckHealth(const std::string& address, absl::Duration timeout,
                           HealthCheckResponse& resp) const {
    auto stub =
        grpc::health::v1::Health::NewStub(o_.endpoints.Channel(address));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoMilliseconds(timeout));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(o_.health_service);
    return stub->Check(&context, request, &resp);
  }

  // Calls `rpc` for every page of `req` (1,000 items a page) and hands each
  // response to `each`.
  template <typename Stub, typename Request, typename Response>
  absl::Status ForEachPage(
      Stub& stub, Rpc<Stub, Request, Response> rpc, Request req,
      const std::type_identity_t<std::function<void(const Response&)>>& each) {
    req.set_page_size(1000);
    do {
      absl::StatusOr<Response> page = Call(stub, rpc, o_.endpoints, req);
      if (!page.ok()) return page.status();
      each(*page);
      req.set_page_token(page->next_page_token());
    } while (!req.page_token().empty());
    return absl::OkStatus();
  }

  // The services a command over "every service" talks to: the four, or
  // --target alone.
  std::vector<std::pair<std::string, std::string>> Services() const {
    if (!o_.target.empty()) return {{"target", o_.target}};
    return {{"criteria", o_.endpoints.criteria},
            {"publicservice", o_.endpoints.publicservice},
            {"eidentity", o_.endpoints.eidentity},
            {"aggregator", o_.endpoints.aggregator}};
  }

  std::optional<Failure> Health() {
    const std::vector<std::pair<std::string, std::string>> services =
        Services();
    const absl::Time deadline = absl::Now() + absl::Seconds(o_.wait_seconds);
    std::vector<std::string> states(services.size());
    bool all = false;
    while (true) {
      all = true;
      for (size_t i = 0; i < services.size(); ++i) {
        if (states[i] == "SERVING") continue;
        HealthCheckResponse resp;
        grpc::Status s =
            CheckHealth(services[i].second, absl::Seconds(2), resp);
        states[i] =
            s.ok() ? HealthCheckResponse::ServingStatus_Name(resp.status())
                   : absl::StrCat(
                         "unreachable (",
                         absl::StatusCodeToString(
                             static_cast<absl::StatusCode>(s.error_code())),
                         ")");
        all = all && states[i] == "SERVING";
      }
      if (all || absl::Now() >= deadline) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    for (size_t i = 0; i < services.size(); ++i) {
      out_ << absl::StrFormat("%-14s %-21s %s\n", services[i].first,
                              services[i].second, states[i]);
    }
    if (!all) {
      return Failure{kExitServerError,
                     "UNAVAILABLE: not every service is SERVING"};
    }
    return std::nullopt;
  }

  // One line, instead of one per batch, when a data service is down.
  std::optional<Failure> RequireServing(const std::string& name,
                                        const std::string& address) {
    HealthCheckResponse resp;
    grpc::Status s = CheckHealth(address, absl::Seconds(5), resp);
    if (s.ok() && resp.status() == HealthCheckResponse::SERVING) {
      return std::nullopt;
    }
    return Failure{
        kExitServerError,
        absl::StrCat("UNAVAILABLE: ", name, " at ", address, " is not serving",
                     s.ok() ? "" : absl::StrCat(" (", s.error_message(), ")"))};
  }

  std::optional<Failure> Load(const std::string& dir) {
    if (!o_.target.empty()) {
      return UsageError(
          "load: --target does not apply (load uses "
          "--criteria, --publicservice and --eidentity)");
    }
    if (!std::filesystem::is_directory(dir)) {
      return UsageError(absl::StrCat("load: ", dir, " is not a directory"));
    }
    for (const auto& [name, address] :
         {std::pair<std::string, std::string>{"criteria-server",
                                              o_.endpoints.criteria},
          {"publicservice-server", o_.endpoints.publicservice},
          {"eidentity-server", o_.endpoints.eidentity}}) {
      if (auto f = RequireServing(name, address)) return f;
    }
    DatasetLoader loader(o_.endpoints, {.progress_bar = o_.progress_bar}, out_);
    absl::StatusOr<LoadSummary> summary = loader.Load(dir);
    if (!summary.ok()) {
      return Failure{summary.status().code() == absl::StatusCode::kNotFound
                         ? kExitUsage
                         : kExitServerError,
                     DescribeError(summary.status())};
    }
    out_ << FormatLoadSummary(*summary);
    if (!summary->errors.empty()) {
      for (const std::string& e : summary->errors) out_ << e << "\n";
      return Failure{kExitServerError,
                     absl::StrCat(summary->errors.size(),
                                  " bad row(s); nothing of their batches was "
                                  "written; fix them and load again (what "
                                  "was loaded is replayed, not duplicated)")};
    }
    return std::nullopt;
  }

  // With --wait: polls until the aggregator has applied what its sources
  // hold (every source serving, applied = head, and the same input
  // sequences twice in a row).
  std::optional<Failure> WaitCaughtUp(AggregatorStub& stub) {
    const absl::Time deadline = absl::Now() + absl::Seconds(o_.wait_seconds);
    std::map<std::string, uint64_t> last;
    while (true) {
      absl::StatusOr<agg::Report> report =
          Call(stub, &AggregatorStub::GetReport, o_.endpoints, ReportRequest());
      if (!report.ok()) return ServerError(report.status());
      bool caught_up = report->freshness_size() > 0;
      for (const auto& f : report->freshness()) {
        caught_up = caught_up && f.serving() &&
                    f.applied_sequence() >= f.head_sequence();
      }
      std::map<std::string, uint64_t> now(report->input_sequences().begin(),
                                          report->input_sequences().end());
      if (caught_up && now == last) return std::nullopt;
      if (absl::Now() >= deadline) {
        return Failure{kExitServerError,
                       "DEADLINE_EXCEEDED: the aggregator has not caught up "
                       "with its sources"};
      }
      last = std::move(now);
      absl::SleepFor(absl::Milliseconds(300));
    }
  }

  std::optional<Failure> Report() {
    auto stub = Aggregator();
    if (o_.wait_seconds > 0) {
      if (auto f = WaitCaughtUp(*stub)) return f;
    }
    if (o_.format == "table") {
      absl::StatusOr<agg::Report> report = Call(
          *stub, &AggregatorStub::GetReport, o_.endpoints, ReportRequest());
      if (!report.ok()) return ServerError(report.status());
      out_ << FormatReportTable(*report);
      return std::nullopt;
    }
    agg::ExportRequest req;
    *req.mutable_report() = ReportRequest();
    req.set_format(o_.format == "json" ? agg::ExportRequest::JSON
                                       : agg::ExportRequest::CSV);
    absl::StatusOr<agg::ExportResponse> resp =
        Call(*stub, &AggregatorStub::Export, o_.endpoints, req);
    if (!resp.ok()) return ServerError(resp.status());
    out_ << resp->content();
    if (!resp->content().empty() && resp->content().back() != '\n') {
      out_ << "\n";
    }
    return std::nullopt;
  }

  std::optional<Failure> Rank() {
    if (o_.group.empty() == o_.figure.empty()) {
      return UsageError(
          "rank: give exactly one of --group=GROUP or --figure=ID");
    }
    agg::GetRankingsRequest req;
    if (!o_.group.empty()) req.set_group(o_.group);
    if (!o_.figure.empty()) req.set_figure(o_.figure);
    req.set_block(o_.block);
    absl::StatusOr<agg::Rankings> resp =
        CallForPeriod(&AggregatorStub::GetRankings, req);
    if (!resp.ok()) return ServerError(resp.status());
    out_ << "Xếp hạng · ranking: " << resp->subject() << ", period "
         << resp->period() << "\n"
         << resp->tie_rule() << "\n\n";
    for (const agg::RankingEntry& e : resp->entries()) {
      out_ << absl::StrFormat(
          "%4d  %-16s %-14s %16s  %7s%%\n", e.rank(), e.province(),
          e.province_name(), RatioText(e.value().ratio()), e.value().percent());
    }
    return std::nullopt;
  }

  std::optional<Failure> Overdue() {
    using criteria::v1::CriteriaService;
    auto stub = CriteriaService::NewStub(
        o_.endpoints.Channel(Address(o_.endpoints.criteria)));
    criteria::v1::ListOverdueRequest req;
    req.set_unit(o_.province);
    req.set_include_subunits(true);
    if (as_of_.has_value()) *req.mutable_as_of() = *as_of_;
    int64_t total = 0;
    absl::Status s = ForEachPage(
        *stub, &CriteriaService::Stub::ListOverdue, req,
        [&](const criteria::v1::ListOverdueResponse& page) {
          for (const auto& item : page.items()) {
            out_ << absl::StrFormat(
                "%s  %-32s %-22s %s\n", FormatTimestamp(item.deadline()),
                item.unit().display_name().empty() ? item.unit().name()
                                                   : item.unit().display_name(),
                item.criterion(), item.title());
            ++total;
          }
        });
    if (!s.ok()) return ServerError(s);
    out_ << total << " overdue task(s) in " << o_.province << "\n";
    return std::nullopt;
  }

  std::optional<Failure> Explain(const std::string& figure) {
    agg::ExplainRequest req;
    req.set_province(o_.province);
    req.set_figure(figure);
    absl::StatusOr<agg::Explanation> explanation =
        CallForPeriod(&AggregatorStub::Explain, req);
    if (!explanation.ok()) return ServerError(explanation.status());
    const agg::Explanation& resp = *explanation;
    const agg::Figure& f = resp.figure();
    out_ << f.id() << " — " << f.label_vi() << " · " << f.label_en() << "\n"
         << "  value     " << RatioText(f.value().ratio()) << " = "
         << f.value().percent() << "% (" << RoundingName(f.value().rounding())
         << ", " << f.value().decimals() << " decimal(s))\n"
         << "  formula   " << resp.formula() << "\n";
    std::map<std::string, int64_t> inputs(resp.inputs().begin(),
                                          resp.inputs().end());
    for (const auto& [name, value] : inputs) {
      out_ << "  input     " << name << " = " << GroupThousands(value) << "\n";
    }
    out_ << "  coverage  " << resp.coverage().reported() << "/"
         << resp.coverage().expected() << " units";
    if (resp.coverage().missing_count() > 0) {
      out_ << ", missing " << resp.coverage().missing_count();
    }
    out_ << "\n";
    if (resp.units_counted_size() > 0) {
      std::vector<std::string> units(resp.units_counted().begin(),
                                     resp.units_counted().end());
      const size_t shown = std::min<size_t>(units.size(), 5);
      out_ << "  counted   "
           << absl::StrJoin(units.begin(), units.begin() + shown, ", ")
           << (units.size() > shown
                   ? absl::StrCat(" ... (", units.size(), " units)")
                   : "")
           << "\n";
    }
    if (!PublishedText(f).empty()) {
      out_ << "  published " << PublishedText(f) << "\n";
    }
    out_ << "  inputs at " << InputSequencesText(resp.input_sequences())
         << "\n";
    return std::nullopt;
  }

  std::optional<Failure> Watch() {
    agg::WatchReportsRequest req;
    req.set_province(o_.province);
    req.set_period(o_.period);
    grpc::ClientContext context;
    context.AddMetadata("x-nq57-actor", o_.endpoints.actor);
    auto stub = Aggregator();
    auto reader = stub->WatchReports(&context, req);
    std::map<std::string, std::string> previous;
    agg::Report report;
    int seen = 0;
    while (reader->Read(&report)) {
      std::map<std::string, std::string> now;
      auto add = [&](const agg::Figure& f) {
        now[f.id()] = absl::StrCat(f.value().percent(), "% (",
                                   RatioText(f.value().ratio()), ")");
      };
      const auto& c = report.criteria();
      add(c.total());
      for (const auto* list :
           {&c.blocks(), &c.groups(), &c.block_groups(),
            &report.public_services(), &report.project06()}) {
        for (const agg::Figure& f : *list) add(f);
      }
      out_ << absl::FormatTime("[%H:%M:%S] ", absl::Now(), VietnamTime())
           << report.province() << " " << report.period() << " ("
           << InputSequencesText(report.input_sequences()) << ")"
           << (seen == 0 ? ", current figures" : "") << "\n";
      if (seen > 0) {
        for (const auto& [id, text] : now) {
          auto it = previous.find(id);
          if (it == previous.end() || it->second != text) {
            out_ << "  " << id << ": "
                 << (it == previous.end() ? "—" : it->second) << " -> " << text
                 << "\n";
          }
        }
      }
      out_ << std::flush;
      previous = std::move(now);
      if (++seen == o_.count && o_.count > 0) {
        context.TryCancel();
        break;
      }
    }
    absl::Status s = FromGrpcStatus(reader->Finish());
    if (!s.ok() && !(s.code() == absl::StatusCode::kCancelled && o_.count > 0 &&
                     seen == o_.count)) {
      return ServerError(s);
    }
    return std::nullopt;
  }

  // An online backup of every service's store, each into its own
  // --backup_dir; every service is tried, the first failure is the result.
  std::optional<Failure> Backup() {
    std::optional<Failure> first;
    for (const auto& [name, address] : Services()) {
      auto stub = admin::v1::StoreAdmin::NewStub(o_.endpoints.Channel(address));
      absl::StatusOr<admin::v1::Backup> made =
          Call(*stub, &admin::v1::StoreAdmin::Stub::CreateBackup, o_.endpoints,
               admin::v1::CreateBackupRequest());
      if (!made.ok()) {
        out_ << absl::StrFormat("%-14s %-21s failed: %s\n", name, address,
                                DescribeError(made.status()));
        if (!first) first = ServerError(made.status());
        continue;
      }
      out_ << absl::StrFormat(
          "%-14s %-21s backup %d in %s: head %d, %d bytes, log %s\n", name,
          address, made->backup_id(), made->backup_dir(), made->head_sequence(),
          made->size_bytes(), made->log_id());
    }
    return first;
  }

  // Offline: restores a backup directory's backup into an empty data
  // directory (the server is stopped), under a new log identity.
  std::optional<Failure> Restore(const std::string& backup_dir,
                                 const std::string& data_dir) {
    absl::StatusOr<BackupInfo> restored =
        StoreBackups::Restore(backup_dir, o_.backup_id, data_dir);
    if (!restored.ok()) return ServerError(restored.status());
    out_ << "restored backup " << restored->id << " of " << backup_dir
         << " into " << data_dir << ": change-log head "
         << restored->restored_head << ", new log identity "
         << restored->restored_log_id << " (was " << restored->log_id
         << "; consumers rebuild this source)\n";
    return std::nullopt;
  }

  std::optional<Failure> Publish() {
    agg::PublishRequest req;
    req.set_request_id(
        o_.request_id.empty()
            ? absl::StrCat("nq57ctl-publish-", absl::ToUnixNanos(absl::Now()))
            : o_.request_id);
    req.set_province(o_.province);
    absl::StatusOr<agg::Snapshot> resp =
        CallForPeriod(&AggregatorStub::Publish, req);
    if (!resp.ok()) return ServerError(resp.status());
    out_ << "published " << resp->name() << " at "
         << FormatTimestamp(resp->publish_time()) << " (sha256 "
         << resp->content_hash().substr(0, 16) << "...)\n";
    return std::nullopt;
  }

  std::optional<Failure> Snapshots() {
    agg::ListSnapshotsRequest req;
    req.set_province(o_.province);
    int64_t total = 0;
    absl::Status s = ForEachPage(
        *Aggregator(), &AggregatorStub::ListSnapshots, req,
        [&](const agg::ListSnapshotsResponse& page) {
          for (const agg::Snapshot& snap : page.snapshots()) {
            out_ << absl::StrFormat("%-32s %s  %-16s sha256 %s\n", snap.name(),
                                    FormatTimestamp(snap.publish_time()),
                                    snap.publisher(),
                                    snap.content_hash().substr(0, 16));
            ++total;
          }
        });
    if (!s.ok()) return ServerError(s);
    out_ << total << " snapshot(s) of " << o_.province << "\n";
    return std::nullopt;
  }

  std::optional<Failure> Diff(const std::string& from, const std::string& to) {
    agg::DiffSnapshotsRequest req;
    req.set_from(from);
    req.set_to(to);
    absl::StatusOr<agg::SnapshotDiff> resp =
        CallAggregator(&AggregatorStub::DiffSnapshots, req);
    if (!resp.ok()) return ServerError(resp.status());
    auto text = [](const common::v1::RenderedRatio& r) {
      return absl::StrCat(PercentText(r), " (", RatioText(r.ratio()), ")");
    };
    for (const agg::FigureChange& c : resp->changes()) {
      out_ << "  " << c.id() << ": " << text(c.from()) << " -> " << text(c.to())
           << "\n";
    }
    out_ << resp->changes_size() << " figure(s) changed from " << resp->from()
         << " to " << resp->to() << "\n";
    return std::nullopt;
  }

 private:
  const CommandOptions& o_;
  std::ostream& out_;
  std::optional<google::protobuf::Timestamp> as_of_;
};

}  // namespace

std::string Usage() {
  return "usage: nq57ctl [flags] COMMAND [ARGS]\n"
         "commands:\n"
         "  load DIR          load a dataset directory (CSV) into the "
         "services\n"
         "  report            the provincial report [--province --period "
         "--as_of --format=table|json|csv]\n"
         "  rank              --group=PLATFORMS [--block=GOVERNMENT] or "
         "--figure=ID\n"
         "  overdue           tasks past their deadline at --as_of\n"
         "  explain FIGURE    how a figure was made, e.g. "
         "criteria.block.PARTY\n"
         "  watch             follow the report and print changes [--count=N]\n"
         "  publish           freeze the report as a snapshot\n"
         "  snapshots         list published snapshots\n"
         "  diff A B          figures that differ between two snapshots\n"
         "  health            health of every service [--wait=SECONDS] "
         "[--health_service=NAME, e.g. live]\n"
         "  backup            an online backup of every service's store, "
         "into each server's --backup_dir\n"
         "  restore BACKUP_DIR DATA_DIR\n"
         "                    offline: restore the latest backup (or "
         "--backup_id) into an empty DATA_DIR, as a new history\n"
         "  (report --wait=SECONDS first waits for the aggregator to catch "
         "up)\n"
         "addresses: --criteria --publicservice --eidentity --aggregator "
         "(default 127.0.0.1:50571..50574), --target for the one a command "
         "uses\n"
         "exit codes: 0 ok, 1 server error, 2 usage error\n";
}

int RunCommand(const std::vector<std::string>& args,
               const CommandOptions& options, std::ostream& out,
               std::ostream& err) {
  auto fail = [&](const Failure& f) {
    err << "nq57ctl: " << f.line
        << (f.code == kExitUsage ? " (nq57ctl help: usage)" : "") << "\n";
    return f.code;
  };
  if (args.empty()) return fail(UsageError("no command given"));
  const std::string& command = args[0];
  Commands commands(options, out);
  if (auto f = commands.Prepare()) return fail(*f);
  if (command == "help") {
    out << Usage();
    return kExitOk;
  }
  using Args = const std::vector<std::string>&;
  // Each command: its name, how many positional arguments it takes, and what
  // runs it (args[0] is the command).
  struct CommandSpec {
    std::string_view name;
    size_t arguments;
    std::function<std::optional<Failure>(Args)> run;
  };
  const CommandSpec specs[] = {
      {"load", 1, [&](Args a) { return commands.Load(a[1]); }},
      {"report", 0, [&](Args) { return commands.Report(); }},
      {"rank", 0, [&](Args) { return commands.Rank(); }},
      {"overdue", 0, [&](Args) { return commands.Overdue(); }},
      {"explain", 1, [&](Args a) { return commands.Explain(a[1]); }},
      {"watch", 0, [&](Args) { return commands.Watch(); }},
      {"publish", 0, [&](Args) { return commands.Publish(); }},
      {"snapshots", 0, [&](Args) { return commands.Snapshots(); }},
      {"diff", 2, [&](Args a) { return commands.Diff(a[1], a[2]); }},
      {"health", 0, [&](Args) { return commands.Health(); }},
      {"backup", 0, [&](Args) { return commands.Backup(); }},
      {"restore", 2, [&](Args a) { return commands.Restore(a[1], a[2]); }},
  };
  for (const CommandSpec& spec : specs) {
    if (spec.name != command) continue;
    if (args.size() != spec.arguments + 1) {
      return fail(
          UsageError(absl::StrCat(command, ": expected ", spec.arguments,
                                  " argument(s), got ", args.size() - 1)));
    }
    std::optional<Failure> result = spec.run(args);
    return result ? fail(*result) : kExitOk;
  }
  return fail(UsageError(absl::StrCat("unknown command \"", command, "\"")));
}

}  // namespace nq57::ctl
