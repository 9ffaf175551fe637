#include "common/csv/csv_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace nq57 {

struct CsvSchema {
  std::string source;
  std::vector<std::string> columns;
  std::map<std::string, size_t, std::less<>> column_index;
};

namespace {

// absl::StrCat in Abseil 20220623 does not take std::string_view.
std::string Str(std::string_view text) { return std::string(text); }

absl::Status ErrorAt(std::string_view source, int line,
                     std::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(Str(source), ":", line, ": ", Str(problem)));
}

// The offset of the first byte that is not part of well-formed UTF-8 (no
// overlong forms, no surrogates, nothing above U+10FFFF), or npos.
size_t FirstInvalidUtf8(std::string_view text) {
  const auto byte = [&](size_t i) {
    return static_cast<unsigned char>(text[i]);
  };
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char lead = byte(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    unsigned char low = 0x80, high = 0xBF;  // range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    if (byte(i + 1) < low || byte(i + 1) > high) return i;
    for (size_t k = 2; k < length; ++k) {
      if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return i;
    }
    i += length;
  }
  return std::string_view::npos;
}

std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

bool IsAnnotationKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

// Walks the text record by record, counting lines.
class RecordScanner {
 public:
  RecordScanner(std::string_view text, std::string_view source)
      : text_(text), source_(source) {}

  bool AtEnd() const { return pos_ >= text_.size(); }

  // The 1-based line at the current position.
  int line() const { return line_; }

  // The current physical line without its line ending.
  std::string_view PeekLine() const {
    std::string_view rest = text_.substr(pos_);
    std::string_view line = rest.substr(0, rest.find('\n'));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }

  void SkipLine() {
    const size_t newline = text_.find('\n', pos_);
    pos_ = newline == std::string_view::npos ? text_.size() : newline + 1;
    ++line_;
  }

  // Reads the record at the current position (which may span lines when a
  // quoted field holds line breaks) and moves past its line ending.
  absl::Status ReadRecord(std::vector<std::string>& fields) {
    fields.clear();
    while (true) {
      std::string field;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        RETURN_IF_ERROR(ReadQuoted(field));
      } else {
        RETURN_IF_ERROR(ReadUnquoted(field));
      }
      fields.push_back(std::move(field));
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      // At a line ending or the end of the text.
      if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
      if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
      ++line_;
      return absl::OkStatus();
    }
  }

 private:
  absl::Status ReadQuoted(std::string& field) {
    const int start_line = line_;
    ++pos_;  // the opening quote
    while (true) {
      if (pos_ >= text_.size()) {
        return ErrorAt(source_, start_line, "unterminated quoted field");
      }
      const char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          field.push_back('"');
          pos_ += 2;
          continue;
        }
        ++pos_;  // the closing quote
        break;
      }
      if (c == '\n') ++line_;
      field.push_back(c);
      ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' &&
        text_.substr(pos_, 2) != "\r\n" && text_.substr(pos_) != "\r") {
      return ErrorAt(source_, line_,
                     "unexpected character after a closing quote");
    }
    return absl::OkStatus();
  }

  absl::Status ReadUnquoted(std::string& field) {
    const size_t end = text_.find_first_of(",\n", pos_);
    std::string_view value =
        text_.substr(pos_, end == std::string_view::npos ? end : end - pos_);
    pos_ += value.size();
    const bool at_line_end =
        end == std::string_view::npos || text_[end] == '\n';
    if (at_line_end && !value.empty() && value.back() == '\r') {
      value.remove_suffix(1);  // part of a CRLF line ending
      --pos_;
    }
    if (value.find('"') != std::string_view::npos) {
      return ErrorAt(source_, line_, "quote inside an unquoted field");
    }
    field.assign(value);
    return absl::OkStatus();
  }

  std::string_view text_;
  std::string_view source_;
  size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

CsvRow::CsvRow(std::shared_ptr<const CsvSchema> schema, int line,
               std::vector<std::string> fields)
    : schema_(std::move(schema)), line_(line), fields_(std::move(fields)) {}

std::string_view CsvRow::Get(std::string_view column) const {
  const auto it = schema_->column_index.find(column);
  if (it == schema_->column_index.end() || it->second >= fields_.size()) {
    return {};
  }
  return fields_[it->second];
}

absl::Status CsvRow::Error(std::string_view problem) const {
  return ErrorAt(schema_->source, line_, problem);
}

