// Criteria records: how the criteria service lays out its data in the store
// (column families and record keys) and how a criterion or an assignment is
// read back, inside a commit (Transaction) or from committed data (Store).
//
//   criteria                  code -> Criterion
//   assignments               (unit, code) -> Assignment
//   assignments_by_criterion  (code, unit) -> "" (who has a criterion)
//   open_deadlines, counters  the summary aggregates (criteria_counters.h)
//
// A missing record is NOT_FOUND ("criterion criteria/X not found"), an
// unparsable one DATA_LOSS.
//
// Functions: thread-safe where their Transaction / Store is (a Transaction
// is used on the store's writer only). CriterionCache belongs to one commit.
#ifndef NQ57_SERVICES_CRITERIA_CRITERIA_RECORDS_H_
#define NQ57_SERVICES_CRITERIA_CRITERIA_RECORDS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/base/absl_view.h"
#include "common/store/store.h"
#include "nq57/criteria/v1/criteria.pb.h"

namespace nq57::criteria {

// Column families.
inline constexpr char kCriteria[] = "criteria";
inline constexpr char kAssignments[] = "assignments";
inline constexpr char kByCriterion[] = "assignments_by_criterion";
inline constexpr char kOpenDeadlines[] = "open_deadlines";
inline constexpr char kCounters[] = "counters";

// The key of an assignment in kAssignments.
std::string AssignmentKey(std::string_view unit, std::string_view code);
// The key of (code, unit) in kByCriterion, and the prefix of every key of
// `code` there.
std::string ByCriterionKey(std::string_view code, std::string_view unit);
std::string ByCriterionPrefix(std::string_view code);

// `bytes` parsed as a Message; NOT_FOUND "<what> not found" when absent.
template <typename Message>
absl::StatusOr<Message> ParseStored(const std::optional<std::string>& bytes,
                                    std::string_view what) {
  if (!bytes.has_value()) {
    return absl::NotFoundError(absl::StrCat(AbslView(what), " not found"));
  }
  Message message;
  if (!message.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat(AbslView(what), " is corrupt"));
  }
  return message;
}

// Inside a commit.
absl::StatusOr<v1::Criterion> LoadCriterion(Transaction& txn,
                                            std::string_view code);
absl::StatusOr<v1::Assignment> LoadAssignment(Transaction& txn,
                                              std::string_view unit,
                                              std::string_view code);
absl::Status StoreAssignment(Transaction& txn, const v1::Assignment& a,
                             std::string_view code);
// The units that have the criterion, read before any write of the caller.
absl::StatusOr<std::vector<std::string>> UnitsAssigned(Transaction& txn,
                                                       std::string_view code);

// From committed data (at `snapshot` if given).
absl::StatusOr<v1::Criterion> ReadCriterion(const Store& store,
                                            std::string_view code,
                                            const Snapshot* snapshot = nullptr);
absl::StatusOr<v1::Assignment> ReadAssignment(
    const Store& store, std::string_view unit, std::string_view code,
    const Snapshot* snapshot = nullptr);

// FAILED_PRECONDITION if `c` is retired (no new assignments or reports).
absl::Status CheckActive(const v1::Criterion& c);

// The criteria one commit reads, each read once.
class CriterionCache {
 public:
  explicit CriterionCache(Transaction& txn) : txn_(txn) {}
  absl::StatusOr<const v1::Criterion*> Get(const std::string& code);

 private:
  Transaction& txn_;
  absl::flat_hash_map<std::string, v1::Criterion> cache_;
};

}  // namespace nq57::criteria

#endif  // NQ57_SERVICES_CRITERIA_CRITERIA_RECORDS_H_
