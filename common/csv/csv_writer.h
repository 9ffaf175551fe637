// Writing CSV the way CsvTable (csv_reader.h) reads it back: RFC 4180 text,
// records ending in LF.
//
// A field is written as it is unless it holds a comma, a double quote, a
// line feed or a carriage return; then it is quoted with '"' and every '"'
// inside is doubled. Whatever a writer writes, CsvTable::ParseString reads
// back field for field.
//
//   std::string out;
//   AppendCsvRow(out, {"code", "title"});
//   AppendCsvRow(out, {"P1", "Đất đai, nông nghiệp"});
//   // out == "code,title\nP1,\"Đất đai, nông nghiệp\"\n"
//
// Pure functions: thread-safe.
#ifndef NQ57_COMMON_CSV_CSV_WRITER_H_
#define NQ57_COMMON_CSV_CSV_WRITER_H_

#include <initializer_list>
#include <string>
#include <string_view>

namespace nq57 {

// `field` as one CSV field: quoted only where RFC 4180 requires it.
std::string CsvField(std::string_view field);

// Appends `fields` to `out` as one record: CsvField of each, separated by
// commas, then '\n'.
void AppendCsvRow(std::string& out,
                  std::initializer_list<std::string_view> fields);

}  // namespace nq57

#endif  // NQ57_COMMON_CSV_CSV_WRITER_H_
