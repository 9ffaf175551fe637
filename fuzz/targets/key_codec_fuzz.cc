// The key codec's contract (common/store/key_codec.h) on arbitrary tuples:
// a built key reads back as the tuple it was built from, keys sort as
// their tuples do, and arbitrary bytes read as a key never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "common/store/key_codec.h"

namespace {

struct Tuple {
  std::string s;
  uint64_t u = 0;
  int64_t i = 0;
};

// The input as two tuples: a split byte, two strings, then integers.
bool Split(std::string_view in, Tuple& a, Tuple& b) {
  if (in.size() < 1 + 32) return false;
  uint64_t words[4];
  std::memcpy(words, in.data() + in.size() - 32, 32);
  in.remove_suffix(32);
  const size_t cut = static_cast<uint8_t>(in[0]) % in.size();
  in.remove_prefix(1);
  const size_t at = cut < in.size() ? cut : in.size();
  a = {std::string(in.substr(0, at)), words[0], static_cast<int64_t>(words[1])};
  b = {std::string(in.substr(at)), words[2], static_cast<int64_t>(words[3])};
  return true;
}

std::string Build(const Tuple& t) {
  return nq57::KeyBuilder().String(t.s).Uint64(t.u).Int64(t.i).Build();
}

int Compare(const Tuple& a, const Tuple& b) {
  if (a.s != b.s) return a.s < b.s ? -1 : 1;
  if (a.u != b.u) return a.u < b.u ? -1 : 1;
  if (a.i != b.i) return a.i < b.i ? -1 : 1;
  return 0;
}

int Sign(int v) { return (v > 0) - (v < 0); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  {
    // Arbitrary bytes as a key of any shape.
    nq57::KeyReader r(in);
    std::string s;
    uint64_t u;
    int64_t i;
    while (!r.done() && (r.String(&s) || r.Uint64(&u) || r.Int64(&i))) {
    }
    uint64_t decoded;
    (void)nq57::DecodeUint64(in, &decoded);
    (void)nq57::PrefixSuccessor(in);
  }
  Tuple a, b;
  if (!Split(in, a, b)) return 0;
  const std::string ka = Build(a);
  const std::string kb = Build(b);
  nq57::KeyReader r(ka);
  Tuple back;
  if (!r.String(&back.s) || !r.Uint64(&back.u) || !r.Int64(&back.i) ||
      !r.done() || Compare(back, a) != 0) {
    abort();  // does not read back
  }
  if (Sign(ka.compare(kb)) != Compare(a, b)) abort();  // order not kept
  // A key of a leading part is a byte prefix of the longer key.
  const std::string prefix = nq57::KeyBuilder().String(a.s).Build();
  if (ka.compare(0, prefix.size(), prefix) != 0) abort();
  return 0;
}
