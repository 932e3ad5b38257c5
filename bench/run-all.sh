#!/usr/bin/env bash
# The recorded benchmark session: every end-to-end benchmark once, in one results folder, then the micro-benchmarks.
# Beside the server as committed, a "proposed" host is built from this commit with bench/proposed/*.patch applied
# (in a throw-away git worktree) and measured in the same runs as the "-alt" targets.
# Run it when the machine is otherwise idle (check `uptime`); docs/benchmarks.md quotes its output.
# Usage: bench/run-all.sh      (about 45 minutes on 2 cores; PROPOSED=0 skips the patched host, MICRO=0 the micro-benchmarks,
#                               REGISTRY=0 the registry search, MODEL_RUNTIME=0 the model package runtime)
# bench/experiments/*.patch are changes measured and not recommended (see docs/benchmarks.md); they are not applied.
source "$(dirname "$0")/lib.sh"

STAMP=$(date +%Y%m%d-%H%M%S)
ROOT=${ROOT:-"$BENCH_DIR/results/all-$STAMP"}
mkdir -p "$ROOT"
export FLIGHTDECK_TEST_POSTGRES_URI=${FLIGHTDECK_TEST_POSTGRES_URI:-$(postgres_admin_uri)}
build_release Flightdeck.Bench.Host Flightdeck.Bench.Baseline Flightdeck.Bench.Tools Flightdeck.Benchmarks

if [ "${PROPOSED:-1}" = 1 ] && compgen -G "$BENCH_DIR/proposed/*.patch" >/dev/null; then
  PROPOSED_TREE=$(mktemp -d /tmp/flightdeck-proposed.XXXXXX)
  git -C "$REPO_DIR" worktree add --detach "$PROPOSED_TREE" HEAD >/dev/null 2>&1
  git -C "$PROPOSED_TREE" apply "$BENCH_DIR"/proposed/*.patch
  log "building the proposed host ($(ls "$BENCH_DIR"/proposed/*.patch | xargs -n1 basename | tr '\n' ' '))"
  dotnet build "$PROPOSED_TREE/bench/Flightdeck.Bench.Host" -c Release -o "$ROOT/proposed-host" -v q -nologo >/dev/null
  git -C "$REPO_DIR" worktree remove --force "$PROPOSED_TREE"
  export ALT_HOST_BIN="$ROOT/proposed-host/Flightdeck.Bench.Host"
  HTTP_TARGETS="baseline sqlite postgres sqlite-alt"
  STORE_TARGETS="sqlite postgres sqlite-alt postgres-alt"
else
  HTTP_TARGETS="baseline sqlite postgres"
  STORE_TARGETS="sqlite postgres"
fi

log "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
OUT="$ROOT/startup" "$BENCH_DIR/run-startup.sh"
OUT="$ROOT/http" TARGETS="$HTTP_TARGETS" "$BENCH_DIR/run-http.sh"
OUT="$ROOT/history" TARGETS="$STORE_TARGETS" "$BENCH_DIR/run-history.sh"
OUT="$ROOT/search" TARGETS="$STORE_TARGETS" SQLITE_ANALYZE=1 "$BENCH_DIR/run-search.sh"
if [ "${REGISTRY:-1}" = 1 ]; then OUT="$ROOT/registry" "$BENCH_DIR/run-registry.sh"; fi
if [ "${MODEL_RUNTIME:-1}" = 1 ]; then OUT="$ROOT/models" "$BENCH_DIR/run-models.sh"; fi
if [ "${MICRO:-1}" = 1 ]; then
  log "micro-benchmarks"
  (cd "$ROOT" && dotnet "$BENCH_DIR/Flightdeck.Benchmarks/bin/Release/net10.0/Flightdeck.Benchmarks.dll" --filter '*' \
    --artifacts "$ROOT/micro" >"$ROOT/micro.log" 2>&1)
fi
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
log "results in $ROOT"
