#!/usr/bin/env bash
# UI benchmarks (issue #5, Performance), in headless Chromium against a Release server on SQLite:
#  (a) an experiment of RUNS runs: navigation start → the runs table's first page rendered (data-ready-runs-table);
#  (b) a run of METRICS metrics × POINTS points: navigation start → every chart drawn (data-ready-charts);
#  (c) a run of one metric of BIG_POINTS points: the same.
# The metric runs are logged through the server's log-batch (1,000 metrics a request, SEED=http), so the chart block
# summaries are built in the background as they would be for a user; once the server is idle it is restarted, and the
# measures run against the fresh process. SEED=direct writes the rows straight into the store instead (no summaries).
# Each is the median of REPS loads in fresh browser contexts, after one warm-up load, whose time is reported apart as
# the first view after the server started (cold JIT, empty chart cache).
# ALT_HOST_BIN (a host built from another commit, with its UI) adds the same measures on a second store seeded and
# served by it, interleaved per measure, for A/B runs on this shared machine.
#
# Usage: bench/run-ui.sh     (RUNS=100000 METRICS=50 POINTS=100000 BIG_POINTS=1000000 REPS=5 SEED=http;
#                             RUNS=0 or BIG_POINTS=0 skips)
source "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-100000}
METRICS=${METRICS:-50}
POINTS=${POINTS:-100000}
BIG_POINTS=${BIG_POINTS:-1000000}
REPS=${REPS:-5}
UI_BIN="$BENCH_DIR/Flightdeck.Bench.Ui/bin/Release/net10.0/Flightdeck.Bench.Ui"

STAMP=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-"$BENCH_DIR/results/ui-$STAMP"}
WORK=$(mktemp -d /tmp/flightdeck-bench-ui.XXXXXX)
PORT=5197
mkdir -p "$OUT"
trap 'stop_servers; rm -rf "$WORK"' EXIT

build_release Flightdeck.Bench.Host Flightdeck.Bench.Tools Flightdeck.Bench.Ui
machine_info | tee "$OUT/machine.txt" >&2

SEED=${SEED:-http}
TARGETS="new${ALT_HOST_BIN:+ alt}"
declare -A BIN=([new]="$HOST_BIN" [alt]="${ALT_HOST_BIN:-}") PORTS=([new]=$PORT [alt]=$((PORT + 1)))

# wait_idle NAME: until the server has used under 5% of a core for 2 s (its background summaries are done).
wait_idle() {
  local before after
  while true; do
    before=$(cpu_ticks "$1"); sleep 2; after=$(cpu_ticks "$1")
    [ $((after - before)) -lt 10 ] && return
  done
}

for target in $TARGETS; do
  STORE="sqlite:///$WORK/ui-$target.db"
  : >"$WORK/seed-runs-$target.txt"
  if [ "$RUNS" -gt 0 ]; then
    log "$target: seeding $RUNS runs"
    "$TOOLS_BIN" seed-search "$STORE" "$RUNS" | tee "$WORK/seed-runs-$target.txt" >&2
  fi
  : >"$WORK/seed-big-$target.txt"
  if [ "$SEED" = direct ]; then
    log "$target: seeding a run of $METRICS metrics x $POINTS points"
    "$UI_BIN" seed-metrics "$STORE" "$METRICS" "$POINTS" | tee "$WORK/seed-metrics-$target.txt" >&2
    if [ "$BIG_POINTS" -gt 0 ]; then
      "$UI_BIN" seed-metrics "$STORE" 1 "$BIG_POINTS" | tee "$WORK/seed-big-$target.txt" >&2
    fi
  else
    start_server "seed-$target" "${PORTS[$target]}" "${BIN[$target]}" "$STORE" "${PORTS[$target]}" "$WORK/artifacts"
    log "$target: logging a run of $METRICS metrics x $POINTS points through log-batch"
    "$UI_BIN" log-metrics "http://127.0.0.1:${PORTS[$target]}" "$METRICS" "$POINTS" | tee "$WORK/seed-metrics-$target.txt" >&2
    if [ "$BIG_POINTS" -gt 0 ]; then
      log "$target: logging a run of 1 metric x $BIG_POINTS points through log-batch"
      "$UI_BIN" log-metrics "http://127.0.0.1:${PORTS[$target]}" 1 "$BIG_POINTS" | tee "$WORK/seed-big-$target.txt" >&2
    fi
    wait_idle "seed-$target"
    stop_servers
  fi
  { echo "[$target]"; cat "$WORK/seed-runs-$target.txt" "$WORK/seed-metrics-$target.txt" "$WORK/seed-big-$target.txt"; } >>"$OUT/machine.txt"
