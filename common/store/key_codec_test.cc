#include "common/store/key_codec.h"

#include <algorithm>
#include <random>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"

namespace nq57 {
namespace {

TEST(KeyCodecTest, RoundTrips) {
  std::string s_in = std::string("a\0b", 3);
  std::string key =
      KeyBuilder().String(s_in).Uint64(42).Int64(-7).String("").Build();
  KeyReader r(key);
  std::string s, empty;
  uint64_t u;
  int64_t i;
  ASSERT_TRUE(r.String(&s));
  ASSERT_TRUE(r.Uint64(&u));
  ASSERT_TRUE(r.Int64(&i));
  ASSERT_TRUE(r.String(&empty));
  EXPECT_TRUE(r.done());
  EXPECT_EQ(s, s_in);
  EXPECT_EQ(u, 42u);
  EXPECT_EQ(i, -7);
  EXPECT_EQ(empty, "");
}

TEST(KeyCodecTest, RejectsTruncatedKeys) {
  std::string key = KeyBuilder().String("abc").Uint64(1).Build();
  KeyReader r(std::string_view(key).substr(0, key.size() - 1));
  std::string s;
  uint64_t u;
  EXPECT_TRUE(r.String(&s));
  EXPECT_FALSE(r.Uint64(&u));
  KeyReader r2("abc");  // no terminator
  EXPECT_FALSE(r2.String(&s));
}

// Property: byte order of encoded keys equals tuple order.
TEST(KeyCodecTest, PreservesTupleOrder) {
  std::mt19937_64 rng(57);
  auto random_string = [&] {
    std::string s(rng() % 4, '\0');
    for (char& c : s) c = "\0\1a\xff"[rng() % 4];
    return s;
  };
  using Tuple = std::tuple<std::string, int64_t, std::string>;
  std::vector<Tuple> tuples;
  for (int n = 0; n < 3000; ++n) {
    int64_t v = static_cast<int64_t>(rng() % 7) - 3;
    if (n % 50 == 0) v = (n % 100 == 0) ? INT64_MIN : INT64_MAX;
    tuples.emplace_back(random_string(), v, random_string());
  }
  auto encode = [](const Tuple& t) {
    return KeyBuilder()
        .String(std::get<0>(t))
        .Int64(std::get<1>(t))
        .String(std::get<2>(t))
        .Build();
  };
  for (size_t n = 1; n < tuples.size(); ++n) {
    const Tuple& a = tuples[n - 1];
    const Tuple& b = tuples[n];
    EXPECT_EQ(a < b, encode(a) < encode(b));
    EXPECT_EQ(a == b, encode(a) == encode(b));
  }
}

TEST(KeyCodecTest, PrefixOfComponentsIsBytePrefix) {
  std::string prefix = KeyBuilder().String("provinces/25").Build();
  std::string key = KeyBuilder().String("provinces/25").Uint64(9).Build();
  std::string other = KeyBuilder().String("provinces/250").Uint64(9).Build();
  EXPECT_EQ(key.compare(0, prefix.size(), prefix), 0);
  EXPECT_NE(other.compare(0, prefix.size(), prefix), 0);
  EXPECT_LT(key, PrefixSuccessor(prefix));
  EXPECT_EQ(PrefixSuccessor("a\xff\xff"), "b");
  EXPECT_EQ(PrefixSuccessor("\xff"), "");
}

}  // namespace
}  // namespace nq57
