#!/usr/bin/env bash
# `npm run bench:say`: N stdin lines (200,000 by default) piped into a room with
# `relaykit say`, timed until an archiver in the room has every one of them, in order.
# When mosquitto and mosquitto-clients are installed (Debian: apt-get install mosquitto
# mosquitto-clients), the same lines go through `mosquitto_pub -l` to a local broker and a
# `mosquitto_sub`, at QoS 0 and QoS 1, alternating with relaykit, so both meet the same load.
# Usage: bench/say-lines.sh [LINES] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
usage="npm run bench:say -- [LINES] [ROUNDS]   (default 200000 lines, 3 rounds)"
case "${1:-}" in -h|--help) echo "$usage"; exit 0 ;; esac
lines=${1:-200000}
rounds=${2:-3}
bad() { echo "$1" >&2; echo "$usage" >&2; exit 2; }
if [ $# -gt 2 ]; then bad "$*: at most two arguments, LINES and ROUNDS"; fi
for n in "$lines" "$rounds"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || bad "$n: LINES and ROUNDS are whole numbers of at least 1 (no flags)"
done
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# A signal ends the run through the EXIT trap, so its servers and files go with it.
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
now() { date +%s.%N; }
# Waits up to 20 s for a command to succeed.
wait_for() { for _ in $(seq 1 200); do if "$@" >/dev/null 2>&1; then return 0; fi; sleep 0.1; done; echo "timed out: $*" >&2; return 1; }
seq 1 "$lines" > "$work/expected"

relaykit_round() {
  local port dir start said done_at
  port=$(free_port)
  dir="$work/archive-$1"
  node bin/relaykit serve --port "$port" --log-level warn > "$work/serve.log" 2>&1 & local srv=$!
  pids+=("$srv")
  wait_for node bin/relaykit rooms --server "127.0.0.1:$port"
  node bin/relaykit archive burst --server "127.0.0.1:$port" --dir "$dir" > "$work/archive.log" 2>&1 & local arc=$!
  pids+=("$arc")
  wait_for bash -c "node bin/relaykit rooms --server 127.0.0.1:$port | grep -q burst"
  start=$(now)
  # In the background with a wait, which a signal interrupts (a foreground pipeline would
  # hold the trap until it ended).
  seq 1 "$lines" | node bin/relaykit say burst --as piper --server "127.0.0.1:$port" &
  local sayer=$!
  pids+=("$sayer")
  wait "$sayer"
  said=$(now)
  # The archiver has them all once its file holds every post.
  until [ "$(cat "$dir"/*/burst/*.jsonl 2>/dev/null | grep -c '"type":"post"')" -ge "$lines" ]; do sleep 0.05; done
  done_at=$(now)
  cat "$dir"/*/burst/*.jsonl | grep '"type":"post"' | sed -E 's/.*"text":"([^"]*)".*/\1/' > "$work/got"
  cmp -s "$work/got" "$work/expected" || { echo "relaykit: the archive does not hold lines 1..$lines in order" >&2; exit 1; }
  kill "$arc" "$srv"; wait "$arc" "$srv" 2>/dev/null || true
  awk -v s="$start" -v a="$said" -v d="$done_at" -v n="$lines" \
    'BEGIN { printf "relaykit say        %7.2f s  %9.0f lines/s  (say exited after %.2f s)\n", d - s, n / (d - s), a - s }'
}

mosquitto_round() {
  local qos=$1 port start done_at
  port=$(free_port)
  mosquitto -p "$port" > "$work/mosquitto.log" 2>&1 & local broker=$!
  pids+=("$broker")
  wait_for mosquitto_pub -p "$port" -t probe -m x
  mosquitto_sub -p "$port" -t burst -q "$qos" -C "$lines" > "$work/got" & local sub=$!
  pids+=("$sub")
  sleep 0.5 # mosquitto_sub has no "subscribed" signal; half a second is ample on loopback.
  start=$(now)
  mosquitto_pub -p "$port" -t burst -q "$qos" -l < "$work/expected"
  # The broker may drop messages (a subscriber's queue is bounded); stop waiting once nothing
  # has arrived for 5 s, and time the run to the last line that came.
  local count=-1 quiet=0
  done_at=$(now)
  while kill -0 "$sub" 2>/dev/null && [ "$quiet" -lt 100 ]; do
    local c; c=$(wc -l < "$work/got")
    if [ "$c" -eq "$count" ]; then quiet=$((quiet + 1)); else quiet=0; count=$c; done_at=$(now); fi
    sleep 0.05
  done
  kill "$sub" 2>/dev/null || true
  wait "$sub" 2>/dev/null || true
  if [ "$quiet" -lt 100 ]; then done_at=$(now); fi
  kill "$broker"; wait "$broker" 2>/dev/null || true
  local got; got=$(wc -l < "$work/got")
  if cmp -s "$work/got" "$work/expected"; then whole="whole, in order"; else whole="only $got of $lines lines arrived"; fi
  awk -v s="$start" -v d="$done_at" -v n="$got" -v q="$qos" -v w="$whole" \
    'BEGIN { printf "mosquitto_pub -l q%d %7.2f s  %9.0f lines/s  (%s)\n", q, d - s, n / (d - s), w }'
}

echo "$lines lines, $rounds rounds; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  relaykit_round "$r"
  if command -v mosquitto >/dev/null && command -v mosquitto_pub >/dev/null; then
    mosquitto_round 0
    mosquitto_round 1
  fi
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
