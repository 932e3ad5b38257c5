#!/usr/bin/env bash
# UI benchmarks (issue #5, Performance), in headless Chromium against a Release server on SQLite:
#  (a) an experiment of RUNS runs: navigation start → the runs table's first page rendered (data-ready-runs-table);
#  (b) a run of METRICS metrics × POINTS points: navigation start → every chart drawn (data-ready-charts).
# Each is the median of REPS loads in fresh browser contexts, after one warm-up load.
#
# Usage: bench/run-ui.sh     (RUNS=100000 METRICS=50 POINTS=100000 REPS=5)
source "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-100000}
METRICS=${METRICS:-50}
POINTS=${POINTS:-100000}
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
log "seeding $RUNS runs"
"$TOOLS_BIN" seed-search "$STORE" "$RUNS" | tee "$WORK/seed-runs.txt" >&2
EXPERIMENT=$(sed -n 's/^EXPERIMENT_ID=//p' "$WORK/seed-runs.txt")
log "seeding a run of $METRICS metrics x $POINTS points"
"$UI_BIN" seed-metrics "$STORE" "$METRICS" "$POINTS" | tee "$WORK/seed-metrics.txt" >&2
RUN=$(sed -n 's/^RUN_ID=//p' "$WORK/seed-metrics.txt")
cat "$WORK/seed-runs.txt" "$WORK/seed-metrics.txt" >>"$OUT/machine.txt"

start_server sqlite "$PORT" "$HOST_BIN" "$STORE" "$PORT" "$WORK/artifacts"
BASE="http://127.0.0.1:$PORT"

log "runs table of $RUNS runs (load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "load before runs-table: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
"$UI_BIN" probe "$BASE/experiments/$EXPERIMENT" runs-table "$REPS" | tee "$OUT/runs-table.txt" >&2
log "run page with $METRICS charts (load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "load before charts: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
"$UI_BIN" probe "$BASE/runs/$RUN" charts "$REPS" | tee "$OUT/charts.txt" >&2

{
  echo "| measure | median | min | max | target |"
  echo "|---|---|---|---|---|"
  v() { sed -n "s/^$2=//p" "$OUT/$1.txt"; }
  echo "| runs table, first page of $RUNS runs | $(v runs-table MEDIAN_MS) ms | $(v runs-table MIN_MS) ms | $(v runs-table MAX_MS) ms | < 1000 ms |"
  echo "| run page, $METRICS charts × $POINTS points | $(v charts MEDIAN_MS) ms | $(v charts MIN_MS) ms | $(v charts MAX_MS) ms | < 1500 ms |"
} | tee "$OUT/summary.md"
log "results in $OUT"
