#!/usr/bin/env bash
# Starts (up) or stops (down) the real services the tests use, on loopback:
#   - PostgreSQL from Debian's packages, a throwaway cluster on port $FLIGHTDECK_PG_PORT (default 54329);
#   - an S3-compatible server (moto_server, from this machine's Python) on port $FLIGHTDECK_S3_PORT (default 54330).
# `up` is idempotent and prints the environment the tests read, for eval:  eval "$(scripts/services.sh up)"
set -euo pipefail

PG_PORT=${FLIGHTDECK_PG_PORT:-54329}
S3_PORT=${FLIGHTDECK_S3_PORT:-54330}
STATE=${FLIGHTDECK_SERVICES_DIR:-/tmp/flightdeck-services}
PGDATA="$STATE/pg"

log() { echo "services: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    log "installing PostgreSQL from Debian packages"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 \
      || { as_root apt-get update -q >&2 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; }
    dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$dir"
}

# initdb and postgres refuse to run as root: run them as the postgres user when we are root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_up() {
  local bin; bin=$(pg_bin)
  mkdir -p "$STATE"
  if [ "$(id -u)" = 0 ]; then chown postgres "$STATE" 2>/dev/null || true; chmod 777 "$STATE"; fi
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    log "initialising a PostgreSQL cluster in $PGDATA"
    as_pg "$bin/initdb" -D "$PGDATA" -U postgres -A trust --no-sync >/dev/null
  fi
  if ! as_pg "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_pg "$bin/pg_ctl" -D "$PGDATA" -l "$STATE/pg.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $STATE -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
  fi
}

s3_up() {
  if curl -fsS "http://127.0.0.1:$S3_PORT/moto-api/" >/dev/null 2>&1; then return; fi
  local moto
  moto=$(command -v moto_server || true)
  if [ -z "$moto" ]; then
    log "moto_server is not installed: the S3 tests need an S3-compatible server on loopback"; exit 1
  fi
  log "starting moto_server on 127.0.0.1:$S3_PORT"
  nohup "$moto" -H 127.0.0.1 -p "$S3_PORT" >"$STATE/s3.log" 2>&1 &
  echo $! >"$STATE/s3.pid"
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$S3_PORT/moto-api/" >/dev/null 2>&1 && return
    sleep 0.2
  done
  log "moto_server did not start; see $STATE/s3.log"; exit 1
}

case "${1:-up}" in
  up)
    pg_up
    s3_up
    echo "export FLIGHTDECK_TEST_POSTGRES_URI=postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
    echo "export FLIGHTDECK_TEST_S3_ENDPOINT=http://127.0.0.1:$S3_PORT"
    ;;
  down)
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$bin" ] && [ -f "$PGDATA/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
    [ -f "$STATE/s3.pid" ] && kill "$(cat "$STATE/s3.pid")" 2>/dev/null || true
    rm -f "$STATE/s3.pid"
    ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
