#include "services/criteria/criteria_records.h"

#include <utility>

#include "common/base/error_details.h"
#include "common/base/status_macros.h"
#include "common/store/key_codec.h"
#include "services/criteria/criteria_names.h"

namespace nq57::criteria {

std::string AssignmentKey(std::string_view unit, std::string_view code) {
  return KeyBuilder().String(unit).String(code).Build();
}

std::string ByCriterionKey(std::string_view code, std::string_view unit) {
  return KeyBuilder().String(code).String(unit).Build();
}

std::string ByCriterionPrefix(std::string_view code) {
  return KeyBuilder().String(code).Build();
}

absl::StatusOr<v1::Criterion> LoadCriterion(Transaction& txn,
                                            std::string_view code) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, txn.Get(kCriteria, code));
  return ParseStored<v1::Criterion>(
      bytes, absl::StrCat("criterion ", CriterionName(code)));
}

absl::StatusOr<v1::Assignment> LoadAssignment(Transaction& txn,
                                              std::string_view unit,
                                              std::string_view code) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                   txn.Get(kAssignments, AssignmentKey(unit, code)));
  return ParseStored<v1::Assignment>(
      bytes, absl::StrCat("assignment ", AssignmentNameOf(unit, code)));
}

absl::Status StoreAssignment(Transaction& txn, const v1::Assignment& a,
                             std::string_view code) {
  return txn.Put(kAssignments, AssignmentKey(a.unit(), code),
                 a.SerializeAsString());
}

absl::StatusOr<std::vector<std::string>> UnitsAssigned(Transaction& txn,
                                                       std::string_view code) {
  const std::string prefix = ByCriterionPrefix(code);
  std::vector<std::string> units;
  absl::Status decode = absl::OkStatus();
  RETURN_IF_ERROR(txn.Scan(kByCriterion, prefix, PrefixSuccessor(prefix),
                           [&](std::string_view key, std::string_view) {
                             KeyReader reader(key.substr(prefix.size()));
                             std::string unit;
                             if (!reader.String(&unit)) {
                               decode =
                                   absl::DataLossError("corrupt index key");
                               return false;
                             }
                             units.push_back(std::move(unit));
                             return true;
                           }));
  RETURN_IF_ERROR(decode);
  return units;
}

absl::StatusOr<v1::Criterion> ReadCriterion(const Store& store,
                                            std::string_view code,
                                            const Snapshot* snapshot) {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                   store.Get(kCriteria, code, snapshot));
  return ParseStored<v1::Criterion>(
      bytes, absl::StrCat("criterion ", CriterionName(code)));
}

absl::StatusOr<v1::Assignment> ReadAssignment(const Store& store,
                                              std::string_view unit,
                                              std::string_view code,
                                              const Snapshot* snapshot) {
  ASSIGN_OR_RETURN(
      std::optional<std::string> bytes,
      store.Get(kAssignments, AssignmentKey(unit, code), snapshot));
  return ParseStored<v1::Assignment>(
      bytes, absl::StrCat("assignment ", AssignmentNameOf(unit, code)));
}

absl::Status CheckActive(const v1::Criterion& c) {
  if (c.state() == v1::Criterion::RETIRED) {
    return PreconditionError(
        "RETIRED", c.name(),
        absl::StrCat("criterion ", c.name(), " is retired"));
  }
  return absl::OkStatus();
}

absl::StatusOr<const v1::Criterion*> CriterionCache::Get(
    const std::string& code) {
  auto it = cache_.find(code);
  if (it == cache_.end()) {
    ASSIGN_OR_RETURN(v1::Criterion c, LoadCriterion(txn_, code));
    it = cache_.emplace(code, std::move(c)).first;
  }
  return &it->second;
}

}  // namespace nq57::criteria
