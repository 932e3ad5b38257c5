#!/usr/bin/env bash
# Model package runtime (issue #3): load time of a ~50 MB ML.NET package into a ready predictor (target <= 1 s) and
# predictor throughput next to ML.NET called directly on the same rows (target: within 10%).
#
# Generates (once; reused from MODEL_DIR) a FastTree model of TREES x LEAVES on synthetic data, then runs
# Flightdeck.Bench.Models load and throughput on it, and throughput on a small model (100 x 64) where the
# predictor's own overhead weighs most.
#
# The large model scores about 2 ms per row on this machine (1250 trees), so its throughput rounds are few and short.
# Training it takes about 4 CPU-minutes (22 minutes of wall time on the shared 2-core machine); 1250 trees gave a 45.7 MB zip, so the default is 1400 to pass 50 MB.
#
# Usage: bench/run-models.sh     (TREES=1400 LEAVES=1024 LOADS=10 ROUNDS=40 BATCH=1000 LARGE_ROUNDS=10 LARGE_BATCH=200
#                                 MODEL_DIR=/tmp/flightdeck-bench-models)
source "$(dirname "$0")/lib.sh"

TREES=${TREES:-1400}
LEAVES=${LEAVES:-1024}
LOADS=${LOADS:-10}
ROUNDS=${ROUNDS:-40}
BATCH=${BATCH:-1000}
LARGE_ROUNDS=${LARGE_ROUNDS:-10}
LARGE_BATCH=${LARGE_BATCH:-200}
MODEL_DIR=${MODEL_DIR:-/tmp/flightdeck-bench-models}
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-"$BENCH_DIR/results/models-$STAMP"}
MODELS_BIN="$BENCH_DIR/Flightdeck.Bench.Models/bin/Release/net10.0/Flightdeck.Bench.Models"
mkdir -p "$OUT" "$MODEL_DIR"

build_release Flightdeck.Bench.Models
machine_info | tee "$OUT/machine.txt" >&2

large="$MODEL_DIR/fasttree-$TREES-$LEAVES"
small="$MODEL_DIR/fasttree-100-64"
if [ ! -f "$large/MLmodel" ]; then
  log "training the large model ($TREES trees x $LEAVES leaves); this takes minutes"
  "$MODELS_BIN" generate "$large" "$TREES" "$LEAVES" | tee "$OUT/generate-large.txt"
fi
if [ ! -f "$small/MLmodel" ]; then
  "$MODELS_BIN" generate "$small" 100 64 | tee "$OUT/generate-small.txt"
fi
log "model.zip: $(du -h "$large/model.zip" | cut -f1)"

log "load x$LOADS"
"$MODELS_BIN" load "$large" "$LOADS" | tee "$OUT/load.txt"
log "throughput, large model"
"$MODELS_BIN" throughput "$large" "$LARGE_BATCH" "$LARGE_ROUNDS" | tee "$OUT/throughput-large.txt"
log "throughput, small model"
"$MODELS_BIN" throughput "$small" "$BATCH" "$ROUNDS" | tee "$OUT/throughput-small.txt"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
log "results in $OUT"
