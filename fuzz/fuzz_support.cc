#include "fuzz/fuzz_support.h"

#include <stdlib.h>

#include <cstdio>
#include <memory>

#include "common/base/input_bounds.h"

namespace nq57::fuzz {

std::string ConfigDir() { return NQ57_SOURCE_DIR "/deploy/config"; }

const UnitRegistry& Units() {
  static const UnitRegistry* units = [] {
    absl::StatusOr<std::unique_ptr<UnitRegistry>> loaded =
        UnitRegistry::Load(ConfigDir());
    if (!loaded.ok()) {
      std::fprintf(stderr, "units: %s\n", loaded.status().ToString().c_str());
      abort();
    }
    return loaded->release();
  }();
  return *units;
}

Store& NewStore(const std::vector<std::string>& column_families) {
  char path[] = "/tmp/nq57-fuzz-XXXXXX";
  if (mkdtemp(path) == nullptr) abort();
  absl::StatusOr<std::unique_ptr<Store>> store =
      Store::Open(std::string(path) + "/db",
                  {.column_families = column_families, .sync = false});
  if (!store.ok()) {
    std::fprintf(stderr, "store: %s\n", store.status().ToString().c_str());
    abort();
  }
  return *store->release();
}

bool ParseBoundedRequest(const uint8_t* data, size_t size,
                         google::protobuf::Message& message) {
  if (!message.ParseFromArray(data, static_cast<int>(size))) return false;
  return CheckInputBounds(message).ok();
}

void CommitAndCheck(Store& store, absl::StatusOr<CommitRequest> prepared) {
  if (!prepared.ok()) return;
  const uint64_t before = store.change_log().head();
  absl::StatusOr<CommitResult> result =
      store.CommitAndWait(std::move(*prepared));
  const uint64_t after = store.change_log().head();
  if (!result.ok() && after != before) {
    std::fprintf(stderr, "a refused write (%s) moved the head %llu -> %llu\n",
                 result.status().ToString().c_str(),
                 static_cast<unsigned long long>(before),
                 static_cast<unsigned long long>(after));
    abort();
  }
}

}  // namespace nq57::fuzz
