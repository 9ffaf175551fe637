#include "fuzz/fuzz_support.h"

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <map>
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

const IndicatorCatalog& Catalog(const std::string& file) {
  static auto* loaded =
      new std::map<std::string, std::unique_ptr<IndicatorCatalog>>();
  std::unique_ptr<IndicatorCatalog>& catalog = (*loaded)[file];
  if (catalog == nullptr) {
    absl::StatusOr<std::unique_ptr<IndicatorCatalog>> read =
        IndicatorCatalog::LoadFile(ConfigDir() + "/indicators/" + file);
    if (!read.ok()) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(),
                   read.status().ToString().c_str());
      abort();
    }
    catalog = std::move(*read);
  }
  return *catalog;
}

namespace {

// The stores NewStore made. Closed at exit, before the static objects their
// threads use (the log, RocksDB's own) are destroyed: a store whose writer
// thread outlives those crashes the process on its way out.
std::vector<Store*>& OpenStores() {
  static auto* stores = new std::vector<Store*>();
  return *stores;
}

void CloseStores() {
  for (Store* store : OpenStores()) store->Close();
}

}  // namespace

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
  // Registered after the open, so that it runs before the destructors of
  // the statics the open made.
  if (OpenStores().empty()) std::atexit(CloseStores);
  OpenStores().push_back(store->get());
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
