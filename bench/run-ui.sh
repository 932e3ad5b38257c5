#!/usr/bin/env bash
# UI benchmarks (issue #5, Performance), in headless Chromium against a Release server on SQLite:
#  (a) an experiment of RUNS runs: navigation start → the runs table's first page rendered (data-ready-runs-table);
#  (b) a run of METRICS metrics × POINTS points: navigation start → every chart drawn (data-ready-charts);
#  (c) a run of one metric of BIG_POINTS points: the same.
# Each is the median of REPS loads in fresh browser contexts, after one warm-up load, whose time is reported apart as
# the first view after the server started (cold JIT, empty chart cache).
#
# Usage: bench/run-ui.sh     (RUNS=100000 METRICS=50 POINTS=100000 BIG_POINTS=1000000 REPS=5; RUNS=0 or BIG_POINTS=0 skips)
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

STORE="sqlite:///$WORK/ui.db"
: >"$WORK/seed-runs.txt"
if [ "$RUNS" -gt 0 ]; then
  log "seeding $RUNS runs"
  "$TOOLS_BIN" seed-search "$STORE" "$RUNS" | tee "$WORK/seed-runs.txt" >&2
fi
EXPERIMENT=$(sed -n 's/^EXPERIMENT_ID=//p' "$WORK/seed-runs.txt")
log "seeding a run of $METRICS metrics x $POINTS points"
"$UI_BIN" seed-metrics "$STORE" "$METRICS" "$POINTS" | tee "$WORK/seed-metrics.txt" >&2
RUN=$(sed -n 's/^RUN_ID=//p' "$WORK/seed-metrics.txt")
: >"$WORK/seed-big.txt"
if [ "$BIG_POINTS" -gt 0 ]; then
  log "seeding a run of 1 metric x $BIG_POINTS points"
  "$UI_BIN" seed-metrics "$STORE" 1 "$BIG_POINTS" | tee "$WORK/seed-big.txt" >&2
fi
BIG_RUN=$(sed -n 's/^RUN_ID=//p' "$WORK/seed-big.txt")
cat "$WORK/seed-runs.txt" "$WORK/seed-metrics.txt" "$WORK/seed-big.txt" >>"$OUT/machine.txt"

start_server sqlite "$PORT" "$HOST_BIN" "$STORE" "$PORT" "$WORK/artifacts"
BASE="http://127.0.0.1:$PORT"

if [ "$RUNS" -gt 0 ]; then
  log "runs table of $RUNS runs (load $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "load before runs-table: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
  "$UI_BIN" probe "$BASE/experiments/$EXPERIMENT" runs-table "$REPS" | tee "$OUT/runs-table.txt" >&2
fi
log "run page with $METRICS charts (load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "load before charts: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
"$UI_BIN" probe "$BASE/runs/$RUN" charts "$REPS" | tee "$OUT/charts.txt" >&2
if [ -n "$BIG_RUN" ]; then
  log "run page with one chart of $BIG_POINTS points (load $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "load before big chart: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
  "$UI_BIN" probe "$BASE/runs/$BIG_RUN" charts "$REPS" | tee "$OUT/big-chart.txt" >&2
fi

{
  echo "| measure | median | min | max | first view | target |"
  echo "|---|---|---|---|---|---|"
  v() { sed -n "s/^$2=//p" "$OUT/$1.txt"; }
  row() { echo "| $2 | $(v "$1" MEDIAN_MS) ms | $(v "$1" MIN_MS) ms | $(v "$1" MAX_MS) ms | $(v "$1" FIRST_MS) ms | $3 |"; }
  if [ "$RUNS" -gt 0 ]; then row runs-table "runs table, first page of $RUNS runs" "< 1000 ms"; fi
  row charts "run page, $METRICS charts × $POINTS points" "< 1500 ms"
  if [ -n "$BIG_RUN" ]; then row big-chart "run page, 1 chart × $BIG_POINTS points" "well under 1000 ms"; fi
} | tee "$OUT/summary.md"
log "results in $OUT"
