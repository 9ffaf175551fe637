#!/usr/bin/env bash
# tools/fuzz.sh BUILD_DIR SECONDS: builds every libFuzzer target of fuzz/
# (clang 14, ASan + UBSan) in BUILD_DIR, seeds each from deploy/config
# (make-fuzz-corpus) and its committed regressions, and runs it for SECONDS.
# A crash, leak, timeout or sanitizer report is written to
# fuzz/regressions/<target>/ (commit it, with the fix: the replay tests of
# `make test` then run it forever) and fails the run. Prints per target the
# executions, executions per second and the corpus it ended with.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: tools/fuzz.sh BUILD_DIR SECONDS}
seconds=${2:?usage: tools/fuzz.sh BUILD_DIR SECONDS}
jobs=${JOBS:-$(nproc)}

if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNQ57_FUZZ=ON
fi
cmake --build "$build" -j"$jobs" --target fuzz_targets -- --no-print-directory
seeds=$build/fuzz-seeds
rm -rf "$seeds" && "$build/bin/make-fuzz-corpus" "$seeds"

export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
failed=0
printf '%-22s %8s %12s %10s %8s\n' target seconds executions execs/s corpus
for source in fuzz/targets/*_fuzz.cc; do
  name=$(basename "$source" _fuzz.cc)
  work=$build/fuzz-work/$name
  regressions=fuzz/regressions/$name
  mkdir -p "$work" "$regressions"
  log=$build/fuzz-work/$name.log
  rc=0
  "$build/bin/${name}_fuzz" -max_total_time="$seconds" -print_final_stats=1 \
    -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$regressions/" "$work" "$seeds/$name" "$regressions" \
    >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(find "$work" -type f | wc -l)
  printf '%-22s %8s %12s %10s %8s\n' "$name" "$seconds" "${execs:-?}" "${rate:-?}" "$corpus"
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $name found something (exit $rc); see $log and $regressions/" >&2
    grep -m5 -E 'ERROR|SUMMARY|abort|Test unit written' "$log" >&2 || true
    failed=1
  fi
done
exit $failed
