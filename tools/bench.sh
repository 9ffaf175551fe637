#!/usr/bin/env bash
# make bench: runs every benchmark; each prints its figures as ratios against
# a baseline measured in the same run. Server logs go to var/bench/*.log.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/bench
export NQ57_BENCH_DIR="$PWD/var/bench"
failed=()
for b in build/bin/*_bench; do
  echo "== $(basename "$b")"
  "$b" --benchmark_color=false "$@" 2>"var/bench/$(basename "$b").log" ||
    failed+=("$(basename "$b")")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "bench: failed: ${failed[*]} (see var/bench/*.log)" >&2
  exit 1
fi
