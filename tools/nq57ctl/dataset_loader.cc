#include "tools/nq57ctl/dataset_loader.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/base/absl_view.h"
#include "common/base/digest.h"
#include "common/base/field_error.h"
#include "common/base/status_macros.h"
#include "common/csv/csv_reader.h"
#include "common/server/grpc_status.h"
#include "google/protobuf/util/time_util.h"
#include "nq57/criteria/v1/criteria.grpc.pb.h"
#include "nq57/eidentity/v1/eidentity.grpc.pb.h"
#include "nq57/publicservice/v1/publicservice.grpc.pb.h"

namespace nq57::ctl {
namespace {

namespace criteria = ::nq57::criteria::v1;
namespace eidentity = ::nq57::eidentity::v1;
namespace publicservice = ::nq57::publicservice::v1;

// One item of a call: the rows it was built from (a snapshot spans several).
using RowGroup = std::vector<const CsvRow*>;

// A problem with one row, before anything is sent.
absl::Status RowError(const CsvRow& row, std::string_view column,
                      std::string_view problem) {
  return row.Error(absl::StrCat(AbslView(column), ": ", AbslView(problem)));
}

absl::StatusOr<google::protobuf::Timestamp> ParseTimestamp(
    const CsvRow& row, std::string_view column) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, AbslView(row.Get(column)), &t,
                       &err)) {
    return RowError(row, column,
                    absl::StrCat("not an RFC 3339 time (", err, ")"));
  }
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(t));
}

absl::StatusOr<common::v1::Date> ParseDate(const CsvRow& row,
                                           std::string_view column) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(AbslView(row.Get(column)), &day)) {
    return RowError(row, column, "not a date (YYYY-MM-DD)");
  }
  common::v1::Date date;
  date.set_year(static_cast<int>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

absl::StatusOr<int64_t> ParseCount(const CsvRow& row, std::string_view column) {
  int64_t v;
  if (!absl::SimpleAtoi(AbslView(row.Get(column)), &v)) {
    return RowError(row, column, "not an integer");
  }
  return v;
}

template <typename Enum>
absl::StatusOr<Enum> ParseEnum(const CsvRow& row, std::string_view column,
                               bool (*parse)(const std::string&, Enum*),
                               bool optional = false) {
  Enum value{};
  const std::string text(row.Get(column));
  if (optional && text.empty()) return value;
  if (!parse(text, &value) || static_cast<int>(value) == 0) {
    return RowError(row, column, absl::StrCat("unknown value \"", text, "\""));
  }
  return value;
}

// A batch field path such as `items[37].complete_time`: the item index and
// the rest ("complete_time"). -1 when the path does not start with `items`.
std::pair<int, std::string> SplitItemPath(std::string_view path,
                                          std::string_view items) {
  if (items.empty() || !absl::StartsWith(AbslView(path), AbslView(items)) ||
      path.size() <= items.size() || path[items.size()] != '[') {
    return {-1, std::string(path)};
  }
  const size_t close = path.find(']', items.size());
  int index;
  if (close == std::string_view::npos ||
      !absl::SimpleAtoi(
          AbslView(path.substr(items.size() + 1, close - items.size() - 1)),
          &index)) {
    return {-1, std::string(path)};
  }
  std::string_view rest = path.substr(close + 1);
  if (!rest.empty() && rest[0] == '.') rest.remove_prefix(1);
  return {index, std::string(rest)};
}

// How the rows of one file become calls.
struct FileSpec {
  std::string file;
  std::vector<std::string_view> columns;  // required
  // Consecutive rows with the same key form one item ("" key: one row each).
  std::function<std::string(const CsvRow&)> item_key;
  size_t batch_size = 1;
  // The repeated field of the batch request ("" for one item per call).
  std::string items_field;
  // Proto field names that are not CSV columns -> the column to blame.
  std::map<std::string, std::string, std::less<>> aliases;
  // Sends one batch; `accepted`/`existing` are added to on success.
  std::function<absl::Status(const std::vector<RowGroup>&,
                             const std::string& request_id, int64_t& accepted,
                             int64_t& existing)>
      send;
};

// The column a field path blames: the last path segment that is a column
// (or an alias), else the path itself.
std::string ColumnOf(const FileSpec& spec, const CsvTable& table,
                     std::string_view rest) {
  std::vector<std::string> segments = absl::StrSplit(AbslView(rest), '.');
  for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
    std::string seg = *it;
    if (size_t bracket = seg.find('['); bracket != std::string::npos) {
      seg.resize(bracket);
    }
    if (table.HasColumn(seg)) return seg;
    if (auto alias = spec.aliases.find(seg); alias != spec.aliases.end()) {
      return alias->second;
    }
  }
  return std::string(rest);
}

