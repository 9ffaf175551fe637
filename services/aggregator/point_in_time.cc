#include "services/aggregator/point_in_time.h"

#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

bool ParseOpenDeadlineBucket(std::string_view bucket, absl::Time* deadline,
                             absl::Time* when) {
  const std::string_view prefix = kOpenBucketPrefix;
  if (bucket.substr(0, prefix.size()) != prefix) return false;
  const size_t bar = bucket.find('|');
  if (bar == std::string_view::npos) return false;
  std::string error;
  return absl::ParseTime(
             "%Y-%m-%dT%H:%M:%SZ",
             std::string(bucket.substr(prefix.size(), bar - prefix.size())),
             deadline, &error) &&
         ParseAtBucket(bucket.substr(bar + 1), when);
}

}  // namespace nq57::aggregator
