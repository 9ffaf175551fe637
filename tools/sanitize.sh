#!/usr/bin/env bash
# tools/sanitize.sh SANITIZERS BUILD_DIR: the whole build and test suite with
# clang 14 and -fsanitize=SANITIZERS ("address,undefined" for `make asan`,
# "thread" for `make tsan`), in its own build directory. Any report fails
# the test that triggered it (halt_on_error, exit codes below); the run
# prints how long the build and the tests took.
#
# TSan: Debian's gRPC, protobuf, Abseil and RocksDB are not instrumented, so
# TSan cannot see the happens-before they establish inside themselves.
# absl::Mutex is made visible by tools/sanitizers/tsan_absl_sync.cc
# (preloaded); tools/sanitizers/tsan.supp names the library-internal frames
# that remain, each with why. Nothing of ours is suppressed.
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=${1:?usage: tools/sanitize.sh SANITIZERS BUILD_DIR}
build=${2:?usage: tools/sanitize.sh SANITIZERS BUILD_DIR}
jobs=${JOBS:-$(nproc)}
supp=$PWD/tools/sanitizers

start=$(date +%s)
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNQ57_SANITIZE="$sanitizers"
fi
cmake --build "$build" -j"$jobs" -- --no-print-directory
built=$(date +%s)

export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:exitcode=86:abort_on_error=0:detect_stack_use_after_return=1"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:exitcode=87"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=88"
export TSAN_OPTIONS="halt_on_error=1:exitcode=89:second_deadlock_stack=1:ignore_noninstrumented_modules=1:suppressions=$supp/tsan.supp"
if [[ $sanitizers == *thread* ]]; then
  # Every process the tests start sees absl::Mutex through it (the file says
  # why); children inherit it.
  export LD_PRELOAD=$PWD/$build/lib/libnq57_tsan_absl_sync.so
fi
# The crash harness's short run; sanitized servers start more slowly.
export NQ57_CRASH_CYCLES=${NQ57_CRASH_CYCLES:-10}
status=0
# The deploy tests (manifests, pods from the image) run no C++ of ours that
# the ordinary `make test` does not already; they are not sanitizer work.
(cd "$build" && ctest --output-on-failure -j"$jobs" --timeout 1800 -LE deploy) || status=$?
done_at=$(date +%s)
echo "sanitize ($sanitizers): build $((built - start)) s, tests $((done_at - built)) s, exit $status"
exit $status
