// The CSV reader (common/csv/csv_reader.h) on arbitrary text: it parses or
// refuses with a status, never crashes, and every record it returns has
// one field per header column. And what CsvWriter writes, the reader reads
// back field for field.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/csv/csv_reader.h"
#include "common/csv/csv_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<nq57::CsvTable> table =
      nq57::CsvTable::ParseString(text, "fuzz.csv");
  if (table.ok()) {
    (void)table->RequireColumns({"code", "name"});
    (void)table->version();
    for (const nq57::CsvRow& row : table->rows()) {
      if (row.fields().size() != table->columns().size()) abort();
    }
  }
  // The input's bytes as the fields of a two-column file.
  std::vector<std::string> fields = {"", ""};
  size_t f = 0;
  for (char c : text) {
    if (c == '\x01') {
      f = 1 - f;
      continue;
    }
    fields[f].push_back(c);
  }
  std::string csv;
  nq57::AppendCsvRow(csv, {"a", "b"});
  nq57::AppendCsvRow(csv, {fields[0], fields[1]});
  absl::StatusOr<nq57::CsvTable> back =
      nq57::CsvTable::ParseString(csv, "written.csv");
  // The reader may refuse what it would not accept as data (a leading "#"
  // is a comment, control bytes); it must never read something else.
  if (back.ok() && !back->rows().empty()) {
    if (back->rows().size() != 1 || back->rows()[0].fields() != fields) {
      abort();
    }
  }
  return 0;
}
