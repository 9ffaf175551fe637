#include "common/time/months.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/absl_view.h"
#include "common/base/field_error.h"
#include "common/base/vietnam_time.h"
#include "common/time/proto_time.h"

namespace nq57 {

absl::StatusOr<absl::CivilMonth> ParseMonth(std::string_view text,
                                            std::string_view field) {
  int year = 0, month = 0;
  if (text.size() != 7 || text[4] != '-' ||
      !absl::ascii_isdigit(static_cast<unsigned char>(text[0])) ||
      !absl::ascii_isdigit(static_cast<unsigned char>(text[5])) ||
      !absl::SimpleAtoi(AbslView(text.substr(0, 4)), &year) ||
      !absl::SimpleAtoi(AbslView(text.substr(5, 2)), &month) || month < 1 ||
      month > 12 || year < kMinDateYear || year > kMaxDateYear) {
    return InvalidFieldError(field, "must be a month YYYY-MM from 2000 on");
  }
  return absl::CivilMonth(year, month);
}

std::string FormatMonth(absl::CivilMonth month) {
  return absl::StrFormat("%04d-%02d", month.year(), month.month());
}

uint64_t MonthIndex(absl::CivilMonth month) {
  return static_cast<uint64_t>(month.year() * 12 + month.month() - 1);
}

std::string MonthOf(absl::Time t) {
  return absl::FormatTime("%Y-%m", t, VietnamTime());
}

absl::StatusOr<std::vector<std::string>> PeriodMonths(std::string_view period,
                                                      std::string_view field) {
  auto bad = [&] {
    return InvalidFieldError(
        field, absl::StrCat("expected YYYY-MM, YYYY-Qn or YYYY, got \"",
                            AbslView(period.substr(0, 16)), "\""));
  };
  int year = 0;
  if (period.size() < 4 ||
      !absl::ascii_isdigit(static_cast<unsigned char>(period[0])) ||
      !absl::SimpleAtoi(AbslView(period.substr(0, 4)), &year) || year < 2000 ||
      year > 2100) {
    return bad();
  }
  int first = 1, last = 12;
  if (period.size() == 7 && period[4] == '-' && period[5] != 'Q') {
    int month;
    if (!absl::ascii_isdigit(static_cast<unsigned char>(period[5])) ||
        !absl::SimpleAtoi(AbslView(period.substr(5)), &month) || month < 1 ||
        month > 12) {
      return bad();
    }
    first = last = month;
  } else if (period.size() == 7 && period[4] == '-' && period[5] == 'Q') {
    int quarter;
    if (!absl::ascii_isdigit(static_cast<unsigned char>(period[6])) ||
        !absl::SimpleAtoi(AbslView(period.substr(6)), &quarter) ||
        quarter < 1 || quarter > 4) {
      return bad();
    }
    first = 3 * quarter - 2;
    last = 3 * quarter;
  } else if (period.size() != 4) {
    return bad();
  }
  std::vector<std::string> months;
  for (int m = first; m <= last; ++m) {
    months.push_back(absl::StrFormat("%04d-%02d", year, m));
  }
  return months;
}

}  // namespace nq57
