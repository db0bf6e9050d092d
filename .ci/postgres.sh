#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on loopback for the hub tests and print `export HUB_TEST_PG_URL=…`.
# Debian's postgresql package; the cluster lives in a temp dir owned by the postgres user. Any failure is
# fatal (set -e in the caller too): CI must never skip the PostgreSQL run silently.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDIR=$(mktemp -d /tmp/hub-pg.XXXXXX)
chown postgres:postgres "$PGDIR"
PORT=${HUB_TEST_PG_PORT:-$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}
run_pg() { (cd / && runuser -u postgres -- "$@"); }
run_pg "$BIN/initdb" -D "$PGDIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >&2
run_pg "$BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDIR -c fsync=off" start >&2
run_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres hubtest >&2
echo "export HUB_TEST_PG_URL=postgresql://postgres@127.0.0.1:$PORT/hubtest"
echo "export HUB_TEST_PG_DIR=$PGDIR"
echo "export HUB_TEST_PG_BIN=$BIN"
