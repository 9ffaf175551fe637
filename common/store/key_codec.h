// Order-preserving encoding of composite RocksDB keys.
//
// RocksDB orders keys bytewise. A key built here from a tuple of components
// sorts exactly as the tuples do (component by component; strings bytewise,
// integers numerically), and a key built from a prefix of the components is
// a byte prefix of every longer key that starts with them, so prefix scans
// and paging work on any leading part of a key.
//
// Encoding: a string is its bytes with 0x00 escaped as 0x00 0xFF, closed by
// 0x00 0x01; a uint64 is 8 bytes big-endian; an int64 is 8 bytes big-endian
// with the sign bit flipped.
//
//   std::string key = KeyBuilder().String("provinces/25").Uint64(42).Build();
//   KeyReader r(key);
//   std::string unit; uint64_t seq;
//   if (!r.String(&unit) || !r.Uint64(&seq) || !r.done()) { ...corrupt... }
#ifndef NQ57_COMMON_STORE_KEY_CODEC_H_
#define NQ57_COMMON_STORE_KEY_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace nq57 {

class KeyBuilder {
 public:
  KeyBuilder& String(std::string_view s);
  KeyBuilder& Uint64(uint64_t v);
  KeyBuilder& Int64(int64_t v);
  const std::string& key() const { return key_; }
  std::string Build() && { return std::move(key_); }
  std::string Build() const& { return key_; }

 private:
  std::string key_;
};

// Decodes components in the order they were built. Each call returns false
// (and leaves the reader unusable) if the next bytes are not that component.
class KeyReader {
 public:
  explicit KeyReader(std::string_view key) : rest_(key) {}
  bool String(std::string* out);
  bool Uint64(uint64_t* out);
  bool Int64(int64_t* out);
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// The smallest key greater than every key that starts with `prefix` (empty
// when there is none, i.e. the prefix is all 0xFF): the exclusive upper bound
// of a prefix scan.
std::string PrefixSuccessor(std::string_view prefix);

// Fixed-width big-endian uint64, for values and keys that are single numbers.
std::string EncodeUint64(uint64_t v);
bool DecodeUint64(std::string_view in, uint64_t* out);

}  // namespace nq57

#endif  // NQ57_COMMON_STORE_KEY_CODEC_H_
