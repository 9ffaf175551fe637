// Scope: the set of units a stored aggregate counts, the same in every
// service.
//
// A unit's figures are counted in several scopes at once: the unit on its
// own, its province's tree (the province and everything under it) and the
// whole country. Aggregates are keyed by Scope::key(), one string that
// cannot collide across kinds ("unit:provinces/25" is the province's own
// reports, "tree:provinces/25" everything in Phú Thọ, "tree:" the nation).
//
// Value type; thread-safe.
//
//   for (const Scope& s : ScopesOf("provinces/25/communes/07900")) {
//     txn.AddToCounter("counters", KeyBuilder().String(s.key())...);
//   }
#ifndef NQ57_COMMON_UNITS_SCOPE_H_
#define NQ57_COMMON_UNITS_SCOPE_H_

#include <array>
#include <string>
#include <string_view>

namespace nq57 {

class Scope {
 public:
  enum class Kind { kUnit, kTree };

  // The unit's own reports.
  static Scope Unit(std::string_view unit) { return Scope(Kind::kUnit, unit); }
  // A province and everything under it.
  static Scope Tree(std::string_view province) {
    return Scope(Kind::kTree, province);
  }
  // Every unit in the country.
  static Scope Country() { return Scope(Kind::kTree, ""); }

  Kind kind() const { return kind_; }
  const std::string& unit() const { return unit_; }
  // The key part aggregates of this scope are stored under.
  const std::string& key() const { return key_; }

  friend bool operator==(const Scope& a, const Scope& b) {
    return a.key_ == b.key_;
  }

 private:
  Scope(Kind kind, std::string_view unit);

  Kind kind_;
  std::string unit_;
  std::string key_;
};

// The scopes a unit's data counts in: itself, its province's tree and the
// country (in that order). `unit` is a resource name ("provinces/25/...").
std::array<Scope, 3> ScopesOf(std::string_view unit);

}  // namespace nq57

#endif  // NQ57_COMMON_UNITS_SCOPE_H_