done

for target in $TARGETS; do
  start_server "$target" "${PORTS[$target]}" "${BIN[$target]}" "sqlite:///$WORK/ui-$target.db" "${PORTS[$target]}" "$WORK/artifacts"
done

# probe TARGET NAME PATH MARKER
probe() {
  log "$1: $2 (load $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "load before $1 $2: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
  "$UI_BIN" probe "http://127.0.0.1:${PORTS[$1]}$3" "$4" "$REPS" | tee "$OUT/$2-$1.txt" >&2
}
v() { sed -n "s/^$2=//p" "$WORK/$1"; }
for target in $TARGETS; do
  if [ "$RUNS" -gt 0 ]; then probe "$target" runs-table "/experiments/$(v "seed-runs-$target.txt" EXPERIMENT_ID)" runs-table; fi
done
for target in $TARGETS; do probe "$target" charts "/runs/$(v "seed-metrics-$target.txt" RUN_ID)" charts; done
if [ "$BIG_POINTS" -gt 0 ]; then
  for target in $TARGETS; do probe "$target" big-chart "/runs/$(v "seed-big-$target.txt" RUN_ID)" charts; done
fi

# uncached TARGET NAME RUN: the server's time for the run's chart batch at point budgets not cached yet, with the JIT
# warm (median of 3, curl): what a first view costs the server beyond starting up.
uncached() {
  local p
  for p in 1202 1204 1206; do
    curl -fsS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:${PORTS[$1]}/api/flightdeck/v1/metrics/downsampled-batch?run_id=$3&points=$p"
  done | sort -n | sed -n 2p | awk '{printf "UNCACHED_MS=%.0f\n", $1 * 1000}' | tee "$OUT/$2-uncached-$1.txt" >&2
}
for target in $TARGETS; do
  uncached "$target" charts "$(v "seed-metrics-$target.txt" RUN_ID)"
  if [ "$BIG_POINTS" -gt 0 ]; then uncached "$target" big-chart "$(v "seed-big-$target.txt" RUN_ID)"; fi
done

{
  echo "| server | measure | median | min | max | first view | batch, uncached (server) | target |"
  echo "|---|---|---|---|---|---|---|---|"
  r() { sed -n "s/^$2=//p" "$OUT/$1.txt"; }
  row() { echo "| $1 | $3 | $(r "$2-$1" MEDIAN_MS) ms | $(r "$2-$1" MIN_MS) ms | $(r "$2-$1" MAX_MS) ms | $(r "$2-$1" FIRST_MS) ms | $(r "$2-uncached-$1" UNCACHED_MS) ms | $4 |"; }
  for target in $TARGETS; do
    if [ "$RUNS" -gt 0 ]; then row "$target" runs-table "runs table, first page of $RUNS runs" "< 1000 ms"; fi
    row "$target" charts "run page, $METRICS charts × $POINTS points" "< 1500 ms"
    if [ "$BIG_POINTS" -gt 0 ]; then row "$target" big-chart "run page, 1 chart × $BIG_POINTS points" "well under 1000 ms"; fi
  done
} | tee "$OUT/summary.md"
log "results in $OUT"
