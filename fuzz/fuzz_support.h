// Shared set-up of the libFuzzer targets (fuzz/targets/): the shipped
// config of this source tree, and a real RocksDB store in a fresh temp dir
// for the targets that drive a core's writes end to end.
//
// A target is built twice: with clang's libFuzzer (`make fuzz`, build-fuzz/)
// and, in every ordinary build, linked with fuzz_replay_main.cc into a test
// that runs the target's seeds and regression inputs (fuzz/corpus/<target>/
// and fuzz/regressions/<target>/) once each, so a finding stays fixed.
//
// Everything here is created on first use and lives until the process
// exits (libFuzzer never returns from its loop). Single-threaded, as
// libFuzzer calls a target.
#ifndef NQ57_FUZZ_FUZZ_SUPPORT_H_
#define NQ57_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/indicators/indicator_catalog.h"
#include "common/store/store.h"
#include "common/units/unit_registry.h"
#include "google/protobuf/message.h"

namespace nq57::fuzz {

// <source>/deploy/config.
std::string ConfigDir();

// The shipped unit registry, loaded once.
const UnitRegistry& Units();
// The shipped indicator catalogue <config>/indicators/`file`, loaded once
// per file.
const IndicatorCatalog& Catalog(const std::string& file);

// A store with `column_families` in a new temp dir (sync off: the fuzzer
// checks logic, not durability), one per call. Aborts if it cannot open.
Store& NewStore(const std::vector<std::string>& column_families);

// Parses `data` as `message` and runs the input bounds every request
// passes before a core sees it (common/base/input_bounds.h). False if the
// bytes are not a message or the bounds refuse it.
bool ParseBoundedRequest(const uint8_t* data, size_t size,
                         google::protobuf::Message& message);

// Commits what a core prepared and checks the store's promise that a
// refused write changes nothing: the change-log head moves only on OK.
// Aborts (a finding) if the promise breaks.
void CommitAndCheck(Store& store, absl::StatusOr<CommitRequest> prepared);

// The store every request type of a write target over `Core` shares, so
// that later inputs build on what earlier ones wrote.
template <typename Core>
Store& SharedStore() {
  static Store& store = NewStore(Core::ColumnFamilies());
  return store;
}

// One request type of a write target.
using WriteTarget = void (*)(const uint8_t* data, size_t size);

// Runs the target of `targets` that the input's first byte picks on the
// rest of the input.
template <size_t N>
void Dispatch(const WriteTarget (&targets)[N], const uint8_t* data,
              size_t size) {
  if (size == 0) return;
  targets[data[0] % N](data + 1, size - 1);
}

// Defines the libFuzzer entry point of a write target: `targets`, an array
// of WriteTarget, one per request type, picked by the first byte.
#define NQ57_FUZZ_WRITE_TARGETS(targets)                                    \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    ::nq57::fuzz::Dispatch(targets, data, size);                            \
    return 0;                                                               \
  }

// A write target's whole path: `data` as a Request, bounded, prepared by
// `core`'s `prepare` (e.g. &CriteriaCore::PrepareReportProgress) and
// committed with CommitAndCheck.
template <typename Request, typename Core, typename Prepare>
void PrepareAndCommit(Store& store, const Core& core, Prepare prepare,
                      const uint8_t* data, size_t size) {
  Request request;
  if (!ParseBoundedRequest(data, size, request)) return;
  CommitAndCheck(store, (core.*prepare)(request, "fuzz"));
}

}  // namespace nq57::fuzz

#endif  // NQ57_FUZZ_FUZZ_SUPPORT_H_
