// Point in time: how the aggregator's measures remember *when* each
// contribution took effect, so a report for (period, as_of) is computed from
// what was true at as_of, not from the latest state.
//
// Every measure of a report lives in "at:<seconds>" buckets: the change of
// the measure that took effect at that instant (Unix seconds, 12 digits, so
// buckets sort in time). A measure's value at t is the sum of its "at:"
// buckets up to t; a flow's value over a period is the sum of its buckets
// inside the period. Effective times are the inputs' own: an assignment's
// assign_time, a completion's complete_time, a Project 06 point's as-of date
// and a dossier statistic's month (each at 00:00 in Vietnam), a procedure
// version's level_effective_from; a change without such a time takes effect
// at its commit.
//
// Per unit, "<source>.unit.reported" in "at:" buckets counts the unit's
// reports by their effective time: coverage (units that reported in the
// period), staleness and explanations read it.
//
// Pure functions over RollupState: thread-compatible.
#ifndef NQ57_SERVICES_AGGREGATOR_POINT_IN_TIME_H_
#define NQ57_SERVICES_AGGREGATOR_POINT_IN_TIME_H_

#include <algorithm>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/aggregator/rollup_state.h"

namespace nq57::aggregator {

inline constexpr char kAtBucketPrefix[] = "at:";

// "at:000001761152400" for 2025-10-23T00:00:00+07:00. Instants before 1970
// are clamped to 0 (inputs are validated to 2000..2199 upstream).
std::string AtBucket(absl::Time t);
// The instant of an "at:" bucket; false if `bucket` is not one.
bool ParseAtBucket(std::string_view bucket, absl::Time* t);
// The open-deadline index: "open:<deadline, RFC 3339 UTC>|at:<seconds>",
// the bucket of a task with `deadline` whose open count changes at `when`
// (sorts by deadline, then time), and its inverse.
inline constexpr char kOpenBucketPrefix[] = "open:";
std::string OpenDeadlineBucket(absl::Time deadline, absl::Time when);
bool ParseOpenDeadlineBucket(std::string_view bucket, absl::Time* deadline,
                             absl::Time* when);

// 00:00 in Vietnam on `day`: when a dated report takes effect.
absl::Time StartOfDay(absl::CivilDay day);

// Counts one report of `unit` under `source` taking effect at `when`
// (sign +1) or withdrawn (-1).
absl::Status RecordReport(std::string_view source, std::string_view unit,
                          absl::Time when, int sign, RollupState& state);

// The window of a report: contributions at or before `as_of` and before the
// end of the period count; flows count from the period's start.
struct ReportWindow {
  absl::Time start;  // the period's first instant (00:00 Vietnam)
  absl::Time end;    // exclusive: the next period's first instant
  absl::Time as_of;
  // The last instant that counts.
  absl::Time cutoff() const { return std::min(as_of, end - absl::Seconds(1)); }
  bool Counts(absl::Time t) const { return t <= as_of && t < end; }
  bool Within(absl::Time t) const { return Counts(t) && t >= start; }
};

}  // namespace nq57::aggregator

#endif  // NQ57_SERVICES_AGGREGATOR_POINT_IN_TIME_H_
