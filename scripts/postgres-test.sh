#!/usr/bin/env bash
# Throwaway PostgreSQL server for the test suite.
#
#   scripts/postgres-test.sh start   # install if needed, init + start; prints the URL on stdout
#   scripts/postgres-test.sh stop    # stop it (data is kept, so the next start is fast)
#   scripts/postgres-test.sh url     # print the URL only
#
# The cluster is private to this checkout: created with initdb under .pg/ (data/, run/ for the
# unix socket, postgres.log), listening on 127.0.0.1 only, trust auth, port $PGPORT_TEST (54329).
# It never touches the system's default cluster. The tests drop and recreate their own schemas,
# so no reset is done between runs; `rm -rf .pg` (after `stop`) starts from scratch.
#
# initdb refuses to run as root, so as root the server runs as the `postgres` OS user. If that
# user cannot reach the checkout (e.g. it lives under /root), or the socket path would be too long,
# the cluster goes to /tmp/fellowship-pg-<hash> instead. PG_TEST_DIR overrides the location and
# PG_BINDIR the server binaries. Only stdout carries the URL; all chatter goes to stderr.
set -euo pipefail

PORT="${PGPORT_TEST:-54329}"
DB_NAME=fellowship_test
DB_USER=fellowship
DB_PASSWORD=fellowship
URL="postgresql://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${PORT}/${DB_NAME}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"

log() { echo "postgres-test: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Run a command as the cluster owner: `postgres` when we are root, ourselves otherwise.
# `cd /` because the postgres user may not be allowed into the caller's working directory.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Newest /usr/lib/postgresql/<ver>/bin (Debian), else whatever initdb is on PATH.
find_bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
}

# Where the cluster lives; computed the same way by every subcommand (no state needed).
base_dir() {
    if [ -n "${PG_TEST_DIR:-}" ]; then echo "$PG_TEST_DIR"; return; fi
    local base="$REPO/.pg"
    local sock="$base/run/.s.PGSQL.$PORT"
    # Unix socket paths are limited to ~107 bytes.
    if [ "${#sock}" -le 100 ] && { [ "$(id -u)" -ne 0 ] || as_owner test -x "$REPO"; }; then
        echo "$base"
    else
        echo "/tmp/fellowship-pg-$(printf '%s' "$REPO" | cksum | cut -d' ' -f1)"
    fi
}

install_server() {
    command -v apt-get >/dev/null 2>&1 || die "no PostgreSQL server binaries found; install PostgreSQL (or set PG_BINDIR)"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    log "PostgreSQL server not found; installing it with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update >&2
    "${sudo[@]}" apt-get install -y postgresql >&2
}

is_running() { [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

psql_admin() {
    as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"
}

cmd_start() {
    BIN="$(find_bindir)"
    if [ -z "$BIN" ]; then
        install_server
        BIN="$(find_bindir)"
        [ -n "$BIN" ] || die "PostgreSQL server binaries still missing after apt-get install"
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        die "running as root but there is no 'postgres' OS user to own the cluster"
    fi
    local major
    major="$("$BIN/postgres" --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')"

    mkdir -p "$BASE"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$BASE"
    chmod 700 "$BASE"

    # Serialise concurrent starts (e.g. two `make test-postgres` at once).
    if command -v flock >/dev/null 2>&1; then
        exec 9>>"$BASE/lock"
        flock 9
    fi

    # (Re)create the cluster if missing, half-initialised or from another major version.
    if [ "$(cat "$DATA/PG_VERSION" 2>/dev/null || true)" != "$major" ]; then
        if is_running; then as_owner "$BIN/pg_ctl" -D "$DATA" -m fast stop >&2 || true; fi
        rm -rf "$DATA"
        log "initdb (PostgreSQL $major) in $DATA"
        as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale \
            --no-instructions >/dev/null
        # Loopback + socket only, no passwords: this server is for tests on this machine.
        as_owner tee "$DATA/pg_hba.conf" >/dev/null <<'EOF'
local all all              trust
host  all all 127.0.0.1/32 trust
EOF
        # Durability is pointless for a throwaway test database; speed is not.
        as_owner tee -a "$DATA/postgresql.conf" >/dev/null <<'EOF'

# --- scripts/postgres-test.sh ---
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    fi
    as_owner mkdir -p "$BASE/run"

    # Already up? Fine, unless it listens on a different port than requested now.
    if is_running; then
        local running_port
        running_port="$(sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || true)"
        if [ "$running_port" != "$PORT" ]; then
            log "restarting: running on port $running_port, want $PORT"
            as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
        fi
    fi
    if ! is_running; then
        log "starting PostgreSQL $major on 127.0.0.1:$PORT ($DATA)"
        # Settings on the command line so PGPORT_TEST changes need no re-init. `9>&-`: the
        # daemon must not inherit the lock fd, or it would hold the lock for its whole life.
        if ! as_owner "$BIN/pg_ctl" -D "$DATA" -l "$BASE/postgres.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories='$BASE/run'" \
            start >/dev/null 9>&-; then
            tail -n 30 "$BASE/postgres.log" >&2 || true
            die "PostgreSQL did not start (log: $BASE/postgres.log)"
        fi
    fi

    # Role and database, created once.
    if [ -z "$(psql_admin -tA -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" ]; then
        psql_admin -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'" >&2
    fi
    if [ -z "$(psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]; then
        psql_admin -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" >&2
    fi
    echo "$URL"
}

cmd_stop() {
    BIN="$(find_bindir)"
    if [ -n "$BIN" ] && is_running; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
    else
        log "not running"
    fi
}

BASE="$(base_dir)"
DATA="$BASE/data"
case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    url) echo "$URL" ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
