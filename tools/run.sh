#!/usr/bin/env bash
# make run / make demo: starts the four nq57 servers as separate processes on
# localhost (data under ./var/<server>, logs under ./var/log/), waits until
# every one is SERVING, loads the reference datasets when the stores are new,
# waits for the aggregator to catch up and prints Phú Thọ's report.
#
#   tools/run.sh          keep serving until Ctrl-C (SIGTERM to every server)
#   tools/run.sh --demo   print the report, stop everything and exit
#
# Environment: NQ57_VAR (default var), NQ57_BASE_PORT (default 50571: the
# servers use BASE..BASE+3, nq57ctl's defaults), NQ57_TLS=1 (mTLS between
# every process, with development certificates made under $NQ57_VAR/tls by
# tools/dev-certs.sh and the sample policy deploy/config/access/).
set -uo pipefail
cd "$(dirname "$0")/.."

MODE=run
[ "${1:-}" = "--demo" ] && MODE=demo
BIN=build/bin
VAR=${NQ57_VAR:-var}
BASE=${NQ57_BASE_PORT:-50571}
DATASETS=(deploy/datasets/phu-tho-2025-10 deploy/datasets/synthetic-lai-chau-2025-10
          deploy/datasets/synthetic-hue-2025-10)
PERIOD=2025-10
AS_OF=2025-10-23T00:00:00+07:00

NAMES=(criteria publicservice eidentity aggregator)
declare -A PORT
for i in 0 1 2 3; do PORT[${NAMES[$i]}]=$((BASE + i)); done
CTL=("$BIN/nq57ctl" --criteria=127.0.0.1:${PORT[criteria]}
     --publicservice=127.0.0.1:${PORT[publicservice]}
     --eidentity=127.0.0.1:${PORT[eidentity]}
     --aggregator=127.0.0.1:${PORT[aggregator]})

say() { echo "nq57: $*"; }

# Transport: plaintext on loopback, or mTLS with development certificates.
TLS=${NQ57_TLS:-0}
declare -A TLS_FLAGS
if [ "$TLS" = 1 ]; then
  if [ ! -f "$VAR/tls/ca.pem" ]; then
    tools/dev-certs.sh dev "$VAR/tls" >/dev/null || { say "cannot make certificates" >&2; exit 1; }
  fi
  for name in "${NAMES[@]}"; do
    TLS_FLAGS[$name]="--tls_cert=$VAR/tls/$name-server.pem --tls_key=$VAR/tls/$name-server.key --tls_client_ca=$VAR/tls/ca.pem"
  done
  CTL+=(--tls_ca="$VAR/tls/ca.pem" --tls_cert="$VAR/tls/nq57ctl.pem" --tls_key="$VAR/tls/nq57ctl.key")
fi
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for name in "${NAMES[@]}"; do
  if [ ! -x "$BIN/$name-server" ]; then
    say "$BIN/$name-server is not built (make build)" >&2; exit 1
  fi
done
[ -x "$BIN/nq57ctl" ] || { say "$BIN/nq57ctl is not built (make build)" >&2; exit 1; }
for name in "${NAMES[@]}"; do
  port=${PORT[$name]}
  if port_in_use "$port"; then
    say "port $port (for $name-server) is already in use; stop what holds it" \
        "(ss -ltnp 'sport = :$port'), or pick other ports with NQ57_BASE_PORT=..." >&2
    exit 1
  fi
done

declare -A PID
stopping=0
stop_all() {
  [ $stopping -eq 1 ] && return
  stopping=1
  trap - INT TERM
  local status=0 codes=() code
  for name in "${NAMES[@]}"; do
    [ -n "${PID[$name]:-}" ] && kill -TERM "${PID[$name]}" 2>/dev/null
  done
  for name in "${NAMES[@]}"; do
    [ -n "${PID[$name]:-}" ] || continue
    wait "${PID[$name]}"; code=$?
    codes+=("$name-server $code")
    [ $code -eq 0 ] || status=1
  done
  say "stopped (exit codes: $(IFS=,; echo "${codes[*]}" | sed 's/,/, /g'))"
  exit "${1:-$status}"
}
trap 'echo; stop_all' INT TERM

