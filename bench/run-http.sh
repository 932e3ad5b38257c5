#!/usr/bin/env bash
# End-to-end log-batch throughput and latency over HTTP (issue #2, target 1).
#
# Starts three servers side by side and measures them interleaved, so that noise on this shared machine hits
# all of them alike: the bare baseline (parse the body, answer {}), Flightdeck on SQLite and Flightdeck on
# PostgreSQL (a fresh database). Each (scenario, target) pair is run REPS times with
#   wrk -t2 -c20 -d$DURATION --latency -s bench/scripts/log-batch.lua
# after one warm-up run, and the summary reports medians.
#
# Usage: bench/run-http.sh            (DURATION=15s REPS=3 TARGETS="baseline sqlite postgres" by default)
#        DURATION=3s REPS=1 bench/run-http.sh   (a quick check of the harness)
# Output: bench/results/http-<timestamp>/{machine.txt,runs.tsv,summary.md,*.log}
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
REPS=${REPS:-3}
TARGETS=${TARGETS:-"baseline sqlite postgres"}
# scenario = name:metrics-per-request:keys:runs (runs: how many runs the 20 clients spread over)
SCENARIOS=${SCENARIOS:-"batch10-one-run:10:10:1 batch10-20-runs:10:10:20 batch1000-20-runs:1000:10:20"}
CONNECTIONS=${CONNECTIONS:-20}
THREADS=${THREADS:-2}

STAMP=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-"$BENCH_DIR/results/http-$STAMP"}
WORK=$(mktemp -d /tmp/flightdeck-bench-http.XXXXXX)
PG_DB="flightdeck_bench_http"
mkdir -p "$OUT"
trap 'stop_servers; drop_postgres_db $PG_DB; drop_postgres_db ${PG_DB}_alt; rm -rf "$WORK"' EXIT

build_release Flightdeck.Bench.Host Flightdeck.Bench.Baseline
machine_info | tee "$OUT/machine.txt" >&2

# sqlite-alt / postgres-alt: the same, served by ALT_HOST_BIN (a host built from a patched server, for A/B runs).
declare -A PORT=([baseline]=5190 [sqlite]=5191 [postgres]=5192 [sqlite-alt]=5188 [postgres-alt]=5189)
declare -A RUNS
for target in $TARGETS; do
  case $target in
    baseline) start_server baseline "${PORT[baseline]}" "$BASELINE_BIN" "${PORT[baseline]}" ;;
    sqlite) start_server sqlite "${PORT[sqlite]}" "$HOST_BIN" "sqlite:///$WORK/bench.db" "${PORT[sqlite]}" "$WORK/artifacts" ;;
    postgres) start_server postgres "${PORT[postgres]}" "$HOST_BIN" "$(fresh_postgres_db $PG_DB)" "${PORT[postgres]}" "$WORK/artifacts" ;;
    sqlite-alt) start_server sqlite-alt "${PORT[$target]}" "$ALT_HOST_BIN" "sqlite:///$WORK/bench-alt.db" "${PORT[$target]}" "$WORK/artifacts" ;;
    postgres-alt) start_server postgres-alt "${PORT[$target]}" "$ALT_HOST_BIN" "$(fresh_postgres_db ${PG_DB}_alt)" "${PORT[$target]}" "$WORK/artifacts" ;;
    *) log "unknown target $target"; exit 2 ;;
  esac
  if [ "$target" = baseline ]; then
    RUNS[$target]=$(for i in $(seq 1 20); do printf '%032x,' "$i"; done | sed 's/,$//')
  else
    RUNS[$target]=$(create_runs "${PORT[$target]}" "bench-$STAMP" 20)
  fi
  log "$target up on port ${PORT[$target]}"
done

# run_wrk TARGET SCENARIO DURATION: prints wrk's RESULT line.
run_wrk() {
  local target=$1 scenario=$2 duration=$3 name metrics keys runs ids
  IFS=: read -r name metrics keys runs <<<"$scenario"
  ids=$(echo "${RUNS[$target]}" | cut -d, -f"1-$runs")
  RUN_IDS=$ids METRICS=$metrics KEYS=$keys \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 10s --latency -s "$BENCH_DIR/scripts/log-batch.lua" "http://127.0.0.1:${PORT[$target]}" \
    >"$WORK/wrk.out" 2>&1
  cat "$WORK/wrk.out" >>"$OUT/wrk.log"
  grep '^RESULT' "$WORK/wrk.out" || { cat "$WORK/wrk.out" >&2; return 1; }
}

printf 'scenario\tmetrics_per_request\ttarget\trep\tload1\tserver_cpu_us_per_req\trequests\trps\tp50_us\tp90_us\tp99_us\tmax_us\terrors\tnon2xx\n' >"$OUT/runs.tsv"
TICK_US=$((1000000 / $(getconf CLK_TCK)))
for scenario in $SCENARIOS; do
  for target in $TARGETS; do
    log "warm-up $target $scenario"
    run_wrk "$target" "$scenario" "$WARMUP" >/dev/null
  done
  for rep in $(seq 1 "$REPS"); do
    for target in $TARGETS; do
      load=$(cut -d' ' -f1 /proc/loadavg)
      # Server CPU time per request: a cost that the machine's noise inflates far less than throughput.
      ticks=$(cpu_ticks "$target")
      result=$(run_wrk "$target" "$scenario" "$DURATION")
      requests=$(echo "$result" | sed -E 's/.*requests=([0-9]+).*/\1/')
      cpu_us=$(( ($(cpu_ticks "$target") - ticks) * TICK_US / (requests > 0 ? requests : 1) ))
      log "$scenario rep $rep $target (load $load, server CPU ${cpu_us} us/request): $result"
      IFS=: read -r name metrics _ _ <<<"$scenario"
      echo "$result" | sed -E 's/^RESULT //; s/[a-z0-9_]+=//g' | tr ' ' '\t' \
        | sed "s/^/$name\t$metrics\t$target\t$rep\t$load\t$cpu_us\t/" >>"$OUT/runs.tsv"
    done
  done
done

for target in $TARGETS; do
  echo "$target: $(rss_kib "$target")" >>"$OUT/rss.txt"
done
python3 "$BENCH_DIR/scripts/summarize-http.py" "$OUT/runs.tsv" | tee "$OUT/summary.md"
log "results in $OUT"
