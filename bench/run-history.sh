#!/usr/bin/env bash
# metrics/get-history of one metric with POINTS points (issue #2, target 3): time to last byte, on SQLite and PostgreSQL.
#
# Seeds a run whose metric "loss" has POINTS points (direct SQL, Flightdeck.Bench.Tools seed-history), starts the
# server, then times DOWNLOADS full downloads per repetition with the C# probe (HttpClient, whole body read) and,
# as a cross-check, with curl -w '%{time_total}'.
#
# Usage: bench/run-history.sh     (POINTS=1000000 DOWNLOADS=5 REPS=3 TARGETS="sqlite postgres")
source "$(dirname "$0")/lib.sh"

POINTS=${POINTS:-1000000}
DOWNLOADS=${DOWNLOADS:-5}
REPS=${REPS:-3}
TARGETS=${TARGETS:-"sqlite postgres"}

STAMP=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-"$BENCH_DIR/results/history-$STAMP"}
WORK=$(mktemp -d /tmp/flightdeck-bench-history.XXXXXX)
PG_DB="flightdeck_bench_history"
mkdir -p "$OUT"
trap 'stop_servers; drop_postgres_db $PG_DB; rm -rf "$WORK"' EXIT

build_release Flightdeck.Bench.Host Flightdeck.Bench.Tools
machine_info | tee "$OUT/machine.txt" >&2

# sqlite-alt / postgres-alt: a second server on the same seeded store, run from ALT_HOST_BIN (patched server, A/B).
declare -A PORT=([sqlite]=5195 [postgres]=5196 [sqlite-alt]=5184 [postgres-alt]=5185) RUN URI
for target in $TARGETS; do
  base=${target%-alt}
  if [ -z "${URI[$base]:-}" ]; then
    case $base in
      sqlite) URI[$base]="sqlite:///$WORK/history.db" ;;
      postgres) URI[$base]=$(fresh_postgres_db $PG_DB) ;;
    esac
    log "seeding $base with $POINTS points"
    "$TOOLS_BIN" seed-history "${URI[$base]}" "$POINTS" | tee "$WORK/seed-$base.txt" >&2
    RUN[$base]=$(sed -n 's/^RUN_ID=//p' "$WORK/seed-$base.txt")
    echo "$base seed: $(tr '\n' ' ' <"$WORK/seed-$base.txt")" >>"$OUT/machine.txt"
  fi
  bin=$HOST_BIN
  if [ "$target" != "$base" ]; then bin=$ALT_HOST_BIN; fi
  start_server "$target" "${PORT[$target]}" "$bin" "${URI[$base]}" "${PORT[$target]}" "$WORK/artifacts"
done

printf 'probe\ttarget\trep\tload1\titems\tcount\tp50_ms\tp90_ms\tp99_ms\tmax_ms\tmean_ms\tserver_cpu_us_per_req\n' >"$OUT/runs.tsv"
TICK_US=$((1000000 / $(getconf CLK_TCK)))
for rep in $(seq 1 "$REPS"); do
  for target in $TARGETS; do
    url="http://127.0.0.1:${PORT[$target]}/api/2.0/mlflow/metrics/get-history?run_id=${RUN[${target%-alt}]}&metric_key=loss"
    load=$(cut -d' ' -f1 /proc/loadavg)
    # Server CPU time per download (2 warm-up downloads included): steadier than wall time on a busy machine.
    ticks=$(cpu_ticks "$target")
    "$TOOLS_BIN" latency GET "$url" "$DOWNLOADS" - 2 >"$WORK/probe.txt"
    cpu_us=$(( ($(cpu_ticks "$target") - ticks) * TICK_US / (DOWNLOADS + 2) ))
    v() { sed -n "s/^$1=//p" "$WORK/probe.txt"; }
    log "rep $rep $target (load $load): $(v RESPONSE_ITEMS) points, $(v RESPONSE_BYTES) bytes, p50 $(v P50_MS) ms, max $(v MAX_MS) ms, server CPU $cpu_us us/download"
    printf 'httpclient\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$rep" "$load" "$(v RESPONSE_ITEMS)" "$(v COUNT)" \
      "$(v P50_MS)" "$(v P90_MS)" "$(v P99_MS)" "$(v MAX_MS)" "$(v MEAN_MS)" "$cpu_us" >>"$OUT/runs.tsv"
    # curl cross-check: time_total is time to last byte; time_starttransfer (first byte) shows whether it streams.
    ticks=$(cpu_ticks "$target")
    for i in $(seq 1 "$DOWNLOADS"); do curl -fsS -o /dev/null -w '%{time_starttransfer} %{time_total}\n' "$url"; done >"$WORK/curl.txt"
    cpu_us=$(( ($(cpu_ticks "$target") - ticks) * TICK_US / DOWNLOADS ))
    python3 - "$target" "$rep" "$load" "$(v RESPONSE_ITEMS)" "$WORK/curl.txt" "$cpu_us" >>"$OUT/runs.tsv" <<'PY'
import statistics, sys
target, rep, load, items, path, cpu_us = sys.argv[1:]
pairs = [tuple(float(x) * 1000 for x in line.split()) for line in open(path) if line.strip()]
for probe, values in (("curl-first-byte", sorted(p[0] for p in pairs)), ("curl", sorted(p[1] for p in pairs))):
    print("\t".join([probe, target, rep, load, items, str(len(values)), f"{statistics.median(values):.2f}", f"{values[-1]:.2f}",
                     f"{values[-1]:.2f}", f"{values[-1]:.2f}", f"{statistics.mean(values):.2f}", cpu_us]))
PY
  done
done

for target in $TARGETS; do
  echo "$target: $(rss_kib "$target")" >>"$OUT/rss.txt"
done
python3 "$BENCH_DIR/scripts/summarize-latency.py" "$OUT/runs.tsv" probe | tee "$OUT/summary.md"
log "results in $OUT"