fail() {
  say "$*" >&2
  stop_all 1
}

mkdir -p "$VAR/log"
fresh=0
[ -f "$VAR/datasets-loaded" ] || fresh=1
sources="criteria=criteria@127.0.0.1:${PORT[criteria]}"
sources+=",publicservice=publicservice@127.0.0.1:${PORT[publicservice]}"
sources+=",eidentity=eidentity@127.0.0.1:${PORT[eidentity]}"
say "starting 4 servers (data in $VAR/, logs in $VAR/log/$([ "$TLS" = 1 ] && echo ", mTLS with certificates in $VAR/tls/"))"
for name in "${NAMES[@]}"; do
  [ -d "$VAR/$name-server" ] || fresh=1
  extra=()
  [ "$name" = aggregator ] && extra=(--source="$sources")
  # shellcheck disable=SC2086  # the TLS flags are words
  "$BIN/$name-server" --listen="127.0.0.1:${PORT[$name]}" \
    --data_dir="$VAR/$name-server" --config_dir=deploy/config "${extra[@]}" \
    ${TLS_FLAGS[$name]:-} \
    >>"$VAR/log/$name-server.out" 2>>"$VAR/log/$name-server.log" &
  PID[$name]=$!
  printf '  %-22s 127.0.0.1:%s\n' "$name-server" "${PORT[$name]}"
done

if ! "${CTL[@]}" health --wait=60 >"$VAR/log/health.txt" 2>&1; then
  for name in "${NAMES[@]}"; do
    if ! kill -0 "${PID[$name]}" 2>/dev/null; then
      say "$name-server exited; the end of $VAR/log/$name-server.log:" >&2
      tail -n 5 "$VAR/log/$name-server.log" >&2
      PID[$name]=""
    fi
  done
  cat "$VAR/log/health.txt" >&2
  fail "not every server became SERVING"
fi
say "all 4 SERVING"

if [ $fresh -eq 1 ]; then
  for dir in "${DATASETS[@]}"; do
    start=$EPOCHREALTIME
    if ! "${CTL[@]}" load "$dir" >"$VAR/log/load-$(basename "$dir").txt" 2>&1; then
      cat "$VAR/log/load-$(basename "$dir").txt" >&2
      fail "loading $dir failed"
    fi
    rows=$(awk '/ rows /{s+=$2} END{print s}' "$VAR/log/load-$(basename "$dir").txt")
    printf 'nq57: loaded %-44s %6s rows in %s s\n' "$dir" "$rows" \
      "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')"
  done
  printf '%s\n' "${DATASETS[@]}" >"$VAR/datasets-loaded"
else
  say "stores already hold the datasets ($VAR/datasets-loaded); not loading"
fi

echo
if ! "${CTL[@]}" report --province=provinces/25 --period=$PERIOD --as_of=$AS_OF \
     --wait=60; then
  fail "no report"
fi
echo

if [ "$MODE" = demo ]; then
  stop_all
fi
say "serving. Try:"
ctl="$BIN/nq57ctl"
[ "$TLS" = 1 ] && ctl+=" --tls_ca=$VAR/tls/ca.pem --tls_cert=$VAR/tls/nq57ctl.pem --tls_key=$VAR/tls/nq57ctl.key"
echo "  $ctl rank --group=PLATFORMS --period=$PERIOD --as_of=$AS_OF"
echo "  $ctl explain criteria.block.PARTY --period=$PERIOD --as_of=$AS_OF"
echo "  $ctl report --format=json --period=$PERIOD --as_of=$AS_OF"
say "Ctrl-C stops every server"
while true; do
  for name in "${NAMES[@]}"; do
    if ! kill -0 "${PID[$name]}" 2>/dev/null; then
      wait "${PID[$name]}"; code=$?
      PID[$name]=""
      fail "$name-server exited unexpectedly (status $code); see $VAR/log/$name-server.log"
    fi
  done
  sleep 1 &
  wait $!
done
