#!/usr/bin/env bash
# The recorded benchmark session: every end-to-end benchmark once, in one results folder, then the micro-benchmarks.
# Run it when the machine is otherwise idle (check `uptime`); docs/benchmarks.md quotes its output.
# Usage: bench/run-all.sh      (about 30 minutes on 2 cores)
source "$(dirname "$0")/lib.sh"

STAMP=$(date +%Y%m%d-%H%M%S)
ROOT=${ROOT:-"$BENCH_DIR/results/all-$STAMP"}
mkdir -p "$ROOT"
export FLIGHTDECK_TEST_POSTGRES_URI=${FLIGHTDECK_TEST_POSTGRES_URI:-$(postgres_admin_uri)}
build_release Flightdeck.Bench.Host Flightdeck.Bench.Baseline Flightdeck.Bench.Tools Flightdeck.Benchmarks

log "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
OUT="$ROOT/startup" "$BENCH_DIR/run-startup.sh"
OUT="$ROOT/http" "$BENCH_DIR/run-http.sh"
OUT="$ROOT/history" "$BENCH_DIR/run-history.sh"
OUT="$ROOT/search" "$BENCH_DIR/run-search.sh"
if [ "${MICRO:-1}" = 1 ]; then
  (cd "$ROOT" && dotnet "$BENCH_DIR/Flightdeck.Benchmarks/bin/Release/net10.0/Flightdeck.Benchmarks.dll" --filter '*' \
    --artifacts "$ROOT/micro" >"$ROOT/micro.log" 2>&1)
fi
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
log "results in $ROOT"
