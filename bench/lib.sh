# Shared helpers of the bench/run-*.sh drivers (sourced, not run).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
HOST_BIN="$BENCH_DIR/Flightdeck.Bench.Host/bin/Release/net10.0/Flightdeck.Bench.Host"
BASELINE_BIN="$BENCH_DIR/Flightdeck.Bench.Baseline/bin/Release/net10.0/Flightdeck.Bench.Baseline"
TOOLS_BIN="$BENCH_DIR/Flightdeck.Bench.Tools/bin/Release/net10.0/Flightdeck.Bench.Tools"

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

build_release() {
  local project
  for project in "$@"; do
    log "building $project (Release)"
    dotnet build "$BENCH_DIR/$project" -c Release -v q -nologo >/dev/null
  done
}

# machine_info: the facts docs/benchmarks.md quotes with every result.
machine_info() {
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(git -C "$REPO_DIR" rev-parse --short HEAD)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB total, " $7 " GiB available"}')"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "dotnet: $(dotnet --version)"
  echo "wrk: $(wrk -v 2>&1 | head -n1)"
}

# postgres_admin_uri: the services' PostgreSQL URI (its 'postgres' database).
postgres_admin_uri() {
  if [ -z "${FLIGHTDECK_TEST_POSTGRES_URI:-}" ]; then
    eval "$("$REPO_DIR/scripts/services.sh" up)"
  fi
  echo "$FLIGHTDECK_TEST_POSTGRES_URI"
}

# fresh_postgres_db NAME: drops and creates database NAME; prints its URI.
fresh_postgres_db() {
  local admin; admin=$(postgres_admin_uri)
  psql "$admin" -qAtc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
  psql "$admin" -qAtc "CREATE DATABASE $1" >/dev/null
  echo "${admin%/*}/$1"
}

drop_postgres_db() {
  psql "$(postgres_admin_uri)" -qAtc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null || true
}

# wait_healthy PORT [SECONDS]
wait_healthy() {
  local port=$1 deadline=$((SECONDS + ${2:-60}))
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then log "server on port $port did not become healthy"; return 1; fi
    sleep 0.1
  done
}

# start_server NAME PORT COMMAND...: starts a server in the background, records its pid in $WORK/NAME.pid.
start_server() {
  local name=$1 port=$2; shift 2
  "$@" >"$WORK/$name.log" 2>&1 &
  echo $! >"$WORK/$name.pid"
  wait_healthy "$port" || { cat "$WORK/$name.log" >&2; return 1; }
}

stop_servers() {
  local pidfile
  for pidfile in "$WORK"/*.pid; do
    [ -e "$pidfile" ] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
    wait "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

# rss_kib NAME: VmRSS and VmHWM of a started server, in KiB.
rss_kib() {
  awk '/^VmRSS|^VmHWM/ {printf "%s=%s ", $1, $2} END {print ""}' "/proc/$(cat "$WORK/$1.pid")/status"
}

# cpu_ticks NAME: user+system CPU time a started server has used so far, in clock ticks (see getconf CLK_TCK).
cpu_ticks() {
  awk '{print $14 + $15}' "/proc/$(cat "$WORK/$1.pid")/stat"
}

api() { # api PORT PATH JSON
  curl -fsS -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$1/api/2.0/mlflow/$2" -d "$3"
}

# create_runs PORT EXPERIMENT_NAME COUNT: prints COUNT comma-separated run ids in a new experiment.
create_runs() {
  local port=$1 name=$2 count=$3 experiment ids=() i
  experiment=$(api "$port" experiments/create "{\"name\":\"$name\"}" | jq -r .experiment_id)
  for ((i = 0; i < count; i++)); do
    ids+=("$(api "$port" runs/create "{\"experiment_id\":\"$experiment\"}" | jq -r .run.info.run_id)")
  done
  (IFS=,; echo "${ids[*]}")
}