// "<file>:<line>: <column>: <problem>" lines for a rejected batch.
std::vector<std::pair<int, std::string>> DescribeRejection(
    const FileSpec& spec, const CsvTable& table,
    const std::vector<RowGroup>& batch, const absl::Status& status) {
  std::vector<std::pair<int, std::string>> out;
  const std::vector<FieldViolation> violations = FieldViolationsOf(status);
  const int first_line = batch.front().front()->line();
  for (const FieldViolation& v : violations) {
    auto [index, rest] = SplitItemPath(v.field, spec.items_field);
    if (spec.items_field.empty()) index = 0;
    if (index < 0 || index >= static_cast<int>(batch.size())) {
      out.push_back(
          {first_line, absl::StrCat(table.source(), ":", first_line, ": ",
                                    v.field, ": ", v.description)});
      continue;
    }
    const RowGroup& group = batch[static_cast<size_t>(index)];
    const CsvRow* row = group.front();
    std::string column = ColumnOf(spec, table, rest);
    // A snapshot's value: blame the row of the metric the path names (the
    // longest match: "business_households_einvoice" over
    // "business_households").
    if (table.HasColumn("metric")) {
      size_t best = 0;
      for (const CsvRow* r : group) {
        const std::string_view metric = r->Get("metric");
        if (metric.size() > best &&
            absl::StrContains(AbslView(rest), AbslView(metric))) {
          best = metric.size();
          row = r;
          column = absl::StrCat("value (", AbslView(metric), ")");
        }
      }
    }
    out.push_back(
        {row->line(), absl::StrCat(table.source(), ":", row->line(), ": ",
                                   column, ": ", v.description)});
  }
  if (out.empty()) {
    const int last_line = batch.back().back()->line();
    out.push_back(
        {first_line,
         absl::StrCat(table.source(), ":", first_line,
                      first_line == last_line ? std::string()
                                              : absl::StrCat("-", last_line),
                      ": ", absl::StatusCodeToString(status.code()), ": ",
                      status.message())});
  }
  return out;
}

std::string RequestId(std::string_view file, size_t index,
                      const std::vector<RowGroup>& batch) {
  std::string content = absl::StrCat(AbslView(file), "#", index, "\n");
  for (const RowGroup& group : batch) {
    for (const CsvRow* row : group) {
      absl::StrAppend(&content, absl::StrJoin(row->fields(), "\x1f"), "\n");
    }
  }
  return absl::StrCat("nq57ctl-load-", Sha256Hex(content).substr(0, 40));
}

class Progress {
 public:
  Progress(std::ostream& out, bool enabled, int64_t total)
      : out_(out), enabled_(enabled), total_(std::max<int64_t>(total, 1)) {}
  void Add(std::string_view file, int64_t rows) {
    if (!enabled_) return;
    absl::MutexLock lock(&mu_);
    done_ += rows;
    const int64_t percent = done_ * 100 / total_;
    if (percent == last_percent_ && file == last_file_) return;
    last_percent_ = percent;
    last_file_ = std::string(file);
    const int width = 30;
    const int filled = static_cast<int>(done_ * width / total_);
    out_ << "\r  [" << std::string(static_cast<size_t>(filled), '#')
         << std::string(static_cast<size_t>(width - filled), '.') << "] "
         << absl::StrFormat("%3d%%  %-22s", done_ * 100 / total_,
                            std::string(file))
         << std::flush;
  }
  void Finish() {
    if (enabled_) out_ << "\r" << std::string(64, ' ') << "\r" << std::flush;
  }

 private:
  std::ostream& out_;
  const bool enabled_;
  const int64_t total_;
  absl::Mutex mu_;
  int64_t done_ ABSL_GUARDED_BY(mu_) = 0;
  // What was last drawn: redrawn only when it changes.
  int64_t last_percent_ ABSL_GUARDED_BY(mu_) = -1;
  std::string last_file_ ABSL_GUARDED_BY(mu_);
};

