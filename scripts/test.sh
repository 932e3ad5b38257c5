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
dotnet test Flightdeck.slnx -c Release --logger "console;verbosity=normal" "$@"
