#!/usr/bin/env bash
# runs/search latency over RUNS seeded runs (issue #2, target 2), on SQLite and PostgreSQL.
#
# Seeds each store with direct SQL (Flightdeck.Bench.Tools seed-search: 10 params, 10 metrics, 5 tags per run),
# starts the server on it, and sends the benchmark query COUNT times in sequence (one client), REPS times:
#   {"experiment_ids":[E],"filter":"metrics.m0 > 0.5 and params.p0 = 'v3'","order_by":["metrics.m1 DESC"],"max_results":100}
# Latency is time to last byte, measured by the client. Extra queries (QUERIES=all) isolate each part.
#
# Usage: bench/run-search.sh     (RUNS=100000 COUNT=300 REPS=3 TARGETS="sqlite postgres")
# Reuse a store seeded before (by KEEP_WORK=1 or `Flightdeck.Bench.Tools seed-search`), kept afterwards:
#   SEEDED_SQLITE=<file> SEEDED_POSTGRES=<uri> (its experiment: SEEDED_EXPERIMENT, default 1). A/B runs on the same data.
# Output: bench/results/search-<timestamp>/{machine.txt,runs.tsv,summary.md}
source "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-100000}
COUNT=${COUNT:-300}
REPS=${REPS:-3}
TARGETS=${TARGETS:-"sqlite postgres"}
QUERIES=${QUERIES:-"headline"}
CONCURRENCY=${CONCURRENCY:-1}

STAMP=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-"$BENCH_DIR/results/search-$STAMP"}
WORK=$(mktemp -d /tmp/flightdeck-bench-search.XXXXXX)
PG_DB="flightdeck_bench_search"
mkdir -p "$OUT"
trap 'stop_servers; [ -n "${SEEDED_POSTGRES:-}" ] || drop_postgres_db $PG_DB; [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$WORK"' EXIT

build_release Flightdeck.Bench.Host Flightdeck.Bench.Tools
machine_info | tee "$OUT/machine.txt" >&2

# query NAME EXPERIMENT: writes the request body of a named query to stdout.
query() {
  local filter order
  case $1 in
    headline) filter="metrics.m0 > 0.5 and params.p0 = 'v3'"; order='"metrics.m1 DESC"' ;;
    metric-filter-only) filter="metrics.m0 > 0.5"; order='"metrics.m1 DESC"' ;;
    param-filter-only) filter="params.p0 = 'v3'"; order='"metrics.m1 DESC"' ;;
    filters-default-order) filter="metrics.m0 > 0.5 and params.p0 = 'v3'"; order='' ;;
    no-filter-default-order) filter=""; order='' ;;
    *) log "unknown query $1"; exit 2 ;;
  esac
  printf '{"experiment_ids":["%s"],"filter":"%s","order_by":[%s],"max_results":100}\n' "$2" "$filter" "$order"
}
[ "$QUERIES" = all ] && QUERIES="headline metric-filter-only param-filter-only filters-default-order no-filter-default-order"

# Targets: sqlite, postgres, and sqlite-alt / postgres-alt: a second server on the same seeded store, run from
# ALT_HOST_BIN (a host built from a patched server), for A/B runs. SQLITE_ANALYZE=1 adds a second phase: ANALYZE
# on the SQLite file, servers restarted, every query measured again under target names ending in "+analyze".
declare -A PORT=([sqlite]=5193 [postgres]=5194 [sqlite-alt]=5186 [postgres-alt]=5187) EXPERIMENT URI
for target in $TARGETS; do
  base=${target%-alt}
  if [ -z "${URI[$base]:-}" ]; then
    seeded=""
    case $base in
      sqlite) seeded=${SEEDED_SQLITE:+"sqlite:///$SEEDED_SQLITE"} ;;
      postgres) seeded=${SEEDED_POSTGRES:-} ;;
    esac
    if [ -n "$seeded" ]; then
      URI[$base]=$seeded
      EXPERIMENT[$base]=${SEEDED_EXPERIMENT:-1}
      echo "$base seed: reused $seeded" >>"$OUT/machine.txt"
      continue
    fi
    case $base in
      sqlite) URI[$base]="sqlite:///$WORK/search.db" ;;
      postgres) URI[$base]=$(fresh_postgres_db $PG_DB) ;;
    esac
    log "seeding $base with $RUNS runs"
    "$TOOLS_BIN" seed-search "${URI[$base]}" "$RUNS" | tee "$WORK/seed-$base.txt" >&2
    EXPERIMENT[$base]=$(sed -n 's/^EXPERIMENT_ID=//p' "$WORK/seed-$base.txt")
    echo "$base seed: $(tr '\n' ' ' <"$WORK/seed-$base.txt")" >>"$OUT/machine.txt"
  fi
done

start_targets() {
  local target base bin
  for target in $TARGETS; do
    base=${target%-alt}
    bin=$HOST_BIN
    [ "$target" != "$base" ] && bin=$ALT_HOST_BIN
    start_server "$target" "${PORT[$target]}" "$bin" "${URI[$base]}" "${PORT[$target]}" "$WORK/artifacts"
  done
}

printf 'query\ttarget\trep\tload1\titems\tcount\tp50_ms\tp90_ms\tp99_ms\tmax_ms\tmean_ms\tserver_cpu_us_per_req\n' >"$OUT/runs.tsv"
TICK_US=$((1000000 / $(getconf CLK_TCK)))
measure() { # measure LABEL-SUFFIX
  local q rep target load
  for q in $QUERIES; do
    for rep in $(seq 1 "$REPS"); do
      for target in $TARGETS; do
        query "$q" "${EXPERIMENT[${target%-alt}]}" >"$WORK/body.json"
        load=$(cut -d' ' -f1 /proc/loadavg)
        # Server CPU time per request (the 20 warm-up requests included): on a busy machine, a far steadier A/B
        # figure than latency.
        ticks=$(cpu_ticks "$target")
        "$TOOLS_BIN" latency POST "http://127.0.0.1:${PORT[$target]}/api/2.0/mlflow/runs/search" "$COUNT" "$WORK/body.json" 20 "$CONCURRENCY" \
          >"$WORK/probe.txt"
        cpu_us=$(( ($(cpu_ticks "$target") - ticks) * TICK_US / (COUNT + 20) ))
        v() { sed -n "s/^$1=//p" "$WORK/probe.txt"; }
        log "$q rep $rep $target$1 (load $load): items $(v RESPONSE_ITEMS) p50 $(v P50_MS) ms p99 $(v P99_MS) ms, server CPU $cpu_us us/request"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$q" "$target$1" "$rep" "$load" "$(v RESPONSE_ITEMS)" "$(v COUNT)" \
          "$(v P50_MS)" "$(v P90_MS)" "$(v P99_MS)" "$(v MAX_MS)" "$(v MEAN_MS)" "$cpu_us" >>"$OUT/runs.tsv"
      done
    done
  done
}

start_targets
measure ""
if [ "${SQLITE_ANALYZE:-0}" = 1 ] && [ -n "${URI[sqlite]:-}" ]; then
  stop_servers
  log "ANALYZE on the SQLite store"
  sqlite3 "${SEEDED_SQLITE:-$WORK/search.db}" "ANALYZE"
  start_targets
  measure "+analyze"
fi

python3 "$BENCH_DIR/scripts/summarize-latency.py" "$OUT/runs.tsv" query | tee "$OUT/summary.md"
log "results in $OUT"