struct LoadContext {
  int parallelism;
  Progress* progress;
  absl::Mutex mu;
  std::vector<std::pair<std::pair<int, int>, std::string>> errors
      ABSL_GUARDED_BY(mu);  // ((file order, line), text)
};

FileSummary LoadFile(const FileSpec& spec, const CsvTable& table,
                     int file_order, LoadContext& ctx) {
  FileSummary summary;
  summary.file = spec.file;
  summary.rows = static_cast<int64_t>(table.rows().size());
  // Items, then batches of items.
  std::vector<RowGroup> items;
  std::string last_key;
  for (const CsvRow& row : table.rows()) {
    const std::string key = spec.item_key ? spec.item_key(row) : "";
    if (!items.empty() && !key.empty() && key == last_key) {
      items.back().push_back(&row);
    } else {
      items.push_back({&row});
    }
    last_key = key;
  }
  std::vector<std::vector<RowGroup>> batches;
  for (size_t i = 0; i < items.size(); i += spec.batch_size) {
    batches.emplace_back(
        items.begin() + static_cast<std::ptrdiff_t>(i),
        items.begin() + static_cast<std::ptrdiff_t>(
                            std::min(items.size(), i + spec.batch_size)));
  }
  summary.batches = static_cast<int64_t>(batches.size());
  std::atomic<size_t> next{0};
  std::atomic<int64_t> accepted{0}, existing{0}, failed{0};
  auto worker = [&] {
    for (size_t b = next++; b < batches.size(); b = next++) {
      const std::vector<RowGroup>& batch = batches[b];
      int64_t batch_accepted = 0, batch_existing = 0;
      absl::Status status = spec.send(batch, RequestId(spec.file, b, batch),
                                      batch_accepted, batch_existing);
      int64_t rows = 0;
      for (const RowGroup& g : batch) rows += static_cast<int64_t>(g.size());
      ctx.progress->Add(spec.file, rows);
      if (status.ok()) {
        accepted += batch_accepted;
        existing += batch_existing;
        continue;
      }
      ++failed;
      absl::MutexLock lock(&ctx.mu);
      if (status.code() == absl::StatusCode::kInvalidArgument &&
          FieldViolationsOf(status).empty() &&
          absl::StartsWith(status.message(), table.source())) {
        // A row that did not parse here: the message already reads
        // "<file>:<line>: <column>: <problem>".
        int line = 0;
        const std::string m(status.message());
        (void)absl::SimpleAtoi(m.substr(table.source().size() + 1,
                                        m.find(':', table.source().size() + 1) -
                                            table.source().size() - 1),
                               &line);
        ctx.errors.push_back({{file_order, line}, m});
        continue;
      }
      for (auto& [line, text] : DescribeRejection(spec, table, batch, status)) {
        ctx.errors.push_back({{file_order, line}, std::move(text)});
      }
    }
  };
  std::vector<std::thread> threads;
  const int n = std::min<int>(
      ctx.parallelism, static_cast<int>(std::max<size_t>(1, batches.size())));
  for (int i = 0; i < n; ++i) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  summary.accepted = accepted;
  summary.existing = existing;
  summary.failed_batches = failed;
  return summary;
}

// ---- The files ----------------------------------------------------------

