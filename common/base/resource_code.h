// Codes: the last segment of a catalogue resource's name (a criterion
// "criteria/NQ57-TC-01", a procedure ".../procedures/1.001234"), checked the
// same way by every service.
//
//   if (!IsValidCode(code)) return InvalidFieldError(field, kCodeRule);
#ifndef NQ57_COMMON_BASE_RESOURCE_CODE_H_
#define NQ57_COMMON_BASE_RESOURCE_CODE_H_

#include <string_view>

namespace nq57 {

inline constexpr char kCodeRule[] =
    "1-64 of [A-Za-z0-9._-], starting with a letter or digit";

// Whether `code` follows kCodeRule.
bool IsValidCode(std::string_view code);

}  // namespace nq57

#endif  // NQ57_COMMON_BASE_RESOURCE_CODE_H_
