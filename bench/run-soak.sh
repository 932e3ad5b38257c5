#!/usr/bin/env bash
# Serving soak (issue #4 reliability): measures the maximum throughput of batched /invocations, then holds SHARE (70%)
# of it for SOAK (10 minutes) with paced wrk connections, sampling the serving process's RSS every 10 s. Reports
# errors (non-2xx and socket errors) and memory growth from the first sample after warm-up to the last.
# Usage: bench/run-soak.sh   (FLAVOR=mlp SOAK=600s SHARE=0.7 CONNECTIONS=64 by default)
# Output: bench/results/soak-<timestamp>/{machine.txt,max.txt,soak.txt,rss.tsv,summary.txt}
source "$(dirname "$0")/lib.sh"

FLAVOR=${FLAVOR:-mlp}
SOAK=${SOAK:-600s}
SHARE=${SHARE:-0.7}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-5203}
OUT=${OUT:-"$BENCH_DIR/results/soak-$(date +%Y%m%d-%H%M%S)"}
BIN="$BENCH_DIR/Flightdeck.Bench.Serving/bin/Release/net10.0/Flightdeck.Bench.Serving"
mkdir -p "$OUT"

case "$FLAVOR" in
  mlp) export SCRIPT="$BENCH_DIR/scripts/tensor.lua" INPUT=features WIDTH=20 ;;
  recommender) export SCRIPT="$BENCH_DIR/scripts/tensor.lua" INPUT=user WIDTH=64 ;;
  *) export SCRIPT="$BENCH_DIR/scripts/invocations.lua" ;;
esac
export TARGET_PATH="/invocations?model=batched"

build_release Flightdeck.Bench.Serving
machine_info | tee "$OUT/machine.txt" >&2
"$BIN" "$PORT" "$FLAVOR" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null' EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$PORT/ping" >/dev/null && break
  sleep 0.2
done

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }

wrk -t2 -c"$CONNECTIONS" -d5s -s "$SCRIPT" "http://127.0.0.1:$PORT" >/dev/null # warm-up
wrk -t2 -c"$CONNECTIONS" -d10s --latency -s "$SCRIPT" "http://127.0.0.1:$PORT" | tee "$OUT/max.txt" >&2
MAX=$(awk '/Requests\/sec/ {print $2}' "$OUT/max.txt")
export TARGET_RPS CONNECTIONS
TARGET_RPS=$(awk -v m="$MAX" -v s="$SHARE" 'BEGIN {printf "%d", m * s}')
log "max $MAX req/s; soaking at $TARGET_RPS req/s for $SOAK"

printf 'elapsed_s\trss_kb\n' >"$OUT/rss.tsv"
wrk -t2 -c"$CONNECTIONS" -d"$SOAK" --timeout 10s --latency -s "$BENCH_DIR/scripts/paced.lua" "http://127.0.0.1:$PORT" >"$OUT/soak.txt" &
WRK_PID=$!
START=$SECONDS
while kill -0 $WRK_PID 2>/dev/null; do
  printf '%s\t%s\n' $((SECONDS - START)) "$(rss_kb)" >>"$OUT/rss.tsv"
  sleep 10
done
wait $WRK_PID
cat "$OUT/soak.txt" >&2

# Growth is measured from the sample at 60 s (after the heap and batcher pools have settled) to the last.
awk -F'\t' -v out="$OUT/summary.txt" '
  NR > 1 && $1 >= 60 && first == "" { first = $2 }
  NR > 1 { last = $2 }
  END {
    growth = first > 0 ? 100 * (last - first) / first : 0
    printf "rss_at_60s_kb\t%s\nrss_last_kb\t%s\ngrowth_percent\t%.1f\n", first, last, growth > out
  }' "$OUT/rss.tsv"
{
  printf 'max_req_per_s\t%s\ntarget_req_per_s\t%s\n' "$MAX" "$TARGET_RPS"
  printf 'soak_req_per_s\t%s\n' "$(awk '/Requests\/sec/ {print $2}' "$OUT/soak.txt")"
  printf 'non_2xx\t%s\n' "$(awk '/Non-2xx/ {print $NF}' "$OUT/soak.txt" | grep . || echo 0)"
  printf 'socket_errors\t%s\n' "$(grep -o 'Socket errors:.*' "$OUT/soak.txt" || echo none)"
} >>"$OUT/summary.txt"
cat "$OUT/summary.txt"
