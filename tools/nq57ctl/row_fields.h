// Row fields: reading one column of a dataset CSV row as the value a request
// field needs (an RFC 3339 instant, a date, a count, a proto enum), shared by
// the row mappers (criteria_rows.h, publicservice_rows.h, eidentity_rows.h).
//
// Every error is INVALID_ARGUMENT reading "<file>:<line>: <column>:
// <problem>" (CsvRow::Error), which is how `nq57ctl load` reports a bad row.
//
// Pure functions: thread-safe.
//
//   ASSIGN_OR_RETURN(auto block, EnumField(row, "block", Block_Parse));
//   RETURN_IF_ERROR(SetIfGiven(row, "assign_time", TimestampField, req,
//                              &BatchCreateAssignmentsRequest::mutable_assign_time));
#ifndef NQ57_TOOLS_NQ57CTL_ROW_FIELDS_H_
#define NQ57_TOOLS_NQ57CTL_ROW_FIELDS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/csv/csv_reader.h"
#include "google/protobuf/timestamp.pb.h"
#include "nq57/common/v1/period.pb.h"

namespace nq57::ctl {

// "<file>:<line>: <column>: <problem>".
absl::Status RowError(const CsvRow& row, std::string_view column,
                      std::string_view problem);

// An RFC 3339 instant, e.g. 2025-10-23T00:00:00+07:00.
absl::StatusOr<google::protobuf::Timestamp> TimestampField(
    const CsvRow& row, std::string_view column);
// A calendar date, YYYY-MM-DD.
absl::StatusOr<common::v1::Date> DateField(const CsvRow& row,
                                           std::string_view column);
// A decimal integer.
absl::StatusOr<int64_t> CountField(const CsvRow& row, std::string_view column);

// A proto enum by its value name (`parse` is the generated <Enum>_Parse); the
// zero ("unspecified") value is refused. With `optional`, an empty field is
// the zero value.
template <typename Enum>
absl::StatusOr<Enum> EnumField(const CsvRow& row, std::string_view column,
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

// Sets the field `mutable_field` of `message` to what `parse` reads from
// `column` (TimestampField, DateField) if the column is not empty; an empty
// column leaves the field unset.
template <typename Message, typename Value>
absl::Status SetIfGiven(const CsvRow& row, std::string_view column,
                        absl::StatusOr<Value> (*parse)(const CsvRow&,
                                                       std::string_view),
                        Message& message, Value* (Message::*mutable_field)()) {
  if (row.Get(column).empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(*(message.*mutable_field)(), parse(row, column));
  return absl::OkStatus();
}

}  // namespace nq57::ctl

#endif  // NQ57_TOOLS_NQ57CTL_ROW_FIELDS_H_
