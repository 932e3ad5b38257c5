#!/usr/bin/env bash
# Serving throughput: adaptive batching vs one predict per request vs a bare endpoint (issue #4, batching target).
#
# Starts bench/Flightdeck.Bench.Serving (one process, one port) and runs wrk against its three targets interleaved,
# REPS times each, so noise on this shared machine hits all alike:
#   batched    POST /invocations?model=batched     (max batch 64, max delay 2 ms)
#   unbatched  POST /invocations?model=unbatched   (max batch 1)
#   direct     POST /direct                         (bare endpoint calling Predict, no queue)
# Usage: bench/run-serving.sh   (DURATION=10s REPS=3 CONNECTIONS=64 ROWS=1 FLAVOR=mlnet by default)
#   FLAVOR=mlnet|onnx (a FastTree model, 5 columns), mlp (ONNX MLP, tensor "features" of 20 floats) or recommender
#   (ONNX, tensor "user" of 64 floats → top 10 of 10,000 SKUs); see bench/Flightdeck.Bench.Serving/Program.cs.
# Output: bench/results/serving-<timestamp>/{machine.txt,runs.tsv}
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-10s}
REPS=${REPS:-3}
CONNECTIONS=${CONNECTIONS:-64}
ROWS=${ROWS:-1}
FLAVOR=${FLAVOR:-mlnet}
PORT=${PORT:-5201}
OUT=${OUT:-"$BENCH_DIR/results/serving-$(date +%Y%m%d-%H%M%S)"}
BIN="$BENCH_DIR/Flightdeck.Bench.Serving/bin/Release/net10.0/Flightdeck.Bench.Serving"
mkdir -p "$OUT"

build_release Flightdeck.Bench.Serving
machine_info | tee "$OUT/machine.txt" >&2
"$BIN" "$PORT" "$FLAVOR" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null' EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$PORT/ping" >/dev/null && break
  sleep 0.2
done

SCRIPT="$BENCH_DIR/scripts/invocations.lua"
case "$FLAVOR" in
  mlp) SCRIPT="$BENCH_DIR/scripts/tensor.lua"; export INPUT=features WIDTH=20 ;;
  recommender) SCRIPT="$BENCH_DIR/scripts/tensor.lua"; export INPUT=user WIDTH=64 ;;
esac
declare -A PATHS=([batched]="/invocations?model=batched" [unbatched]="/invocations?model=unbatched" [direct]="/direct")
printf 'target\trep\treq_per_s\tp50\tp99\terrors\n' >"$OUT/runs.tsv"
for target in batched unbatched direct; do # warm-up
  TARGET_PATH=${PATHS[$target]} ROWS=$ROWS wrk -t2 -c"$CONNECTIONS" -d3s -s "$SCRIPT" "http://127.0.0.1:$PORT" >/dev/null
done
for rep in $(seq 1 "$REPS"); do
  for target in batched unbatched direct; do
    result=$(TARGET_PATH=${PATHS[$target]} ROWS=$ROWS wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$SCRIPT" "http://127.0.0.1:$PORT")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$result")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$result")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$result")
    errors=$(awk '/Non-2xx/ {print $NF}' <<<"$result")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$rep" "$rps" "$p50" "$p99" "${errors:-0}" | tee -a "$OUT/runs.tsv" >&2
  done
done
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
