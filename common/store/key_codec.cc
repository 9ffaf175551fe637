#include "common/store/key_codec.h"

namespace nq57 {

std::string EncodeUint64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

bool DecodeUint64(std::string_view in, uint64_t* out) {
  if (in.size() != 8) return false;
  uint64_t v = 0;
  for (unsigned char c : in) v = (v << 8) | c;
  *out = v;
  return true;
}

KeyBuilder& KeyBuilder::String(std::string_view s) {
  // Whole runs between NULs at once: keys are built on every write and
  // decoded on every scanned entry, and NULs are rare.
  while (true) {
    const size_t nul = s.find('\0');
    key_.append(s.data(), nul == std::string_view::npos ? s.size() : nul);
    if (nul == std::string_view::npos) break;
    key_.append("\0\xff", 2);
    s.remove_prefix(nul + 1);
  }
  key_.append("\0\x01", 2);
  return *this;
}

KeyBuilder& KeyBuilder::Uint64(uint64_t v) {
  key_.append(EncodeUint64(v));
  return *this;
}

KeyBuilder& KeyBuilder::Int64(int64_t v) {
  return Uint64(static_cast<uint64_t>(v) ^ (uint64_t{1} << 63));
}

bool KeyReader::String(std::string* out) {
  out->clear();
  size_t i = 0;
  while (i < rest_.size()) {
    const size_t nul = rest_.find('\0', i);
    if (nul == std::string_view::npos || nul + 1 >= rest_.size()) break;
    out->append(rest_.data() + i, nul - i);
    if (rest_[nul + 1] == '\x01') {
      rest_.remove_prefix(nul + 2);
      return true;
    }
    if (rest_[nul + 1] != '\xff') break;
    out->push_back('\0');
    i = nul + 2;
  }
  rest_ = {};
  return false;
}

bool KeyReader::Uint64(uint64_t* out) {
  if (rest_.size() < 8 || !DecodeUint64(rest_.substr(0, 8), out)) {
    rest_ = {};
    return false;
  }
  rest_.remove_prefix(8);
  return true;
}

bool KeyReader::Int64(int64_t* out) {
  uint64_t u;
  if (!Uint64(&u)) return false;
  *out = static_cast<int64_t>(u ^ (uint64_t{1} << 63));
  return true;
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    unsigned char last = static_cast<unsigned char>(out.back());
    if (last != 0xff) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return out;
}

}  // namespace nq57
