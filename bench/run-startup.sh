#!/usr/bin/env bash
# Cold start to healthy and idle memory (issue #2, target 4).
#
# Starts the server STARTS times per store (Flightdeck.Bench.Tools cold-start): wall time from process start to
# the first 200 on /health, then VmRSS after a few ordinary requests (create experiment and run, 10 log-batch
# calls, get run, search) and one idle second. Stores: an existing SQLite file (migrated by the first start),
# a new SQLite file every start (migrations included), and PostgreSQL (an existing, migrated database).
# "Cold" is the process: the OS file cache is warm after the first start, as on a server that restarts.
#
# Usage: bench/run-startup.sh     (STARTS=10)
source "$(dirname "$0")/lib.sh"

STARTS=${STARTS:-10}
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-"$BENCH_DIR/results/startup-$STAMP"}
WORK=$(mktemp -d /tmp/flightdeck-bench-startup.XXXXXX)
PG_DB="flightdeck_bench_startup"
PORT=5197
mkdir -p "$OUT"
trap 'drop_postgres_db $PG_DB; rm -rf "$WORK"' EXIT

build_release Flightdeck.Bench.Host Flightdeck.Bench.Baseline Flightdeck.Bench.Tools
machine_info | tee "$OUT/machine.txt" >&2

probe() { # probe NAME STORE-URI
  log "cold start: $1"
  "$TOOLS_BIN" cold-start "$PORT" "$STARTS" "$HOST_BIN" "$2" "$PORT" "$WORK/artifacts" | tee "$WORK/$1.txt"
  printf '%s\t%s\n' "$1" "$(tr '\n' ' ' <"$WORK/$1.txt")" >>"$OUT/results.tsv"
}

probe sqlite-existing-file "sqlite:///$WORK/existing.db"
# A fresh file per start: the host gets a URI whose file does not exist yet, by a wrapper that picks a new name.
cat >"$WORK/fresh-sqlite.sh" <<SH
#!/usr/bin/env bash
exec "$HOST_BIN" "sqlite:///$WORK/fresh-\$(date +%s%N).db" "$PORT" "$WORK/artifacts"
SH
chmod +x "$WORK/fresh-sqlite.sh"
log "cold start: sqlite-new-file"
"$TOOLS_BIN" cold-start "$PORT" "$STARTS" "$WORK/fresh-sqlite.sh" | tee "$WORK/sqlite-new-file.txt"
printf '%s\t%s\n' sqlite-new-file "$(tr '\n' ' ' <"$WORK/sqlite-new-file.txt")" >>"$OUT/results.tsv"
probe postgres "$(fresh_postgres_db $PG_DB)"

cat "$OUT/results.tsv"
log "results in $OUT"
