#include "services/aggregator/point_in_time.h"

#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/base/absl_view.h"
#include "common/base/vietnam_time.h"
#include "services/aggregator/measure_names.h"

namespace nq57::aggregator {

std::string AtBucket(absl::Time t) {
  const int64_t seconds = std::max<int64_t>(0, absl::ToUnixSeconds(t));
  return absl::StrFormat("%s%012d", kAtBucketPrefix, seconds);
}

bool ParseAtBucket(std::string_view bucket, absl::Time* t) {
  const std::string_view prefix = kAtBucketPrefix;
  if (bucket.substr(0, prefix.size()) != prefix) return false;
  const std::string_view digits = bucket.substr(prefix.size());
  int64_t seconds = 0;
  // AtBucket's 12 digits, read by hand: report scans parse every bucket.
  if (digits.size() == 12) {
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      seconds = seconds * 10 + (c - '0');
    }
  } else if (!absl::SimpleAtoi(AbslView(digits), &seconds)) {
    return false;
  }
  *t = absl::FromUnixSeconds(seconds);
  return true;
}

absl::Time StartOfDay(absl::CivilDay day) {
  return absl::FromCivil(day, VietnamTime());
}

absl::Status RecordReport(std::string_view source, std::string_view unit,
                          absl::Time when, int sign, RollupState& state) {
  return state.AddMeasure(
      {std::string(unit), AtBucket(when), measures::UnitReported(source)},
      sign);
}

std::string OpenDeadlineBucket(absl::Time deadline, absl::Time when) {
  return absl::StrCat(
      kOpenBucketPrefix,
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", deadline, absl::UTCTimeZone()),
      "|", AtBucket(when));
}

namespace {

// "YYYY-MM-DDTHH:MM:SSZ" exactly as OpenDeadlineBucket writes it, read by
// hand (report scans parse every open bucket; absl::ParseTime is far
// slower); false for anything else, an impossible date included.
bool ParseUtcSecond(std::string_view s, absl::Time* out) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
      s[13] != ':' || s[16] != ':' || s[19] != 'Z') {
    return false;
  }
  auto number = [&](size_t at, size_t len, int* v) {
    *v = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      *v = *v * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, se;
  if (!number(0, 4, &y) || !number(5, 2, &mo) || !number(8, 2, &d) ||
      !number(11, 2, &h) || !number(14, 2, &mi) || !number(17, 2, &se)) {
    return false;
  }
  const absl::CivilSecond civil(y, mo, d, h, mi, se);
  // CivilSecond normalizes (February 30 becomes March 2): refuse that.
  if (civil.year() != y || civil.month() != mo || civil.day() != d ||
      civil.hour() != h || civil.minute() != mi || civil.second() != se) {
    return false;
  }
  *out = absl::FromCivil(civil, absl::UTCTimeZone());
  return true;
}

}  // namespace

bool ParseOpenDeadlineBucket(std::string_view bucket, absl::Time* deadline,
                             absl::Time* when) {
  const std::string_view prefix = kOpenBucketPrefix;
  if (bucket.substr(0, prefix.size()) != prefix) return false;
  const size_t bar = bucket.find('|');
  if (bar == std::string_view::npos) return false;
  return ParseUtcSecond(bucket.substr(prefix.size(), bar - prefix.size()),
                        deadline) &&
         ParseAtBucket(bucket.substr(bar + 1), when);
}

}  // namespace nq57::aggregator
