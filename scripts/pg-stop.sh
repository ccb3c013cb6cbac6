#!/usr/bin/env bash
# Stops the throwaway test server of scripts/pg-start.sh and deletes its data dir
# (pass --keep to keep the data). Same PG_TEST_PORT / PG_TEST_DATA variables as pg-start.sh.
set -euo pipefail

PORT="${PG_TEST_PORT:-5433}"
DATA="${PG_TEST_DATA:-/tmp/absensi-pg-$PORT}"
BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -x "$BIN/pg_ctl" ] && [ -f "$DATA/PG_VERSION" ] && as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  echo "pg-stop: stopped server in $DATA" >&2
else
  echo "pg-stop: no server running in $DATA" >&2
fi

if [ "${1:-}" != "--keep" ] && [ -d "$DATA" ]; then
  rm -rf "$DATA"
fi
