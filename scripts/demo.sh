#!/usr/bin/env bash
# The README's first command. On a fresh clone: builds Flightdeck (Release), starts `flightdeck server` on the embedded
# default (SQLite and artifacts under ./flightdeck-data/, loopback, port $FLIGHTDECK_PORT or 5000), waits for /health,
# trains the readmission sample against it with ML.NET autologging (params, metrics, datasets, model), registers the model
# as 'readmission' with alias 'champion', serves it on a managed endpoint, trains a challenger (version 2) and rolls it
# out by canary under live traffic with guardrails, prints where to look, and keeps the server running until Ctrl+C.
#
#   scripts/demo.sh              build, start, log the sample, keep serving until Ctrl+C
#   scripts/demo.sh --no-wait    same, but stop the server and exit after the sample (tests, CI); or FLIGHTDECK_DEMO_NO_WAIT=1
#   FLIGHTDECK_DEMO_DATA_DIR=... keep the store, artifacts and sample files elsewhere than ./flightdeck-data
set -euo pipefail
cd "$(dirname "$0")/.."
repo_root="$PWD"

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; }

wait_for_ctrl_c=1
[[ "${FLIGHTDECK_DEMO_NO_WAIT:-0}" =~ ^(1|true|yes)$ ]] && wait_for_ctrl_c=0
for arg in "$@"; do
  case "$arg" in
    --no-wait) wait_for_ctrl_c=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "demo.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

port="${FLIGHTDECK_PORT:-5000}"
if ! [[ "$port" =~ ^[0-9]+$ ]] || (( port < 1 || port > 65535 )); then
  echo "demo.sh: FLIGHTDECK_PORT must be a port number from 1 to 65535, not '$port'." >&2
  exit 2
fi
server_url="http://127.0.0.1:${port}"
data_dir="$(mkdir -p "${FLIGHTDECK_DEMO_DATA_DIR:-$repo_root/flightdeck-data}" && cd "${FLIGHTDECK_DEMO_DATA_DIR:-$repo_root/flightdeck-data}" && pwd)"
server_log="$data_dir/server.log"
configuration=Release
cli_dll="src/Flightdeck.Cli/bin/$configuration/net10.0/flightdeck.dll"
sample_dll="samples/Flightdeck.Samples.Readmission/bin/$configuration/net10.0/readmission.dll"

for tool in dotnet curl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "demo.sh: '$tool' is required but not installed${tool/dotnet/ (the .NET 10 SDK: https://dot.net/download)}." >&2
    exit 1
  fi
done

if curl -fsS -o /dev/null --max-time 2 "$server_url/health" 2>/dev/null; then
  echo "demo.sh: something already answers on $server_url (an earlier demo?). Stop it, or pick another port: FLIGHTDECK_PORT=5050 scripts/demo.sh" >&2
  exit 1
fi

echo "==> Building Flightdeck ($configuration)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Flightdeck.Cli -c "$configuration" -v quiet -nologo
dotnet build samples/Flightdeck.Samples.Readmission -c "$configuration" -v quiet -nologo

mkdir -p "$data_dir"
echo "==> Starting flightdeck server on $server_url (store: $data_dir/flightdeck.db, artifacts: $data_dir/artifacts, log: $server_log)"
dotnet "$cli_dll" server --host 127.0.0.1 --port "$port" \
  --backend-store-uri "sqlite:///${data_dir#/}/flightdeck.db" --artifacts-destination "$data_dir/artifacts" >"$server_log" 2>&1 &
server_pid=$!

stop_server() {
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    # Give the server a moment to stop cleanly (flush SQLite, close listeners) before giving up on it.
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || return 0
      sleep 0.2
    done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
}
trap stop_server EXIT
trap 'echo; echo "==> Stopping the server"; exit 0' INT TERM

for attempt in $(seq 1 120); do
  if curl -fsS -o /dev/null --max-time 2 "$server_url/health" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "demo.sh: the server exited during start-up; its log ends with:" >&2
    tail -n 30 "$server_log" >&2
    exit 1
  fi
  if (( attempt == 120 )); then
    echo "demo.sh: the server did not answer $server_url/health within 60 seconds; see $server_log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "    healthy."

echo "==> Training the readmission sample (ML.NET FastTree, autologged) and registering its model on the server"
sample_output="$data_dir/sample-output.txt"
dotnet "$sample_dll" --tracking-uri "$server_url" --experiment readmission --work-dir "$data_dir/samples/readmission" | tee "$sample_output"
run_id="$(sed -n 's/^Run id: *//p' "$sample_output" | head -n 1)"
model_version="$(sed -n 's/^Model: .*registered as readmission version \([0-9]*\),.*/\1/p' "$sample_output" | head -n 1)"

