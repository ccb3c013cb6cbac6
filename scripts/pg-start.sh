#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 server for tests and prints its URL on stdout (nothing else
# goes to stdout), e.g.   export PG_TEST_URL="$(scripts/pg-start.sh)"
#
#   - listens on 127.0.0.1:${PG_TEST_PORT:-5433} only; trust auth on loopback; superuser `postgres`
#   - data dir ${PG_TEST_DATA:-/tmp/absensi-pg-<port>}; fsync/synchronous_commit off (tests only!)
#   - installs Debian's `postgresql` with apt-get when /usr/lib/postgresql/15/bin/initdb is missing
#   - creates database ${PG_TEST_DB:-absensi_test} if missing
#   - idempotent: when the server already runs, it only (re)creates the database and prints the URL
# Stop it with scripts/pg-stop.sh.
set -euo pipefail

PORT="${PG_TEST_PORT:-5433}"
DATA="${PG_TEST_DATA:-/tmp/absensi-pg-$PORT}"
DB="${PG_TEST_DB:-absensi_test}"
BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
URL="postgresql://postgres@127.0.0.1:$PORT/$DB"

log() { echo "pg-start: $*" >&2; }

# initdb/postgres refuse to run as root: run them as the `postgres` OS user when we are root.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ ! -x "$BIN/initdb" ]; then
  if [ "$(id -u)" != 0 ]; then
    log "$BIN/initdb not found and not root: install PostgreSQL 15 (Debian package postgresql)"
    exit 1
  fi
  log "installing PostgreSQL (apt-get install postgresql)..."
  # No `main` cluster on 5432: we only want the binaries.
  if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq -o Dpkg::Options::=--force-confold postgresql >&2
  if [ ! -x "$BIN/initdb" ]; then
    log "PostgreSQL installed, but $BIN/initdb is still missing (not version 15?)"
    exit 1
  fi
fi

running() { as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

if ! running; then
  if [ ! -f "$DATA/PG_VERSION" ]; then
    log "initdb in $DATA"
    rm -rf "$DATA"
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA"
    chmod 700 "$DATA"
    as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null 2>&1 ||
      as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C >&2
    cat >>"$DATA/postgresql.conf" <<CONF
# throwaway test server (scripts/pg-start.sh)
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF
  fi
  log "starting on 127.0.0.1:$PORT"
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >/dev/null || {
    log "start failed; last lines of $DATA/server.log:"
    tail -20 "$DATA/server.log" >&2 || true
    exit 1
  }
fi

for _ in $(seq 1 50); do
  "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break
  sleep 0.2
done

PSQL=("$BIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1)
if [ "$("${PSQL[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
  log "creating database $DB"
  "${PSQL[@]}" -c "CREATE DATABASE \"$DB\"" >&2
fi

echo "$URL"
