// StoreTest: a TempDirTest with a real RocksDB Store under Path("store"),
// for tests of what runs over a store (change logs, services, hosts).
//
// The fixture owns the store; members of a subclass (services over it) are
// destroyed before it. Not thread-safe.
//
//   class ChangeLogTest : public nq57::testing::StoreTest {
//     void SetUp() override { ASSERT_NO_FATAL_FAILURE(OpenStore({"items"})); }
//   };
#ifndef NQ57_TESTS_SUPPORT_STORE_TEST_H_
#define NQ57_TESTS_SUPPORT_STORE_TEST_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/store/store.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace nq57::testing {

class StoreTest : public TempDirTest {
 protected:
  // Opens store_ with `families`; a failure is a fatal test failure.
  void OpenStore(std::vector<std::string> families) {
    auto store =
        Store::Open(Path("store"), {.column_families = std::move(families)});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  std::unique_ptr<Store> store_;
};

}  // namespace nq57::testing

#endif  // NQ57_TESTS_SUPPORT_STORE_TEST_H_
