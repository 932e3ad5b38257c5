#!/usr/bin/env bash
# Model registry search latency over MODELS seeded models x 10 versions (issue #3: p50 <= 20 ms at 10,000 x 10),
# on SQLite and PostgreSQL.
#
# Seeds each store with direct SQL (Flightdeck.Bench.Tools seed-registry: 2 tags and 2 aliases per model, 2 tags per
# version), starts the server on it, and sends each query COUNT times in sequence (one client), REPS times:
#   models-name-like        registered-models/search  filter=name LIKE 'model-12%'             (111 match; page of 100)
#   models-tag              registered-models/search  filter=tags.team = 'team-7'              (500 match; page of 100)
#   models-default-order    registered-models/search  order_by=last_updated_timestamp DESC     (default page of 100)
#   versions-name-eq        model-versions/search     filter=name = 'model-1234'               (one model's 10 versions)
#   versions-name-like      model-versions/search     filter=name LIKE 'model-12%', max_results=100  (1,110 match)
#   versions-tag            model-versions/search     filter=tags.validated = 'yes', max_results=100 (25,000 match)
#   versions-default-order  model-versions/search     order_by=last_updated_timestamp DESC, max_results=100
# model-versions/search's default max_results is MLflow's 200,000 (everything), so its pages are asked at 100.
# Latency is time to last byte, measured by the client. The machine may be busy: each measurement also records the
# server's CPU time per request (user+system, warm-up included), which does not grow with the load average.
#
# Usage: bench/run-registry.sh     (MODELS=10000 COUNT=300 REPS=3 TARGETS="sqlite postgres" QUERIES=all)
# Output: bench/results/registry-<timestamp>/{machine.txt,runs.tsv,summary.md}
source "$(dirname "$0")/lib.sh"

MODELS=${MODELS:-10000}
COUNT=${COUNT:-300}
REPS=${REPS:-3}
TARGETS=${TARGETS:-"sqlite postgres"}
QUERIES=${QUERIES:-all}

STAMP=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-"$BENCH_DIR/results/registry-$STAMP"}
WORK=$(mktemp -d /tmp/flightdeck-bench-registry.XXXXXX)
PG_DB="flightdeck_bench_registry"
mkdir -p "$OUT"
trap 'stop_servers; drop_postgres_db $PG_DB; [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$WORK"' EXIT

build_release Flightdeck.Bench.Host Flightdeck.Bench.Tools
machine_info | tee "$OUT/machine.txt" >&2

enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# query NAME: prints the route and query string of a named query.
query() {
  case $1 in
    models-name-like) echo "registered-models/search?filter=$(enc "name LIKE 'model-12%'")" ;;
    models-tag) echo "registered-models/search?filter=$(enc "tags.team = 'team-7'")" ;;
    models-default-order) echo "registered-models/search?order_by=$(enc "last_updated_timestamp DESC")" ;;
    versions-name-eq) echo "model-versions/search?filter=$(enc "name = 'model-1234'")" ;;
    versions-name-like) echo "model-versions/search?filter=$(enc "name LIKE 'model-12%'")&max_results=100" ;;
    versions-tag) echo "model-versions/search?filter=$(enc "tags.validated = 'yes'")&max_results=100" ;;
    versions-default-order) echo "model-versions/search?order_by=$(enc "last_updated_timestamp DESC")&max_results=100" ;;
    *) log "unknown query $1"; exit 2 ;;
  esac
}
[ "$QUERIES" = all ] && QUERIES="models-name-like models-tag models-default-order versions-name-eq versions-name-like versions-tag versions-default-order"

declare -A PORT=([sqlite]=5195 [postgres]=5196) URI
for target in $TARGETS; do
  case $target in
    sqlite) URI[$target]="sqlite:///$WORK/registry.db" ;;
    postgres) URI[$target]=$(fresh_postgres_db $PG_DB) ;;
    *) log "unknown target $target"; exit 2 ;;
  esac
  log "seeding $target with $MODELS models x 10 versions"
  "$TOOLS_BIN" seed-registry "${URI[$target]}" "$MODELS" | tee "$WORK/seed-$target.txt" >&2
  echo "$target seed: $(tr '\n' ' ' <"$WORK/seed-$target.txt")" >>"$OUT/machine.txt"
  start_server "$target" "${PORT[$target]}" "$HOST_BIN" "${URI[$target]}" "${PORT[$target]}" "$WORK/artifacts"
done

printf 'query\ttarget\trep\tload1\titems\tcount\tp50_ms\tp90_ms\tp99_ms\tmax_ms\tmean_ms\tcpu_ms_per_request\n' >"$OUT/runs.tsv"
TICK=$(getconf CLK_TCK)
for q in $QUERIES; do
  route=$(query "$q")
  for rep in $(seq 1 "$REPS"); do
    for target in $TARGETS; do
      load=$(cut -d' ' -f1 /proc/loadavg)
      before=$(cpu_ticks "$target")
      "$TOOLS_BIN" latency GET "http://127.0.0.1:${PORT[$target]}/api/2.0/mlflow/$route" "$COUNT" - 20 1 >"$WORK/probe.txt"
      cpu=$(awk -v t=$(( $(cpu_ticks "$target") - before )) -v hz="$TICK" -v n=$((COUNT + 20)) 'BEGIN {printf "%.2f", t * 1000 / hz / n}')
      v() { sed -n "s/^$1=//p" "$WORK/probe.txt"; }
      log "$q rep $rep $target (load $load): items $(v RESPONSE_ITEMS) p50 $(v P50_MS) ms p99 $(v P99_MS) ms, server CPU $cpu ms/request"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$q" "$target" "$rep" "$load" "$(v RESPONSE_ITEMS)" "$(v COUNT)" \
        "$(v P50_MS)" "$(v P90_MS)" "$(v P99_MS)" "$(v MAX_MS)" "$(v MEAN_MS)" "$cpu" >>"$OUT/runs.tsv"
    done
  done
done

{
  python3 "$BENCH_DIR/scripts/summarize-latency.py" "$OUT/runs.tsv" query
  echo
  echo "Server CPU per request (ms, median over repetitions; PostgreSQL's own CPU not included):"
  python3 - "$OUT/runs.tsv" <<'PY'
import csv, statistics, sys
from collections import defaultdict
groups = defaultdict(list)
for row in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    groups[(row["query"], row["target"])].append(float(row["cpu_ms_per_request"]))
for (query, target), values in groups.items():
    print(f"- {query} {target}: {statistics.median(values):.2f}")
PY
} | tee "$OUT/summary.md"
log "results in $OUT"
