#!/usr/bin/env bash
# make run: starts every nq57 server that is built, each as its own process
# on localhost with its RocksDB store under ./var, and keeps serving until
# Ctrl-C, which stops every process with SIGTERM (graceful drain).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=build/bin
mkdir -p var/log

# name:port — the fixed local ports of `make run` (nq57ctl's defaults).
SERVERS=(criteria-server:50571 publicservice-server:50572 eidentity-server:50573 aggregator-server:50574)

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pids=()
stop_all() {
  trap - INT TERM
  echo
  echo "stopping: SIGTERM to ${#pids[@]} process(es)"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  status=0
  for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
  echo "all stopped (exit status $status)"
  exit "$status"
}
trap stop_all INT TERM

for entry in "${SERVERS[@]}"; do
  name=${entry%%:*}
  port=${entry##*:}
  [ -x "$BIN/$name" ] || continue
  if port_in_use "$port"; then
    echo "run: port $port (for $name) is already in use: stop what holds it (ss -ltnp 'sport = :$port') and retry" >&2
    stop_all
  fi
  "$BIN/$name" --listen="127.0.0.1:$port" --data_dir="var/$name" \
    --config_dir=deploy/config 2>>"var/log/$name.log" &
  pids+=($!)
done

if [ ${#pids[@]} -eq 0 ]; then
  echo "run: no server binaries in $BIN (build first: make build)" >&2
  exit 1
fi
for entry in "${SERVERS[@]}"; do
  name=${entry%%:*}; port=${entry##*:}
  [ -x "$BIN/$name" ] && echo "  $name  127.0.0.1:$port   log: var/log/$name.log"
done
echo "serving; Ctrl-C stops every process"
wait
