#!/usr/bin/env bash
# Usage: scripts/test-integration.sh CMD [ARGS...]
#
# Starts a throwaway PostgreSQL cluster and an S3-compatible server
# (versitygw, posix backend) on free loopback ports, exports
# KINEMA_TEST_POSTGRES_URL and KINEMA_TEST_S3_* for them, runs CMD, and
# always tears both down. Exits with CMD's status. Nothing outlives the run
# except the cached versitygw and pebble binaries, so repeated runs are
# independent. It also exports KINEMA_TEST_PEBBLE, Let's Encrypt's test ACME
# server, which the ACME test starts itself.
#
# Works as root on a fresh Debian 12 machine (installs postgresql with apt and
# builds versitygw and pebble with `go install` when missing) and as an
# ordinary user who already has them.
set -euo pipefail

VERSITYGW_VERSION=v1.8.0
PEBBLE_VERSION=v2.10.3
PG_BIN=${PG_BIN:-}
t0=$(date +%s%N)

log() { echo "test-integration: $*" >&2; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

# --- binaries -------------------------------------------------------------

find_pg_bin() {
  local d
  for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null && command -v pg_ctl >/dev/null && dirname "$(command -v initdb)"
}
[ -n "$PG_BIN" ] || PG_BIN=$(find_pg_bin || true)
if [ -z "$PG_BIN" ]; then
  log "installing postgresql with apt"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
  PG_BIN=$(find_pg_bin)
fi

gobin=$(go env GOBIN)
VERSITYGW=${VERSITYGW:-${gobin:-$(go env GOPATH)/bin}/versitygw}
if [ ! -x "$VERSITYGW" ]; then
  log "building versitygw $VERSITYGW_VERSION (a few minutes, once)"
  tb=$(date +%s%N)
  # Outside the repo so kinema's go.mod is neither consulted nor touched.
  (cd / && GOBIN=$(dirname "$VERSITYGW") go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION")
  log "built versitygw in $(ms_since "$tb") ms"
fi

PEBBLE=${PEBBLE:-${gobin:-$(go env GOPATH)/bin}/pebble}
if [ ! -x "$PEBBLE" ]; then
  log "building pebble $PEBBLE_VERSION (a minute, once)"
  tb=$(date +%s%N)
  (cd / && GOBIN=$(dirname "$PEBBLE") go install "github.com/letsencrypt/pebble/v2/cmd/pebble@$PEBBLE_VERSION")
  log "built pebble in $(ms_since "$tb") ms"
fi
export KINEMA_TEST_PEBBLE=$PEBBLE

# --- workspace and cleanup ------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kinema-it.XXXXXX")
chmod 755 "$WORK" # the postgres user must reach its data dir inside
mkdir -p "$WORK/pg" "$WORK/s3"
run_pg() { (cd / && "$@"); }
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root.
  chown postgres: "$WORK/pg"
  run_pg() { (cd / && runuser -u postgres -- "$@"); }
fi

vgw_pid=
pg_started=
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$pg_started" ]; then
    run_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$vgw_pid" ]; then
    kill "$vgw_pid" 2>/dev/null || true
    wait "$vgw_pid" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A random high port nobody answers on. Another process can still take it
# before we bind, so callers retry with a new port when startup fails.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- S3 (versitygw) ------------------------------------------------------

S3_ACCESS=kinema-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
S3_SECRET=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

start_s3() {
  S3_PORT=$(free_port)
  # --keep-alive: versitygw closes every connection otherwise, which makes
  # tests slower and unlike real S3.
  ROOT_ACCESS_KEY=$S3_ACCESS ROOT_SECRET_KEY=$S3_SECRET \
    "$VERSITYGW" --port "127.0.0.1:$S3_PORT" --keep-alive --quiet \
    posix "$WORK/s3" >"$WORK/versitygw.log" 2>&1 &
  vgw_pid=$!
}

# --- PostgreSQL ------------------------------------------------------------

start_pg() {
  PG_PORT=$(free_port)
  run_pg "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w -t 60 \
    -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200" \
    start >/dev/null
}

start_s3 # starts in the background while initdb runs
run_pg "$PG_BIN/initdb" -D "$WORK/pg/data" -A trust -U postgres -E UTF8 --no-sync >"$WORK/pg/initdb.log" 2>&1 ||
  { cat "$WORK/pg/initdb.log" >&2; exit 1; }
for attempt in 1 2 3; do
  if start_pg; then pg_started=1; break; fi
  [ "$attempt" = 3 ] && { tail -20 "$WORK/pg/log" >&2; exit 1; }
  log "postgres failed to start on port $PG_PORT, retrying"
done

for attempt in 1 2 3; do
  for _ in $(seq 1 200); do
    port_open "$S3_PORT" && break
    kill -0 "$vgw_pid" 2>/dev/null || break
    sleep 0.05
  done
  port_open "$S3_PORT" && break
  kill "$vgw_pid" 2>/dev/null || true
  wait "$vgw_pid" 2>/dev/null || true
  vgw_pid=
  [ "$attempt" = 3 ] && { tail -20 "$WORK/versitygw.log" >&2; exit 1; }
  log "versitygw failed to start on port $S3_PORT, retrying"
  start_s3
done

export KINEMA_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
export KINEMA_TEST_S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
export KINEMA_TEST_S3_ACCESS_KEY=$S3_ACCESS
export KINEMA_TEST_S3_SECRET_KEY=$S3_SECRET
export KINEMA_TEST_S3_REGION=us-east-1
log "postgres on :$PG_PORT, versitygw on :$S3_PORT, ready in $(ms_since "$t0") ms"

set +e
"$@"