flightdeck() { FLIGHTDECK_TRACKING_URI="$server_url" dotnet "$cli_dll" "$@"; }
endpoint_url="$server_url/api/flightdeck/v1/endpoints/readmission"
request="$data_dir/patients.json"
# Scoring requests of twelve synthetic patients each, forty different files, so the guardrails compare the versions'
# predictions over a spread of patients (the same few patients over and over would make any two models look apart).
mkdir -p "$data_dir/requests"
for n in $(seq 0 39); do
  awk -v seed="$n" 'BEGIN {
    srand(seed + 1)
    split("home home home home_health home_health skilled_nursing against_medical_advice", discharge, " ")
    printf "{\"dataframe_split\": {\"columns\": [\"age\", \"length_of_stay\", \"prior_admissions\", \"medication_count\", \"hba1c\", \"discharge_type\"], \"data\": ["
    for (i = 0; i < 12; i++) {
      printf "%s[%d, %d, %d, %d, %.1f, \"%s\"]", (i ? ", " : ""), 18 + int(rand() * 75), 1 + int(rand() * 14), int(rand() * 6),
        int(rand() * 20), 4.5 + rand() * 6, discharge[1 + int(rand() * 7)]
    }
    print "]}}"
  }' >"$data_dir/requests/patients-$n.json"
done
cp "$data_dir/requests/patients-0.json" "$request"

echo "==> Serving the champion on the managed endpoint 'readmission'"
flightdeck endpoints create readmission --model readmission --alias champion
echo "    POST $endpoint_url/invocations"
curl -fsS -D "$data_dir/headers.txt" -H 'Content-Type: application/json' --data-binary "@$request" "$endpoint_url/invocations"
echo
echo "    served by version $(sed -n 's/^X-Flightdeck-Served-Version: *\([0-9]*\).*/\1/ip' "$data_dir/headers.txt")"

echo "==> Training a challenger (version 2, alias challenger) on more data"
dotnet "$sample_dll" --tracking-uri "$server_url" --experiment readmission --work-dir "$data_dir/samples/readmission" \
  --seed 7 --rows 20000 --alias challenger | sed -n 's/^\(Model\|Best\|Run id\).*/    &/p'

echo "==> Rolling the challenger out by canary (25% then 100%, 10 s bake per step) under live traffic"
# Live traffic for the guardrails to judge: a steady stream of scoring requests until the rollout ends.
( n=0; while :; do
    curl -fsS -o /dev/null -H 'Content-Type: application/json' --data-binary "@$data_dir/requests/patients-$((n % 40)).json" "$endpoint_url/invocations" || true
    n=$((n + 1)); sleep 0.02
  done ) &
traffic_pid=$!
rollout_status=0
flightdeck endpoints deploy readmission --alias challenger --strategy canary --steps 25,100 --bake 10s \
  --max-error-rate 0.01 --max-psi 0.3 --min-requests 50 --wait || rollout_status=$?
kill "$traffic_pid" 2>/dev/null || true
wait "$traffic_pid" 2>/dev/null || true
flightdeck endpoints status readmission
if (( rollout_status != 0 )); then
  echo "demo.sh: the canary did not complete (exit $rollout_status); see: flightdeck endpoints history readmission" >&2
  exit "$rollout_status"
fi

if (( wait_for_ctrl_c )); then state="is running"; else state="ran (stopped now, --no-wait)"; fi
cat <<NEXT

Flightdeck $state at $server_url
  experiment: readmission
  run:        ${run_id:-see the output above}
  model:      readmission version ${model_version:-?} (alias champion): models:/readmission@champion, files at runs:/${run_id:-<run-id>}/model
  endpoint:   readmission, now serving version 2 after its canary: POST $endpoint_url/invocations
  watch:      $server_url/endpoints/readmission (web UI), $server_url/metrics (Prometheus), flightdeck endpoints status readmission

Next steps (in another terminal, from $repo_root):
  alias flightdeck='dotnet $repo_root/$cli_dll'
  export FLIGHTDECK_TRACKING_URI=$server_url
  flightdeck runs list --experiment readmission
  flightdeck runs get ${run_id:-<run-id>}
  flightdeck artifacts list --run-id ${run_id:-<run-id>} --path model
  flightdeck models show readmission
  flightdeck models versions readmission
  flightdeck models download models:/readmission@champion -d ./champion
  flightdeck endpoints history readmission
  curl -s -H 'Content-Type: application/json' --data-binary @$request $endpoint_url/invocations
  dotnet $sample_dll --seed 11 --alias next      # another version; then: flightdeck endpoints deploy readmission --alias next --wait
  MLflow clients work too: MLFLOW_TRACKING_URI=$server_url
NEXT

if (( wait_for_ctrl_c )); then
  echo
  echo "Server log: $server_log. Press Ctrl+C to stop the server."
  wait "$server_pid"
fi
