#include "services/criteria/criteria_counters.h"

#include <map>
#include <set>

#include "common/base/status_macros.h"
#include "common/store/key_codec.h"
#include "common/time/proto_time.h"
#include "services/criteria/criteria_records.h"

namespace nq57::criteria {
namespace {

// Counter metrics.
constexpr char kAssigned[] = "assigned";
constexpr char kCompleted[] = "completed";
constexpr char kWithDeadline[] = "with_deadline";
constexpr char kOnTime[] = "on_time";
constexpr char kLate[] = "late";

std::string ScopePrefix(const Scope& scope) {
  return KeyBuilder().String(scope.key()).Build();
}

std::string BlockGroupCounterKey(const Scope& scope, std::string_view metric,
                                 int block, int group) {
  return KeyBuilder()
      .String(scope.key())
      .String(metric)
      .Uint64(static_cast<uint64_t>(block))
      .Uint64(static_cast<uint64_t>(group))
      .Build();
}

std::string ScopeCounterKey(const Scope& scope, std::string_view metric) {
  return KeyBuilder().String(scope.key()).String(metric).Build();
}

std::string OpenDeadlineKey(const Scope& scope, int64_t deadline_nanos,
                            std::string_view assignment) {
  return KeyBuilder()
      .String(scope.key())
      .Int64(deadline_nanos)
      .String(assignment)
      .Build();
}

// The first open-deadline key of `scope` at or after `as_of`.
std::string OpenDeadlinesEnd(const Scope& scope, absl::Time as_of) {
  return KeyBuilder()
      .String(scope.key())
      .Int64(absl::ToUnixNanos(as_of))
      .Build();
}

}  // namespace

Contribution ContributionOf(const v1::Assignment& a, const v1::Criterion& c) {
  Contribution out;
  if (c.state() != v1::Criterion::ACTIVE) return out;
  const bool completed = a.state() == v1::COMPLETED;
  for (const Scope& scope : ScopesOf(a.unit())) {
    out.counters.push_back(
        BlockGroupCounterKey(scope, kAssigned, c.block(), c.group()));
    if (completed) {
      out.counters.push_back(
          BlockGroupCounterKey(scope, kCompleted, c.block(), c.group()));
    }
    if (!c.has_deadline()) continue;
    out.counters.push_back(ScopeCounterKey(scope, kWithDeadline));
    if (completed) {
      out.counters.push_back(ScopeCounterKey(
          scope, FromProtoTime(a.complete_time()) <= FromProtoTime(c.deadline())
                     ? kOnTime
                     : kLate));
    } else {
      out.open_deadlines.push_back(
          OpenDeadlineKey(scope, UnixNanosOf(c.deadline()), a.name()));
    }
  }
  return out;
}

absl::Status ApplyChange(Transaction& txn, const Contribution& before,
                         const Contribution& after) {
  std::map<std::string, int64_t> deltas;
  for (const std::string& key : before.counters) --deltas[key];
  for (const std::string& key : after.counters) ++deltas[key];
  for (const auto& [key, delta] : deltas) {
    if (delta != 0) {
      RETURN_IF_ERROR(txn.AddToCounter(kCounters, key, delta).status());
    }
  }
  const std::set<std::string> old_keys(before.open_deadlines.begin(),
                                       before.open_deadlines.end());
  const std::set<std::string> new_keys(after.open_deadlines.begin(),
                                       after.open_deadlines.end());
  for (const std::string& key : old_keys) {
    if (!new_keys.contains(key)) {
      RETURN_IF_ERROR(txn.Delete(kOpenDeadlines, key));
    }
  }
  for (const std::string& key : new_keys) {
    if (!old_keys.contains(key)) {
      RETURN_IF_ERROR(txn.Put(kOpenDeadlines, key, ""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ScopeCounts> ReadScopeCounts(const Store& store,
                                            const Scope& scope,
                                            const Snapshot* snapshot) {
  constexpr int kBlocks = ScopeCounts::kBlocks;
  constexpr int kGroups = ScopeCounts::kGroups;
  ScopeCounts counts;
  const std::string prefix = ScopePrefix(scope);
  absl::Status decode = absl::OkStatus();
  RETURN_IF_ERROR(store.Scan(
      kCounters, prefix, PrefixSuccessor(prefix),
      [&](std::string_view key, std::string_view value) {
        KeyReader reader(key.substr(prefix.size()));
        std::string metric;
        uint64_t raw = 0;
        if (!reader.String(&metric) || !DecodeUint64(value, &raw)) {
          decode = absl::DataLossError("corrupt counter");
          return false;
        }
        const int64_t count = static_cast<int64_t>(raw);
        if (metric == kAssigned || metric == kCompleted) {
          uint64_t block = 0, group = 0;
          if (!reader.Uint64(&block) || !reader.Uint64(&group) ||
              block >= kBlocks || group >= kGroups) {
            decode = absl::DataLossError("corrupt counter key");
            return false;
          }
          (metric == kAssigned ? counts.assigned
                               : counts.completed)[block][group] += count;
        } else if (metric == kWithDeadline) {
          counts.with_deadline += count;
        } else if (metric == kOnTime) {
          counts.on_time += count;
        } else if (metric == kLate) {
          counts.late += count;
        }
        return true;
      },
      snapshot));
  RETURN_IF_ERROR(decode);
  return counts;
}

absl::StatusOr<int64_t> CountOverdue(const Store& store, const Scope& scope,
                                     absl::Time as_of,
                                     const Snapshot* snapshot) {
  int64_t overdue = 0;
  RETURN_IF_ERROR(store.Scan(
      kOpenDeadlines, ScopePrefix(scope), OpenDeadlinesEnd(scope, as_of),
      [&](std::string_view, std::string_view) {
        ++overdue;
        return true;
      },
      snapshot));
  return overdue;
}

std::string OpenDeadlinePrefix(const Scope& scope) {
  return ScopePrefix(scope);
}

absl::StatusOr<std::vector<OpenDeadline>> ScanOverdue(
    const Store& store, const Scope& scope, absl::Time as_of,
    std::string_view after_key, size_t limit, const Snapshot* snapshot) {
  const std::string prefix = ScopePrefix(scope);
  // The smallest key after the last one listed.
  const std::string start =
      after_key.empty() ? prefix : std::string(after_key) + '\0';
  std::vector<std::string> keys;
  RETURN_IF_ERROR(store.Scan(
      kOpenDeadlines, start, OpenDeadlinesEnd(scope, as_of),
      [&](std::string_view key, std::string_view) {
        keys.emplace_back(key);
        return keys.size() < limit;
      },
      snapshot));
  std::vector<OpenDeadline> out;
  out.reserve(keys.size());
  for (std::string& key : keys) {
    KeyReader reader(std::string_view(key).substr(prefix.size()));
    int64_t deadline = 0;
    std::string assignment;
    if (!reader.Int64(&deadline) || !reader.String(&assignment)) {
      return absl::DataLossError("corrupt open-deadline key");
    }
    out.push_back({std::move(key), std::move(assignment)});
  }
  return out;
}

}  // namespace nq57::criteria
