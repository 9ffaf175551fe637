// Early-return helpers for absl::Status and absl::StatusOr.
//
// Abseil 20220623 (Debian bookworm) ships no status macros, so they are
// written once here and used everywhere instead of hand-rolled if/return
// ladders.
//
//   RETURN_IF_ERROR(store->Put(key, value));
//   ASSIGN_OR_RETURN(const Unit* unit, registry.Lookup(name));
#ifndef NQ57_COMMON_BASE_STATUS_MACROS_H_
#define NQ57_COMMON_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define NQ57_STATUS_CONCAT_INNER_(a, b) a##b
#define NQ57_STATUS_CONCAT_(a, b) NQ57_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function if it is not OK.
#define RETURN_IF_ERROR(expr)                    \
  do {                                           \
    ::absl::Status nq57_status_ = (expr);        \
    if (!nq57_status_.ok()) return nq57_status_; \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status if not OK,
// otherwise moves its value into `lhs` (which may be a declaration).
#define ASSIGN_OR_RETURN(lhs, rexpr)                                          \
  auto NQ57_STATUS_CONCAT_(nq57_statusor_, __LINE__) = (rexpr);               \
  if (!NQ57_STATUS_CONCAT_(nq57_statusor_, __LINE__).ok())                    \
    return std::move(NQ57_STATUS_CONCAT_(nq57_statusor_, __LINE__)).status(); \
  lhs = std::move(NQ57_STATUS_CONCAT_(nq57_statusor_, __LINE__)).value()

#endif  // NQ57_COMMON_BASE_STATUS_MACROS_H_
