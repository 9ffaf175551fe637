#include "tools/nq57ctl/row_fields.h"

#include "absl/strings/numbers.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/base/absl_view.h"
#include "common/time/proto_time.h"

namespace nq57::ctl {

absl::Status RowError(const CsvRow& row, std::string_view column,
                      std::string_view problem) {
  return row.Error(absl::StrCat(AbslView(column), ": ", AbslView(problem)));
}

absl::StatusOr<google::protobuf::Timestamp> TimestampField(
    const CsvRow& row, std::string_view column) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, AbslView(row.Get(column)), &t,
                       &err)) {
    return RowError(row, column,
                    absl::StrCat("not an RFC 3339 time (", err, ")"));
  }
  return ToProtoTime(t);
}

absl::StatusOr<common::v1::Date> DateField(const CsvRow& row,
                                           std::string_view column) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(AbslView(row.Get(column)), &day)) {
    return RowError(row, column, "not a date (YYYY-MM-DD)");
  }
  return ToProtoDate(day);
}

absl::StatusOr<int64_t> CountField(const CsvRow& row, std::string_view column) {
  int64_t v;
  if (!absl::SimpleAtoi(AbslView(row.Get(column)), &v)) {
    return RowError(row, column, "not an integer");
  }
  return v;
}

}  // namespace nq57::ctl
