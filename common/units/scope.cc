#include "common/units/scope.h"

#include "common/units/unit_registry.h"

namespace nq57 {

Scope::Scope(Kind kind, std::string_view unit)
    : kind_(kind),
      unit_(unit),
      key_(std::string(kind == Kind::kUnit ? "unit:" : "tree:") +
           std::string(unit)) {}

std::array<Scope, 3> ScopesOf(std::string_view unit) {
  return {Scope::Unit(unit), Scope::Tree(ProvinceOf(unit)), Scope::Country()};
}

}  // namespace nq57
