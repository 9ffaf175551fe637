#!/usr/bin/env bash
# The wiped-source scenario (issue 11), by hand with real processes: load
# Phú Thọ's criteria, restart criteria-server on an EMPTY data dir on the same
# port (a replaced volume), load Huế, and show what the aggregator says.
# Expected: "source lost its basis" then "source rebuilt from its new log"
# within seconds; Phú Thọ then reads 0/0 and Huế exactly the new store's
# figures. Run from the repository root after `make build`; ports 52571-52574.
set -u
B=${NQ57_BIN:-build/bin}
C=deploy/config
W=$(mktemp -d)
trap 'kill ${PIDS[*]} 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
for ds in phu-tho-2025-10 synthetic-hue-2025-10; do
  mkdir -p "$W/$ds"
  cp deploy/datasets/$ds/{criteria,assignments,progress}.csv "$W/$ds/"
done
CTL=("$B/nq57ctl" --criteria=127.0.0.1:52571 --publicservice=127.0.0.1:52572
     --eidentity=127.0.0.1:52573 --aggregator=127.0.0.1:52574)
REPORT=(report --period=2025-10 --as_of=2025-10-23T00:00:00+07:00)
start() {  # name data_dir [flags...]
  "$B/$1" --listen=127.0.0.1:$3 --data_dir="$W/$2" --config_dir=$C "${@:4}" \
    2>"$W/$2.log" &
  PIDS+=($!)
}
PIDS=()
start criteria-server criteria-a 52571
start publicservice-server ps 52572
start eidentity-server eid 52573
start aggregator-server agg 52574 --source=criteria@127.0.0.1:52571
CRIT=${PIDS[0]}
sleep 1.5
echo "## load Phú Thọ's criteria (criteria-server on data dir criteria-a)"
"${CTL[@]}" load "$W/phu-tho-2025-10" 2>&1 | tail -2
sleep 2
"${CTL[@]}" "${REPORT[@]}" | grep -E "All four|Khối Đảng" -A1 | head -3
echo "## restart criteria-server on an EMPTY data dir (criteria-b); load Huế"
kill "$CRIT"; wait "$CRIT" 2>/dev/null
echo "restarted at $(date -u +%H:%M:%S.%N | cut -c1-12) UTC"
start criteria-server criteria-b 52571
sleep 1
"${CTL[@]}" load "$W/synthetic-hue-2025-10" 2>&1 | tail -2
sleep 5
echo "## the aggregator's log"
grep -E "lost its basis|rebuilt|caught up" "$W/agg.log" | tail -5
echo "## Phú Thọ (the new store holds none of it)"
"${CTL[@]}" "${REPORT[@]}" | grep -E "All four|Khối Đảng" -A1 | head -3
echo "## Huế (provinces/46)"
"${CTL[@]}" "${REPORT[@]}" --province=provinces/46 |
  grep -E "All four|Khối Đảng" -A1 | head -3
