// Checked int64 arithmetic: every sum, difference and product that feeds a
// published figure goes through here, so an overflow is an error a caller
// reports (INVALID_ARGUMENT naming the field for input, INTERNAL for stored
// aggregates), never a wrapped number (DESIGN section 8).
//
// Pure functions: thread-safe.
//
//   std::optional<int64_t> total = CheckedAdd(issued, delta);
//   if (!total) return InvalidFieldError(field, "sum overflows int64");
//
//   CheckedSum sum;
//   for (int64_t v : values) sum.Add(v);
//   if (!sum.ok()) ...;  // sum.value() is meaningful only when ok()
#ifndef NQ57_COMMON_BASE_CHECKED_MATH_H_
#define NQ57_COMMON_BASE_CHECKED_MATH_H_

#include <cstdint>
#include <optional>

namespace nq57 {

inline std::optional<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_add_overflow(a, b, &out)) return std::nullopt;
  return out;
}

inline std::optional<int64_t> CheckedSub(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_sub_overflow(a, b, &out)) return std::nullopt;
  return out;
}

inline std::optional<int64_t> CheckedMul(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_mul_overflow(a, b, &out)) return std::nullopt;
  return out;
}

// A running sum that remembers whether it ever overflowed.
class CheckedSum {
 public:
  void Add(int64_t v) {
    if (!ok_) return;
    std::optional<int64_t> next = CheckedAdd(value_, v);
    if (next) {
      value_ = *next;
    } else {
      ok_ = false;
    }
  }
  bool ok() const { return ok_; }
  int64_t value() const { return value_; }

 private:
  int64_t value_ = 0;
  bool ok_ = true;
};

}  // namespace nq57

#endif  // NQ57_COMMON_BASE_CHECKED_MATH_H_
