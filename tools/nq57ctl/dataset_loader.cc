#include "tools/nq57ctl/dataset_loader.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
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
#include "tools/nq57ctl/criteria_rows.h"
#include "tools/nq57ctl/eidentity_rows.h"
#include "tools/nq57ctl/publicservice_rows.h"
#include "tools/nq57ctl/row_mapper.h"

namespace nq57::ctl {
namespace {

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
    const FileSpec& spec, const CsvTable& table, const Batch& batch,
    const absl::Status& status) {
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

std::string RequestId(std::string_view file, size_t index, const Batch& batch) {
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
  std::vector<Batch> batches;
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
      const Batch& batch = batches[b];
      absl::StatusOr<BatchOutcome> outcome =
          spec.send(batch, RequestId(spec.file, b, batch));
      int64_t rows = 0;
      for (const RowGroup& g : batch) rows += static_cast<int64_t>(g.size());
      ctx.progress->Add(spec.file, rows);
      if (outcome.ok()) {
        accepted += outcome->accepted;
        existing += outcome->existing;
        continue;
      }
      const absl::Status& status = outcome.status();
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

// Every dataset file, in load order (criteria-server's, then
// publicservice-server's, then eidentity-server's).
std::vector<FileSpec> Specs(const Endpoints* endpoints) {
  std::vector<FileSpec> specs;
  for (auto* service_specs :
       {&CriteriaFileSpecs, &PublicServiceFileSpecs, &EidentityFileSpecs}) {
    for (FileSpec& spec : service_specs(endpoints)) {
      specs.push_back(std::move(spec));
    }
  }
  return specs;
}

}  // namespace

absl::StatusOr<LoadSummary> DatasetLoader::Load(const std::string& dir) {
  const absl::Time start = absl::Now();
  if (!std::filesystem::is_directory(dir)) {
    return absl::NotFoundError(absl::StrCat(dir, ": no such directory"));
  }
  std::vector<FileSpec> specs = Specs(&endpoints_);
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