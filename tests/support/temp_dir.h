// TempDirTest: a test fixture with a fresh directory of its own.
//
// Every test gets an empty directory under the test runner's temp dir, named
// after the test and the process so parallel ctest runs share nothing, and
// removed again after the test unless it failed: a failed test's directory
// (its servers' logs, its stores) is kept and its path printed, so a CI
// failure can be looked into. Stores, config copies and logs of one test
// live there.
//
//   class StoreTest : public nq57::testing::TempDirTest {};
//   TEST_F(StoreTest, Opens) {
//     ASSERT_TRUE(nq57::Store::Open(Path("db"), {}).ok());
//   }
#ifndef NQ57_TESTS_SUPPORT_TEMP_DIR_H_
#define NQ57_TESTS_SUPPORT_TEMP_DIR_H_

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "gtest/gtest.h"

namespace nq57::testing {

// A fresh directory `<TempDir>/<suite>_<test>_<pid>` (created; removed by the
// destructor).
class ScopedTempDir {
 public:
  ScopedTempDir() {
    const ::testing::TestInfo* info =
        ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info == nullptr ? std::string("nq57")
                                       : std::string(info->test_suite_name()) +
                                             "_" + info->name();
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    path_ = std::filesystem::path(::testing::TempDir()) /
            (name + "_" + std::to_string(getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScopedTempDir() {
    const ::testing::TestInfo* info =
        ::testing::UnitTest::GetInstance()->current_test_info();
    if (info != nullptr && info->result() != nullptr &&
        info->result()->Failed()) {
      std::cerr << "kept the failed test's directory: " << path_.string()
                << "\n";
      return;
    }
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // `relative` under the directory, as a string.
  std::string Path(std::string_view relative) const {
    return (path_ / relative).string();
  }

 private:
  std::filesystem::path path_;
};

class TempDirTest : public ::testing::Test {
 protected:
  const std::filesystem::path& dir() const { return temp_.path(); }
  std::string Path(std::string_view relative) const {
    return temp_.Path(relative);
  }

 private:
  ScopedTempDir temp_;
};

}  // namespace nq57::testing

#endif  // NQ57_TESTS_SUPPORT_TEMP_DIR_H_