std::vector<FileSpec> Specs(const Endpoints& e) {
  auto criteria_stub = std::shared_ptr<criteria::CriteriaService::Stub>(
      criteria::CriteriaService::NewStub(e.Channel(e.criteria)));
  auto ps_stub = std::shared_ptr<publicservice::PublicServiceStatistics::Stub>(
      publicservice::PublicServiceStatistics::NewStub(
          e.Channel(e.publicservice)));
  auto eid_stub = std::shared_ptr<eidentity::EidentityService::Stub>(
      eidentity::EidentityService::NewStub(e.Channel(e.eidentity)));
  const Endpoints* endpoints = &e;
  std::vector<FileSpec> specs;

  // criteria.csv: CreateCriterion per row.
  specs.push_back(
      {.file = "criteria.csv",
       .columns = {"code", "title", "source", "block", "group", "level"},
       .send = [=](const std::vector<RowGroup>& batch, const std::string& id,
                   int64_t& accepted, int64_t& existing) -> absl::Status {
         const CsvRow& row = *batch[0][0];
         criteria::CreateCriterionRequest req;
         req.set_request_id(id);
         criteria::Criterion* c = req.mutable_criterion();
         c->set_code(std::string(row.Get("code")));
         c->set_title(std::string(row.Get("title")));
         ASSIGN_OR_RETURN(
             auto source,
             ParseEnum(row, "source", criteria::SourceDocument_Parse));
         c->set_source(source);
         c->set_source_reference(std::string(row.Get("source_reference")));
         ASSIGN_OR_RETURN(auto block,
                          ParseEnum(row, "block", criteria::Block_Parse));
         c->set_block(block);
         ASSIGN_OR_RETURN(auto group,
                          ParseEnum(row, "group", criteria::Group_Parse));
         c->set_group(group);
         ASSIGN_OR_RETURN(auto level,
                          ParseEnum(row, "level", common::v1::UnitLevel_Parse));
         c->set_level(level);
         if (!row.Get("deadline").empty()) {
           ASSIGN_OR_RETURN(*c->mutable_deadline(),
                            ParseTimestamp(row, "deadline"));
         }
         criteria::Criterion resp;
         absl::Status s = FromGrpcStatus(criteria_stub->CreateCriterion(
             endpoints->Context().get(), req, &resp));
         if (s.code() == absl::StatusCode::kAlreadyExists) {
           ++existing;
           return absl::OkStatus();
         }
         RETURN_IF_ERROR(s);
         ++accepted;
         return absl::OkStatus();
       }});

  // assignments.csv: BatchCreateAssignments per row (a criterion to every
  // unit of its level in a province).
  specs.push_back(
      {.file = "assignments.csv",
       .columns = {"criterion", "target", "assign_time"},
       .aliases = {{"province", "target"}, {"units", "target"}},
       .send = [=](const std::vector<RowGroup>& batch, const std::string& id,
                   int64_t& accepted, int64_t&) -> absl::Status {
         const CsvRow& row = *batch[0][0];
         criteria::BatchCreateAssignmentsRequest req;
         req.set_request_id(id);
         std::string criterion(row.Get("criterion"));
         if (!absl::StartsWith(criterion, "criteria/")) {
           criterion = absl::StrCat("criteria/", criterion);
         }
         req.set_criterion(criterion);
         const std::string target(row.Get("target"));
         if (absl::StrContains(target, "/communes/") ||
             absl::StrContains(target, "/agencies/")) {
           req.mutable_units()->add_units(target);
         } else {
           req.set_province(target);
         }
         if (!row.Get("assign_time").empty()) {
           ASSIGN_OR_RETURN(*req.mutable_assign_time(),
                            ParseTimestamp(row, "assign_time"));
         }
         criteria::BatchCreateAssignmentsResponse resp;
         RETURN_IF_ERROR(FromGrpcStatus(criteria_stub->BatchCreateAssignments(
             endpoints->Context().get(), req, &resp)));
         accepted += resp.assignments_size() + resp.already_assigned_size();
         return absl::OkStatus();
       }});

  // progress.csv: BatchReportProgress, 1,000 reports a call.
  specs.push_back(
      {.file = "progress.csv",
       .columns = {"unit", "criterion", "state", "complete_time"},
       .batch_size = 1000,
       .items_field = "items",
       .aliases = {{"assignment", "criterion"},
                   {"document_number", "evidence"}},
       .send = [=](const std::vector<RowGroup>& batch, const std::string& id,
                   int64_t& accepted, int64_t&) -> absl::Status {
         criteria::BatchReportProgressRequest req;
         req.set_request_id(id);
         for (const RowGroup& g : batch) {
           const CsvRow& row = *g[0];
           criteria::ProgressReport* r = req.add_items();
           std::string code(row.Get("criterion"));
           if (absl::StartsWith(code, "criteria/")) code = code.substr(9);
           r->set_assignment(
               absl::StrCat(AbslView(row.Get("unit")), "/assignments/", code));
           ASSIGN_OR_RETURN(
               auto state,
               ParseEnum(row, "state", criteria::ProgressState_Parse));
           r->set_state(state);
           if (!row.Get("complete_time").empty()) {
             ASSIGN_OR_RETURN(*r->mutable_complete_time(),
                              ParseTimestamp(row, "complete_time"));
           }
           if (!row.Get("evidence").empty()) {
             r->mutable_evidence()->set_document_number(
                 std::string(row.Get("evidence")));
           }
           r->set_note(std::string(row.Get("note")));
         }
         criteria::BatchReportProgressResponse resp;
         RETURN_IF_ERROR(FromGrpcStatus(criteria_stub->BatchReportProgress(
             endpoints->Context().get(), req, &resp)));
         accepted += resp.assignments_size();
         return absl::OkStatus();
       }});

  // procedures.csv: CreateProcedure per row.
  specs.push_back(
      {.file = "procedures.csv",
       .columns = {"unit", "code", "display_name", "field", "online_level"},
       .aliases = {{"parent", "unit"}, {"procedure_id", "code"}},
       .send = [=](const std::vector<RowGroup>& batch, const std::string& id,
                   int64_t& accepted, int64_t& existing) -> absl::Status {
         const CsvRow& row = *batch[0][0];
         publicservice::CreateProcedureRequest req;
         req.set_request_id(id);
         req.set_parent(std::string(row.Get("unit")));
         req.set_procedure_id(std::string(row.Get("code")));
         publicservice::Procedure* p = req.mutable_procedure();
         p->set_display_name(std::string(row.Get("display_name")));
         p->set_field(std::string(row.Get("field")));
         ASSIGN_OR_RETURN(
             auto level,
             ParseEnum(row, "online_level", publicservice::OnlineLevel_Parse));
         p->set_online_level(level);
         const std::string_view essential = row.Get("essential");
         if (essential != "" && essential != "true" && essential != "false") {
           return RowError(row, "essential", "expected true or false");
         }
         p->set_essential(essential == "true");
         if (!row.Get("level_effective_from").empty()) {
           ASSIGN_OR_RETURN(*p->mutable_level_effective_from(),
                            ParseDate(row, "level_effective_from"));
         }
         publicservice::Procedure resp;
         absl::Status s = FromGrpcStatus(
             ps_stub->CreateProcedure(endpoints->Context().get(), req, &resp));
         if (s.code() == absl::StatusCode::kAlreadyExists) {
           ++existing;
           return absl::OkStatus();
         }
         RETURN_IF_ERROR(s);
         ++accepted;
         return absl::OkStatus();
       }});

  // dossier_stats.csv: BatchReportDossierStats, 1,000 reports a call.
  specs.push_back(
      {.file = "dossier_stats.csv",
       .columns = {"unit", "month"},
       .batch_size = 1000,
       .items_field = "requests",
       .aliases = {{"period", "month"}, {"procedure", "field"}},
       .send = [=](const std::vector<RowGroup>& batch, const std::string& id,
                   int64_t& accepted, int64_t&) -> absl::Status {
         publicservice::BatchReportDossierStatsRequest req;
         req.set_request_id(id);
         for (const RowGroup& g : batch) {
           const CsvRow& row = *g[0];
           publicservice::DossierStats* s = req.add_requests()->mutable_stats();
           s->set_unit(std::string(row.Get("unit")));
           s->mutable_period()->set_month(std::string(row.Get("month")));
           if (!row.Get("procedure").empty()) {
             s->set_procedure(std::string(row.Get("procedure")));
           } else {
             s->set_field(std::string(row.Get("field")));
           }
           publicservice::DossierCounts* counts = s->mutable_counts();
           const auto* d = counts->GetDescriptor();
           const auto* r = counts->GetReflection();
           for (int i = 0; i < d->field_count(); ++i) {
             const std::string& column = d->field(i)->name();
             if (row.Get(column).empty()) continue;
             ASSIGN_OR_RETURN(int64_t v, ParseCount(row, column));
             r->SetInt64(counts, d->field(i), v);
           }
         }
         publicservice::BatchReportDossierStatsResponse resp;
         RETURN_IF_ERROR(FromGrpcStatus(ps_stub->BatchReportDossierStats(
             endpoints->Context().get(), req, &resp)));
         accepted += resp.stats_size();
         return absl::OkStatus();
       }});

  // metric_snapshots.csv: consecutive rows of one unit, date and source are
  // one Snapshot; BatchReportSnapshots, 500 snapshots a call.
  specs.push_back(
      {.file = "metric_snapshots.csv",
       .columns = {"unit", "as_of_date", "source", "metric", "value"},
       .item_key =
           [](const CsvRow& row) {
             return absl::StrCat(AbslView(row.Get("unit")), "|",
                                 AbslView(row.Get("as_of_date")), "|",
                                 AbslView(row.Get("source")));
           },
       .batch_size = 500,
       .items_field = "snapshots",
       .aliases = {{"as_of_date", "as_of_date"}},
       .send = [=](const std::vector<RowGroup>& batch, const std::string& id,
                   int64_t& accepted, int64_t&) -> absl::Status {
         eidentity::BatchReportSnapshotsRequest req;
         req.set_request_id(id);
         for (const RowGroup& g : batch) {
           eidentity::Snapshot* s = req.add_snapshots();
           s->set_unit(std::string(g[0]->Get("unit")));
           ASSIGN_OR_RETURN(*s->mutable_as_of_date(),
                            ParseDate(*g[0], "as_of_date"));
           s->set_source(std::string(g[0]->Get("source")));
           for (const CsvRow* row : g) {
             ASSIGN_OR_RETURN(int64_t v, ParseCount(*row, "value"));
             const std::string metric(row->Get("metric"));
             if (s->values().contains(metric)) {
               return RowError(*row, "metric", "repeated in the snapshot");
             }
             (*s->mutable_values())[metric].set_count(v);
           }
         }
         eidentity::BatchReportSnapshotsResponse resp;
         RETURN_IF_ERROR(FromGrpcStatus(eid_stub->BatchReportSnapshots(
             endpoints->Context().get(), req, &resp)));
         for (const auto& r : resp.results()) accepted += r.values_written();
         return absl::OkStatus();
       }});
  return specs;
}

}  // namespace

