#!/usr/bin/env bash
# Serving throughput: adaptive batching vs one predict per request vs a bare endpoint (issue #4, batching target), and
# the cost of inference logging (issue #4: "inference logging on costs <= 10% of throughput").
#
# Starts bench/Flightdeck.Bench.Serving three times (ports PORT, PORT+1, PORT+2: no log, a JSON Lines log, a SQLite
# log, both at sample rate 1) and runs wrk against the targets interleaved, REPS times each, so noise on this shared
# machine hits all alike:
#   batched        POST /invocations?model=batched     (max batch 64, max delay 2 ms)
#   unbatched      POST /invocations?model=unbatched   (max batch 1)
#   direct         POST /direct                         (bare endpoint calling Predict, no queue)
#   logged-jsonl   batched, every request logged to JSON Lines files (flightdeck serve --inference-log DIR)
#   logged-sqlite  batched, every request logged to the server's inference_log table in SQLite
# After the runs it records each logged process's dropped and written record counts (dropped records are counted in
# flightdeck_serving_inference_log_dropped_total, never waited for).
# Usage: bench/run-serving.sh   (DURATION=10s REPS=3 CONNECTIONS=64 ROWS=1 FLAVOR=mlnet TARGETS="batched unbatched direct
#        logged-jsonl logged-sqlite" by default)
#   FLAVOR=mlnet|onnx (a FastTree model, 5 columns), mlp (ONNX MLP 20 → 1024 → 1024 → 1, tensor "features" of 20 floats),
#   mlp-wide (the same, 2048 wide) or recommender (ONNX, tensor "user" of 64 floats → top 10 of 10,000 SKUs); see
#   bench/Flightdeck.Bench.Serving/Program.cs. ORT=default loads the ONNX models with ONNX Runtime's defaults instead
#   of the serving settings (one thread per predict call, no spin-wait), for comparison.
#   TARGET_RPS=N paces wrk (bench/scripts/paced.lua) to about N requests/s in all instead of running flat out: the
#   latency below saturation, where the closed loop's queueing does not dominate.
#   SERVER_ENV="DOTNET_gcServer=1 ..." starts the server processes with those variables (GC settings and the like).
# Output: bench/results/serving-<timestamp>/{machine.txt,runs.tsv,summary.md,inference-log.txt,batches.txt}; batches.txt
# has the batched model's batch-size, predict-time and queue-wait histograms from /metrics (all runs together).
# runs.tsv also has the CPU each run cost, per request: the serving process's (utime + stime from /proc) and wrk's. On a
# shared machine these hold still where req/s does not (another job's load slows a run, it does not make a request
# cost more CPU), so the cost of logging is also given as the ratio of the total CPU per request, which on 2 saturated
# cores is what bounds the throughput: (server + wrk of batched) ÷ (server + wrk of logged). And the serving process's
# garbage collections over the run (GET /gc of the bench host): collections per generation, total pause, KB allocated
# per request.
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-10s}
REPS=${REPS:-3}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=$(( CONNECTIONS < 2 ? 1 : 2 )) # wrk needs a connection per thread
ROWS=${ROWS:-1}
FLAVOR=${FLAVOR:-mlnet}
PORT=${PORT:-5201}
TARGETS=${TARGETS:-"batched unbatched direct logged-jsonl logged-sqlite"}
OUT=${OUT:-"$BENCH_DIR/results/serving-$(date +%Y%m%d-%H%M%S)"}
BIN="$BENCH_DIR/Flightdeck.Bench.Serving/bin/Release/net10.0/Flightdeck.Bench.Serving"
LOG_DIR=$(mktemp -d /tmp/flightdeck-bench-inference-log-XXXXXX)
mkdir -p "$OUT"

build_release Flightdeck.Bench.Serving
machine_info | tee "$OUT/machine.txt" >&2
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$LOG_DIR"
}
trap cleanup EXIT
read -r -a SERVER_ENV_ARGS <<<"${SERVER_ENV:-}"
env "${SERVER_ENV_ARGS[@]}" "$BIN" "$PORT" "$FLAVOR" none >"$OUT/server.log" 2>&1 &
PIDS+=($!)
env "${SERVER_ENV_ARGS[@]}" "$BIN" $((PORT + 1)) "$FLAVOR" "jsonl:$LOG_DIR/jsonl" >"$OUT/server-jsonl.log" 2>&1 &
PIDS+=($!)
env "${SERVER_ENV_ARGS[@]}" "$BIN" $((PORT + 2)) "$FLAVOR" "sqlite:$LOG_DIR/inference.db" >"$OUT/server-sqlite.log" 2>&1 &
PIDS+=($!)
for port in "$PORT" $((PORT + 1)) $((PORT + 2)); do
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/ping" >/dev/null && break
    sleep 0.2
  done
done

SCRIPT="$BENCH_DIR/scripts/invocations.lua"
case "$FLAVOR" in
  mlp|mlp-wide) SCRIPT="$BENCH_DIR/scripts/tensor.lua"; export INPUT=features WIDTH=20 ;;
  recommender) SCRIPT="$BENCH_DIR/scripts/tensor.lua"; export INPUT=user WIDTH=64 ;;
