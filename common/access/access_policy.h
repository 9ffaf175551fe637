// AccessPolicy: which verified identities hold which roles for which units,
// loaded from deploy/config/access/*.textproto (nq57.config.v1.AccessPolicy).
//
// A unit scope is a province ("provinces/25": the province, its communes
// and agencies and every resource named under them), one commune or agency
// ("provinces/25/communes/07900"), or "*" (the whole country). Identities
// are SPIFFE ids of the policy's trust domain.
//
// Immutable once loaded; thread-safe. Lookups are by identity (hashed), then
// over that identity's grants.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<AccessPolicy> policy,
//                    AccessPolicy::LoadFile(
//                        "deploy/config/access/access.textproto"));
//   if (policy->Allows("spiffe://nq57.local/reporter/commune-07900",
//                      common::v1::REPORTER,
//                      "provinces/25/communes/07900")) { ... }
#ifndef NQ57_COMMON_ACCESS_ACCESS_POLICY_H_
#define NQ57_COMMON_ACCESS_ACCESS_POLICY_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "nq57/common/v1/access.pb.h"

namespace nq57 {

class AccessPolicy {
 public:
  // Bounds of a policy file.
  static constexpr size_t kMaxFileBytes = 1 << 20;
  static constexpr int kMaxGrants = 100000;

  // INVALID_ARGUMENT naming `origin` and the field at fault
  // ("access.textproto: grants[3].identity: ...").
  static absl::StatusOr<std::unique_ptr<AccessPolicy>> Parse(
      std::string_view textproto, std::string_view origin);
  static absl::StatusOr<std::unique_ptr<AccessPolicy>> LoadFile(
      const std::string& path);

  const std::string& version() const { return version_; }

  // `identity` holds `role` for at least one scope.
  bool Holds(std::string_view identity, common::v1::Role role) const;
  // `unit` (or a resource named under it) lies in a scope where `identity`
  // holds `role`.
  bool Allows(std::string_view identity, common::v1::Role role,
              std::string_view unit) const;

 private:
  struct Scoped {
    common::v1::Role role;
    std::string scope;  // a unit name or "*"
  };
  AccessPolicy(std::string version,
               absl::flat_hash_map<std::string, std::vector<Scoped>> grants)
      : version_(std::move(version)), grants_(std::move(grants)) {}

  const std::string version_;
  const absl::flat_hash_map<std::string, std::vector<Scoped>> grants_;
};

// The role's name for messages: "reporter", "catalogue editor", ...
std::string RoleName(common::v1::Role role);

}  // namespace nq57

#endif  // NQ57_COMMON_ACCESS_ACCESS_POLICY_H_
