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
#include "common/store/store.h"
#include "common/units/unit_registry.h"
#include "google/protobuf/message.h"

namespace nq57::fuzz {

// <source>/deploy/config.
std::string ConfigDir();

// The shipped unit registry, loaded once.
const UnitRegistry& Units();

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

}  // namespace nq57::fuzz

#endif  // NQ57_FUZZ_FUZZ_SUPPORT_H_
