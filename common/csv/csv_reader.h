// A reader for the CSV files nq57 keeps its reference data in
// (deploy/config/, datasets): RFC 4180 text in UTF-8, read whole into an
// immutable table.
//
// File format:
//   * Lines starting with '#' before the header row are comments. A comment
//     of the form "# key: value" is an annotation; "# version: X" declares the
//     file's version X.
//   * The first other line is the header: it names the columns (unique,
//     non-empty).
//   * Each following record has exactly one field per column. Fields may be
//     quoted with '"'; a quoted field may hold commas, line breaks and doubled
//     quotes ("" for "). A quote inside an unquoted field is an error.
//   * Lines end with LF or CRLF; a UTF-8 byte order mark at the start is
//     skipped; blank lines are ignored. Fields are not trimmed.
//
// Every row knows the 1-based line of the file on which it starts, and every
// error is an absl::InvalidArgumentError whose message names the file, the
// line and the problem:
//   "deploy/config/units/communes.csv:17: expected 5 fields, got 4"
// Checks on a row's contents made by the caller should use CsvRow::Error()
// so that they read the same way.
//
// Example:
//
//   ASSIGN_OR_RETURN(CsvTable table, CsvTable::ReadFile(path));
//   RETURN_IF_ERROR(table.RequireColumns({"code", "name"}));
//   for (const CsvRow& row : table.rows()) {
//     if (row.Get("code").empty()) return row.Error("empty code");
//     ...
//   }
//
// Thread-safety: a CsvTable and its rows are immutable once read; const
// methods may be called concurrently.
#ifndef NQ57_COMMON_CSV_CSV_READER_H_
#define NQ57_COMMON_CSV_CSV_READER_H_

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace nq57 {

// What a table's rows share: its source name and columns (csv_reader.cc).
struct CsvSchema;

// One record of a CsvTable. Cheap to copy; stays valid on its own (it shares
// the table's schema), even after the table is moved or destroyed.
class CsvRow {
 public:
  CsvRow(std::shared_ptr<const CsvSchema> schema, int line,
         std::vector<std::string> fields);

  // The field in `column`, or "" if the table has no such column (check with
  // CsvTable::RequireColumns first).
  std::string_view Get(std::string_view column) const;

  // The 1-based line of the file on which this record starts.
  int line() const { return line_; }

  // The fields in column order.
  const std::vector<std::string>& fields() const { return fields_; }

  // InvalidArgumentError("<source>:<line>: <problem>").
  absl::Status Error(std::string_view problem) const;

 private:
  std::shared_ptr<const CsvSchema> schema_;  // shared with the table
  int line_;
  std::vector<std::string> fields_;
};

// A parsed CSV file: its annotations, header and records.
class CsvTable {
 public:
  // Reads and parses the file at `path`; errors name `path`. NotFound (or the
  // matching errno code) if it cannot be read; InvalidArgument if malformed.
  static absl::StatusOr<CsvTable> ReadFile(const std::string& path);

  // Parses `text`; errors name `source` (e.g. a file name).
  static absl::StatusOr<CsvTable> ParseString(std::string_view text,
                                              std::string_view source);

  // OK if the header has every one of `columns`; otherwise an
  // InvalidArgumentError naming the file, the header line and the first
  // missing column.
  absl::Status RequireColumns(
      std::initializer_list<std::string_view> columns) const;

  bool HasColumn(std::string_view column) const;

  // The value of the "# version: X" comment, or "" if there is none.
  std::string_view version() const { return Annotation("version"); }

  // The value of the "# <key>: value" comment before the header, or "".
  std::string_view Annotation(std::string_view key) const;

  // The file name errors are reported against.
  const std::string& source() const;
  // The header's column names, in file order.
  const std::vector<std::string>& columns() const;
  int header_line() const { return header_line_; }
  const std::vector<CsvRow>& rows() const { return rows_; }

  // InvalidArgumentError("<source>:<line>: <problem>").
  absl::Status Error(int line, std::string_view problem) const;

 private:
  CsvTable(std::shared_ptr<const CsvSchema> schema,
           std::map<std::string, std::string, std::less<>> annotations,
           int header_line, std::vector<CsvRow> rows);

  std::shared_ptr<const CsvSchema> schema_;
  std::map<std::string, std::string, std::less<>> annotations_;
  int header_line_;
  std::vector<CsvRow> rows_;
};

}  // namespace nq57

#endif  // NQ57_COMMON_CSV_CSV_READER_H_
