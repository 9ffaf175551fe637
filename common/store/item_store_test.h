// ItemStoreTest: a real Store under Path("store") with one column family,
// "items", and the write a service would make (PutRequest: put key=value
// and record the change), for the store's own tests.
//
// The fixture owns the store. Not thread-safe.
#ifndef NQ57_COMMON_STORE_ITEM_STORE_TEST_H_
#define NQ57_COMMON_STORE_ITEM_STORE_TEST_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/store/store.h"
#include "gtest/gtest.h"
#include "nq57/testing/v1/probe.pb.h"
#include "tests/support/temp_dir.h"

namespace nq57::testing {

class ItemStoreTest : public TempDirTest {
 protected:
  void SetUp() override { Reopen(); }
  void TearDown() override { store_.reset(); }
  void Reopen(bool new_log_identity = false) {
    store_.reset();
    StoreOptions options = Options();
    options.new_log_identity = new_log_identity;
    auto store = Store::Open(Path("store"), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  // The options Reopen uses; a subclass may change them.
  virtual StoreOptions Options() { return {.column_families = {"items"}}; }

  // Puts key=value with a change record, as a service would.
  CommitRequest PutRequest(std::string key, std::string value,
                           std::string request_id = "") {
    std::string fingerprint = absl::StrCat(key, "=", value);
    return CommitRequest{
        .request_id = std::move(request_id),
        .fingerprint = fingerprint,
        .actor = "test",
        .apply = [key, value](Transaction& txn) -> absl::Status {
          auto previous = txn.Get("items", key);
          if (!previous.ok()) return previous.status();
          v1::Entry now, before;
          now.set_key(key);
          now.set_value(value);
          before.set_key(key);
          if (previous->has_value()) before.set_value(**previous);
          absl::Status s = txn.Put("items", key, value);
          if (!s.ok()) return s;
          uint64_t seq = txn.RecordChange(
              absl::StrCat("items/", key),
              previous->has_value() ? changes::v1::ChangeKind::UPDATED
                                    : changes::v1::ChangeKind::CREATED,
              &now, previous->has_value() ? &before : nullptr);
          txn.SetResponse(absl::StrCat(seq));
          return absl::OkStatus();
        }};
  }

  std::optional<std::string> Value(const std::string& key) {
    auto v = store_->Get("items", key);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : std::nullopt;
  }

  std::unique_ptr<Store> store_;
};

}  // namespace nq57::testing

#endif  // NQ57_COMMON_STORE_ITEM_STORE_TEST_H_