esac
declare -A URLS=(
  [batched]="http://127.0.0.1:$PORT /invocations?model=batched"
  [unbatched]="http://127.0.0.1:$PORT /invocations?model=unbatched"
  [direct]="http://127.0.0.1:$PORT /direct"
  [logged-jsonl]="http://127.0.0.1:$((PORT + 1)) /invocations?model=batched"
  [logged-sqlite]="http://127.0.0.1:$((PORT + 2)) /invocations?model=batched"
)
declare -A PORT_OF=(
  [batched]=$PORT [unbatched]=$PORT [direct]=$PORT [logged-jsonl]=$((PORT + 1)) [logged-sqlite]=$((PORT + 2))
)
declare -A PID_OF=(
  [batched]=${PIDS[0]} [unbatched]=${PIDS[0]} [direct]=${PIDS[0]} [logged-jsonl]=${PIDS[1]} [logged-sqlite]=${PIDS[2]}
)
WRK_TIME=$(mktemp /tmp/flightdeck-bench-wrk-time-XXXXXX)
run_wrk() { # TARGET DURATION [wrk options]; wrk's user and system CPU seconds land in $WRK_TIME
  local url path
  read -r url path <<<"${URLS[$1]}"
  if [[ -n "${TARGET_RPS:-}" ]]; then
    SCRIPT=$SCRIPT THREADS=$THREADS CONNECTIONS=$CONNECTIONS TARGET_RPS=$TARGET_RPS TARGET_PATH=$path ROWS=$ROWS \
      /usr/bin/time -f '%U %S' -o "$WRK_TIME" \
      wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2" "${@:3}" -s "$BENCH_DIR/scripts/paced.lua" "$url"
  else
    TARGET_PATH=$path ROWS=$ROWS /usr/bin/time -f '%U %S' -o "$WRK_TIME" \
      wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2" "${@:3}" -s "$SCRIPT" "$url"
  fi
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime of a process, in clock ticks
TICK=$(getconf CLK_TCK)
gc_totals() { curl -sf "http://127.0.0.1:$1/gc" || echo "0 0 0 0 0"; } # gen0 gen1 gen2 pause_ms allocated_bytes
printf 'target\trep\treq_per_s\tp50\tp99\terrors\trequests\tserver_cpu_us_per_req\twrk_cpu_us_per_req\tgen0\tgen1\tgen2\tgc_pause_ms\talloc_kb_per_req\n' \
  >"$OUT/runs.tsv"
for target in $TARGETS; do # warm-up
  run_wrk "$target" 3s >/dev/null
done
for rep in $(seq 1 "$REPS"); do
  for target in $TARGETS; do
    gc_before=$(gc_totals "${PORT_OF[$target]}")
    before=$(cpu_ticks "${PID_OF[$target]}")
    result=$(run_wrk "$target" "$DURATION" --latency)
    after=$(cpu_ticks "${PID_OF[$target]}")
    gc_after=$(gc_totals "${PORT_OF[$target]}")
    requests=$(awk '/requests in/ {print $1}' <<<"$result")
    server_us=$(awk -v t=$((after - before)) -v hz="$TICK" -v n="$requests" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
    wrk_us=$(awk -v n="$requests" '{printf "%.1f", ($1 + $2) * 1e6 / n}' "$WRK_TIME")
    gc=$(awk -v n="$requests" 'NR == 1 {split($0, b)} NR == 2 {printf "%d\t%d\t%d\t%.1f\t%.2f", $1 - b[1], $2 - b[2], $3 - b[3], $4 - b[4], ($5 - b[5]) / 1024 / n}' \
      <(echo "$gc_before"; echo "$gc_after"))
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$result")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$result")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$result")
    errors=$(awk '/Non-2xx/ {print $NF}' <<<"$result")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$rep" "$rps" "$p50" "$p99" "${errors:-0}" "$requests" \
      "$server_us" "$wrk_us" "$gc" | tee -a "$OUT/runs.tsv" >&2
  done
done
curl -sf "http://127.0.0.1:$PORT/metrics" | grep -E '^flightdeck_serving_(batch_rows|predict_duration_seconds|queue_wait_seconds)' \
  | grep 'model="batched"' >"$OUT/batches.txt" || true
{
  for port in $((PORT + 1)) $((PORT + 2)); do
    echo "port $port: $(curl -sf "http://127.0.0.1:$port/metrics" | grep -E '^flightdeck_serving_inference_log_(dropped|failed)_total' || echo 'no records dropped or lost')"
  done
  echo "jsonl lines so far: $(cat "$LOG_DIR"/jsonl/*.jsonl 2>/dev/null | wc -l)"
} | tee "$OUT/inference-log.txt" >&2
python3 "$BENCH_DIR/scripts/summarize-serving.py" "$OUT/runs.tsv" | tee "$OUT/summary.md" >&2
rm -f "$WRK_TIME"
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