CsvTable::CsvTable(std::shared_ptr<const CsvSchema> schema,
                   std::map<std::string, std::string, std::less<>> annotations,
                   int header_line, std::vector<CsvRow> rows)
    : schema_(std::move(schema)),
      annotations_(std::move(annotations)),
      header_line_(header_line),
      rows_(std::move(rows)) {}

absl::StatusOr<CsvTable> CsvTable::ReadFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot open ", path));
  }
  std::string text;
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      close(fd);
      return absl::ErrnoToStatus(error, absl::StrCat("cannot read ", path));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return ParseString(text, path);
}

absl::StatusOr<CsvTable> CsvTable::ParseString(std::string_view text,
                                               std::string_view source) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (const size_t bad = FirstInvalidUtf8(text);
      bad != std::string_view::npos) {
    const int line = 1 + static_cast<int>(std::count(text.begin(),
                                                     text.begin() + bad, '\n'));
    return ErrorAt(source, line, "invalid UTF-8");
  }

  RecordScanner scanner(text, source);
  std::map<std::string, std::string, std::less<>> annotations;
  std::map<std::string, int, std::less<>> annotation_lines;
  while (!scanner.AtEnd()) {
    const std::string_view line = scanner.PeekLine();
    if (line.empty()) {
      scanner.SkipLine();
      continue;
    }
    if (line.front() != '#') break;
    const std::string_view comment = Trim(line.substr(1));
    const size_t colon = comment.find(':');
    if (colon != std::string_view::npos) {
      const std::string_view key = Trim(comment.substr(0, colon));
      if (IsAnnotationKey(key)) {
        if (const auto it = annotation_lines.find(key);
            it != annotation_lines.end()) {
          return ErrorAt(
              source, scanner.line(),
              absl::StrCat("annotation \"", Str(key),
                           "\" repeated (first on line ", it->second, ")"));
        }
        annotation_lines.emplace(key, scanner.line());
        annotations.emplace(key, Trim(comment.substr(colon + 1)));
      }
    }
    scanner.SkipLine();
  }
  if (scanner.AtEnd()) {
    return ErrorAt(source, scanner.line(), "no header row");
  }

  auto schema = std::make_shared<CsvSchema>();
  schema->source = Str(source);
  const int header_line = scanner.line();
  RETURN_IF_ERROR(scanner.ReadRecord(schema->columns));
  for (size_t i = 0; i < schema->columns.size(); ++i) {
    const std::string& column = schema->columns[i];
    if (column.empty()) {
      return ErrorAt(source, header_line,
                     absl::StrCat("column ", i + 1, " has no name"));
    }
    if (!schema->column_index.emplace(column, i).second) {
      return ErrorAt(source, header_line,
                     absl::StrCat("column \"", column, "\" appears twice"));
    }
  }

  std::vector<CsvRow> rows;
  std::vector<std::string> fields;
  while (!scanner.AtEnd()) {
    if (scanner.PeekLine().empty()) {
      scanner.SkipLine();
      continue;
    }
    const int line = scanner.line();
    RETURN_IF_ERROR(scanner.ReadRecord(fields));
    if (fields.size() != schema->columns.size()) {
      return ErrorAt(source, line,
                     absl::StrCat("expected ", schema->columns.size(),
                                  " fields, got ", fields.size()));
    }
    rows.emplace_back(schema, line, std::move(fields));
    fields = {};
  }
  return CsvTable(std::move(schema), std::move(annotations), header_line,
                  std::move(rows));
}

absl::Status CsvTable::RequireColumns(
    std::initializer_list<std::string_view> columns) const {
  for (std::string_view column : columns) {
    if (!HasColumn(column)) {
      return Error(header_line_, absl::StrCat("missing required column \"",
                                              Str(column), "\""));
    }
  }
  return absl::OkStatus();
}

bool CsvTable::HasColumn(std::string_view column) const {
  return schema_->column_index.contains(column);
}

std::string_view CsvTable::Annotation(std::string_view key) const {
  const auto it = annotations_.find(key);
  return it == annotations_.end() ? std::string_view() : it->second;
}

const std::string& CsvTable::source() const { return schema_->source; }

const std::vector<std::string>& CsvTable::columns() const {
  return schema_->columns;
}

absl::Status CsvTable::Error(int line, std::string_view problem) const {
  return ErrorAt(schema_->source, line, problem);
}

}  // namespace nq57
