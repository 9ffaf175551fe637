// Input bounds: how large and what kind of text any request may carry,
// declared once for every RPC of every service.
//
// A hostile or broken client can send a 10 MiB unit name, a NUL byte in a
// title or 10,000 map keys. Each service checks what its fields mean; this
// check comes first and knows only sizes and characters, so nothing
// unbounded is stored, echoed in an error or written to the log. It walks
// the request by reflection:
//   - every string is valid UTF-8 (proto3 guarantees it) of at most
//     kDefaultTextBytes, without control characters (U+0000..U+001F,
//     U+007F), unless the field's name is in the table of input_bounds.cc
//     (titles and names: longer; notes and reasons: longer and multi-line);
//   - a bytes field holds at most kMaxBytesField bytes;
//   - a repeated field holds at most kMaxRepeated items, a map at most
//     kMaxMapEntries entries (services keep their tighter batch limits);
//   - nested messages are checked the same way, to kMaxDepth levels.
// A violation is INVALID_ARGUMENT with a google.rpc.BadRequest naming the
// field path ("criterion.title", "items[3].unit", "values[\"k\"]") and its
// size or the offending character, never the value itself; at most
// kMaxViolations are listed.
//
// Thread-safe (a pure function).
//
//   RETURN_IF_ERROR(CheckInputBounds(request));
#ifndef NQ57_COMMON_BASE_INPUT_BOUNDS_H_
#define NQ57_COMMON_BASE_INPUT_BOUNDS_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace nq57 {

inline constexpr size_t kDefaultTextBytes = 256;
inline constexpr size_t kMaxBytesField = 64 << 10;
inline constexpr size_t kMaxRepeated = 1000;
inline constexpr size_t kMaxMapEntries = 256;
inline constexpr int kMaxDepth = 16;
inline constexpr size_t kMaxViolations = 20;

// What a string field named `field_name` may hold.
struct TextBound {
  size_t max_bytes = kDefaultTextBytes;
  bool multiline = false;  // '\n' and '\t' allowed
};
TextBound TextBoundOf(std::string_view field_name);

// OK, or INVALID_ARGUMENT listing the fields of `request` out of bounds.
absl::Status CheckInputBounds(const google::protobuf::Message& request);

}  // namespace nq57

#endif  // NQ57_COMMON_BASE_INPUT_BOUNDS_H_
