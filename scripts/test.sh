#!/usr/bin/env bash
# Runs every test of the solution against real services: installs and starts PostgreSQL and an
# S3-compatible server on loopback (scripts/services.sh), then `dotnet test`. Extra arguments go to dotnet test.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/services.sh up)"
# The MLflow-compatibility tests drive the real npm MLflow client.
if [ -f tests/Flightdeck.Compat.Tests/js/package-lock.json ]; then
  (cd tests/Flightdeck.Compat.Tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi
# The web UI's browser tests drive Debian's Chromium; Playwright's own browser download cannot work offline.
if [ ! -x /usr/bin/chromium ]; then
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  echo "test.sh: installing chromium from Debian packages" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2 \
    || { as_root apt-get update -q >&2 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2; }
fi
dotnet test Flightdeck.slnx -c Release --logger "console;verbosity=normal" "$@"