absl::StatusOr<LoadSummary> DatasetLoader::Load(const std::string& dir) {
  const absl::Time start = absl::Now();
  if (!std::filesystem::is_directory(dir)) {
    return absl::NotFoundError(absl::StrCat(dir, ": no such directory"));
  }
  std::vector<FileSpec> specs = Specs(endpoints_);
  // Read and check every file first: a malformed file loads nothing.
  std::vector<std::pair<const FileSpec*, CsvTable>> tables;
  int64_t total_rows = 0;
  for (const FileSpec& spec : specs) {
    const std::filesystem::path path = std::filesystem::path(dir) / spec.file;
    if (!std::filesystem::exists(path)) continue;
    ASSIGN_OR_RETURN(CsvTable table, CsvTable::ReadFile(path.string()));
    for (std::string_view column : spec.columns) {
      if (!table.HasColumn(column)) {
        return table.Error(
            table.header_line(),
            absl::StrCat("missing column \"", AbslView(column), "\""));
      }
    }
    total_rows += static_cast<int64_t>(table.rows().size());
    tables.emplace_back(&spec, std::move(table));
  }
  if (tables.empty()) {
    return absl::NotFoundError(
        absl::StrCat(dir,
                     ": no dataset files (criteria.csv, progress.csv, "
                     "procedures.csv, ... )"));
  }
  Progress progress(progress_, options_.progress_bar, total_rows);
  LoadContext ctx{.parallelism = options_.parallelism, .progress = &progress};
  LoadSummary summary;
  summary.dir = dir;
  for (size_t i = 0; i < tables.size(); ++i) {
    summary.files.push_back(
        LoadFile(*tables[i].first, tables[i].second, static_cast<int>(i), ctx));
  }
  progress.Finish();
  {
    absl::MutexLock lock(&ctx.mu);
    std::sort(ctx.errors.begin(), ctx.errors.end());
    for (auto& [key, text] : ctx.errors) summary.errors.push_back(text);
  }
  summary.elapsed = absl::Now() - start;
  return summary;
}

std::string FormatLoadSummary(const LoadSummary& summary) {
  std::string out;
  int64_t failed = 0;
  for (const FileSummary& f : summary.files) failed += f.failed_batches;
  absl::StrAppend(
      &out, failed == 0 ? "loaded " : "loaded with errors ", summary.dir,
      " in ", absl::StrFormat("%.1f s", absl::ToDoubleSeconds(summary.elapsed)),
      "\n");
  for (const FileSummary& f : summary.files) {
    absl::StrAppend(&out,
                    absl::StrFormat("  %-22s %7d rows  %5d calls  %7d accepted",
                                    f.file, f.rows, f.batches, f.accepted));
    if (f.existing > 0) {
      absl::StrAppend(&out,
                      absl::StrFormat("  %d already present", f.existing));
    }
    if (f.failed_batches > 0) {
      absl::StrAppend(&out, absl::StrFormat("  %d REJECTED", f.failed_batches));
    }
    out += "\n";
  }
  return out;
}

}  // namespace nq57::ctl
