#!/usr/bin/env bash
# Checks deploy/nginx/polder.conf for real: three `polder serve` processes on a scratch
# PostgreSQL database, nginx in front of them with the example configuration (only its ports
# and paths changed, on loopback, with a self-signed certificate), and requests through nginx:
# readiness, the HTTP redirect, sign-in and the client address behind the proxy, both socket
# paths (y-websocket sync step 1 on /ws/{doc}, the live inbox with its cookie and Origin), the
# request body limit, /metrics, and requests and sockets while processes are stopped.
#
# Not part of CI: it needs nginx, PostgreSQL (createdb, dropdb, psql), Node.js with npm, curl
# and openssl. With a `polder` that has --redis-url it also starts a private redis-server and
# checks that two y-websocket clients on different processes see each other's edits.
#
# Usage: deploy/nginx/check.sh       (from anywhere; exits non-zero when a check fails)
# Environment:
#   POLDER_BIN    the polder binary (default: $CARGO_TARGET_DIR or target, debug/polder;
#                 built with cargo when missing)
#   PG_URL        the PostgreSQL server (default postgres://postgres@127.0.0.1:5432)
#   CHECK_DB      the scratch database, dropped and created again (default polder_nginx_check)
#   NGINX         the nginx binary (default nginx)
#   KEEP=1        keep the temporary directory (configuration, logs) for a look afterwards
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
CHECK_DB=${CHECK_DB:-polder_nginx_check}
NGINX=${NGINX:-nginx}
DB_URL="$PG_URL/$CHECK_DB"
EXAMPLE="$ROOT/deploy/nginx/polder.conf"
NODE_MODULES="$ROOT/tests/node/node_modules"
EMAIL=check@example.org
PASSWORD=nginx-check-password-2026

for tool in "$NGINX" node npm curl openssl psql createdb dropdb python3; do
    command -v "$tool" >/dev/null || { echo "check.sh: $tool is not installed" >&2; exit 2; }
done

if [[ -z "${POLDER_BIN:-}" ]]; then
    POLDER_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/polder"
    [[ -x "$POLDER_BIN" ]] || cargo build -p polder-server --bin polder
fi
[[ -d "$NODE_MODULES/ws" ]] || npm ci --prefix "$ROOT/tests/node" --no-audit --no-fund

WORK=$(mktemp -d)
PIDS=()
REDIS_PID=
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    [[ -f "$WORK/nginx.pid" ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
    [[ -n "$REDIS_PID" ]] && kill "$REDIS_PID" 2>/dev/null
    wait 2>/dev/null || true
    dropdb --if-exists --maintenance-db="$PG_URL/postgres" "$CHECK_DB" 2>/dev/null || true
    if [[ "${KEEP:-}" == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Seven free loopback ports: three processes, nginx's HTTPS and HTTP, Redis, one spare.
read -r B1 B2 B3 TLS HTTP REDIS_PORT _ < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(7)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
BASE="https://127.0.0.1:$TLS"

PASSED=0
FAILED=0
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then
        PASSED=$((PASSED + 1))
        printf 'ok    %s\n' "$name"
    else
        FAILED=$((FAILED + 1))
        printf 'FAIL  %s\n' "$name"
        printf '%s\n' "$out" | sed 's/^/      /'
    fi
}

# A polder command on the scratch database; its notes go to setup.log unless it fails.
polder() {
    POLDER_DATABASE_URL="$DB_URL" RUST_LOG=warn "$POLDER_BIN" "$@" 2>"$WORK/setup.log" ||
        { cat "$WORK/setup.log" >&2; return 1; }
}

# --- the database, a person and an admin token --------------------------------------------
dropdb --if-exists --maintenance-db="$PG_URL/postgres" "$CHECK_DB" 2>/dev/null
createdb --maintenance-db="$PG_URL/postgres" "$CHECK_DB"
polder migrate >/dev/null
POLDER_PASSWORD=$PASSWORD polder user create --email "$EMAIL" --name "Nginx Check" --admin >/dev/null
polder body create --name "Nginx check" --kind working_group >/dev/null
polder body add-member --body "Nginx check" --user "$EMAIL" --role chair >/dev/null
TOKEN=$(polder token create --name nginx-check --scope admin --user "$EMAIL")
IMPORTS="/api/bodies/$(psql -Atq "$DB_URL" -c "SELECT id FROM bodies WHERE name = 'Nginx check'")/imports"

REDIS_ARGS=()
if "$POLDER_BIN" serve --help | grep -q -- '--redis-url'; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
        >"$WORK/redis.log" 2>&1 &
    REDIS_PID=$!
    REDIS_ARGS=(--redis-url "redis://127.0.0.1:$REDIS_PORT")
fi

# --- three processes ------------------------------------------------------------------------
start_backend() { # index port
    POLDER_DATABASE_URL="$DB_URL" RUST_LOG=info "$POLDER_BIN" serve --bind "127.0.0.1:$2" \
        --trusted-proxy 127.0.0.1 --secure-cookies "${REDIS_ARGS[@]}" \
        >"$WORK/polder-$1.log" 2>&1 &
    PIDS[$1]=$!
}
wait_ready() { # url
    for _ in $(seq 100); do
        curl -ksf "$1/readyz" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "not ready: $1" >&2
    return 1
}
start_backend 1 "$B1"
start_backend 2 "$B2"
start_backend 3 "$B3"
for port in "$B1" "$B2" "$B3"; do wait_ready "http://127.0.0.1:$port"; done

# --- nginx with the example configuration ---------------------------------------------------
mkdir -p "$WORK/tls" "$WORK/tmp" "$WORK/logs"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -keyout "$WORK/tls/polder.key" -out "$WORK/tls/polder.crt" 2>/dev/null
sed -e "s/127\.0\.0\.1:8081/127.0.0.1:$B1/" \
    -e "s/127\.0\.0\.1:8082/127.0.0.1:$B2/" \
    -e "s/127\.0\.0\.1:8083/127.0.0.1:$B3/" \
    -e "s/listen 443 ssl;/listen 127.0.0.1:$TLS ssl;/" \
    -e "s/listen 80;/listen 127.0.0.1:$HTTP;/" \
    -e "s#/etc/nginx/tls/polder.example.org.crt#$WORK/tls/polder.crt#" \
    -e "s#/etc/nginx/tls/polder.example.org.key#$WORK/tls/polder.key#" \
    -e "s#/var/log/nginx/polder.access.log #$WORK/logs/access.log #" \
    "$EXAMPLE" >"$WORK/polder.conf"
CHANGED=$(diff "$EXAMPLE" "$WORK/polder.conf" | grep -c '^>' || true)
{
    [[ $EUID -eq 0 ]] && echo "user $(id -un) $(id -gn);"
    cat <<EOF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log notice;
events { worker_connections 512; }
http {
    client_body_temp_path $WORK/tmp/body;
    proxy_temp_path       $WORK/tmp/proxy;
    fastcgi_temp_path     $WORK/tmp/fastcgi;
    uwsgi_temp_path       $WORK/tmp/uwsgi;
    scgi_temp_path        $WORK/tmp/scgi;
    include $WORK/polder.conf;
}
EOF
} >"$WORK/nginx.conf"
NGINX_ARGS=(-p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/logs/error.log")
"$NGINX" -t -q "${NGINX_ARGS[@]}"
"$NGINX" "${NGINX_ARGS[@]}"
wait_ready "$BASE"
echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') on $BASE in front of :$B1 :$B2 :$B3;" \
    "example configuration with $CHANGED lines changed (ports and paths)"
[[ ${#REDIS_ARGS[@]} -gt 0 ]] && echo "processes share Redis on :$REDIS_PORT"

# --- the checks -------------------------------------------------------------------------------
status_of() { curl -ks -o /dev/null -w '%{http_code}' "$@"; }
expect() { # expected actual
    [[ "$2" == "$1" ]] || { echo "expected $1, got $2"; return 1; }
}

readyz_all() { # times: each answers 200 (its body names what it checked)
    for _ in $(seq "$1"); do
        out=$(curl -ksS -w ' (%{http_code})' "$BASE/readyz")
        [[ "$out" == *" (200)" ]] || { echo "readyz: $out"; return 1; }
    done
}
redirects() {
    out=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$HTTP/readyz")
    [[ "$out" == "301 https://"* ]] || { echo "got $out"; return 1; }
}
sign_in() { # client address
    status=$(curl -ks -o /dev/null -w '%{http_code}' --interface "$1" -c "$WORK/cookies" \
        -H 'content-type: application/json' \
        -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "$BASE/api/session")
    expect 204 "$status" && grep -q '__Host-polder_session' "$WORK/cookies"
}
signed_in_from() { # client address: the audit entry of the last sign-in names it
    subject=$(psql -Atq "$DB_URL" -c \
        "SELECT subject FROM audit_log WHERE action = 'session.create' ORDER BY id DESC LIMIT 1")
    [[ "$subject" == *"\"address\":\"$1\""* ]] || { echo "last sign-in: $subject"; return 1; }
}
me() { expect 200 "$(status_of -b "$WORK/cookies" "$BASE/api/me")"; }
session_cookie() { awk '$6 ~ /polder_session$/ { print $6 "=" $7 }' "$WORK/cookies"; }
ws_sync() { # doc
    node "$ROOT/deploy/nginx/ws-check.mjs" "$NODE_MODULES" \
        "wss://127.0.0.1:$TLS/ws/$1?token=$TOKEN" sync
}
ws_inbox() {
    node "$ROOT/deploy/nginx/ws-check.mjs" "$NODE_MODULES" "wss://127.0.0.1:$TLS/ws/inbox" \
        inbox "$(session_cookie)" "$BASE"
}
body_limit() { # path content-type bytes expected-status: the answer is in Polder's JSON shape
    local path=$1 type=$2 bytes=$3 status=$4 out
    head -c "$bytes" /dev/zero | tr '\0' '\n' >"$WORK/body"
    out=$(curl -ks -o "$WORK/answer" -w '%{http_code} %{content_type}' \
        -H "Authorization: Bearer $TOKEN" -H "content-type: $type" \
        --data-binary "@$WORK/body" "$BASE$path")
    [[ "$out" == "$status application/json"* ]] || { echo "$bytes bytes to $path: got $out"; return 1; }
    [[ "$status" != 413 ]] || grep -q '"code":"payload_too_large"' "$WORK/answer"
}
metrics() {
    expect 200 "$(status_of -H "Authorization: Bearer $TOKEN" "$BASE/metrics")" &&
        expect 403 "$(status_of --interface 127.0.0.5 -H "Authorization: Bearer $TOKEN" \
            "$BASE/metrics")"
}
access_log() { # the first requests went to every process; no token was logged
    processes=$(head -n 9 "$WORK/logs/access.log" | grep -o '"127\.0\.0\.1:[0-9]*"' | sort -u | wc -l)
    expect 3 "$processes" || return 1
    if grep -q -- "$TOKEN" "$WORK/logs/access.log"; then echo "the token is in the access log"; return 1; fi
    grep -q '"GET /ws/nginx-check HTTP/1.1" 101' "$WORK/logs/access.log"
}
two_clients_sync() {
    NODE_TLS_REJECT_UNAUTHORIZED=0 NODE_NO_WARNINGS=1 node "$ROOT/tests/node/sync-check.mjs" \
        "wss://127.0.0.1:$TLS/ws" "$1" "$TOKEN" "through nginx"
}
sockets() { # times
    for n in $(seq "$1"); do ws_sync "failover-$n" >/dev/null || return 1; done
}
stop_backend() { # index signal
    kill "-$2" "${PIDS[$1]}"
    wait "${PIDS[$1]}" 2>/dev/null || true
    unset "PIDS[$1]"
}

check "/readyz through nginx (9 requests over 3 processes)" readyz_all 9
check "plain HTTP redirects to HTTPS" redirects
check "sign-in through nginx sets the __Host- session cookie" sign_in 127.0.0.5
check "--trusted-proxy: the sign-in is recorded from the client's address" \
    signed_in_from 127.0.0.5
check "the session cookie works on the next request" me
check "/ws/{doc} upgrades and sends sync step 1" ws_sync nginx-check
check "/ws/inbox upgrades with the cookie and Origin, sends the unread count" ws_inbox
check "a 2 MiB import reaches Polder (a dry run)" body_limit "$IMPORTS" text/csv 2097152 200
check "a 6 MiB import stops at nginx, in Polder's JSON error shape" \
    body_limit "$IMPORTS" text/csv 6291456 413
check "a 2 MiB body elsewhere stops at nginx (413)" \
    body_limit /api/session application/json 2097152 413
check "a body under 1 MiB reaches Polder (400: not JSON)" \
    body_limit /api/session application/json 1000000 400
check "/metrics from loopback with a token; refused from elsewhere" metrics
check "the access log: all 3 processes answered, no token in it" access_log
if [[ ${#REDIS_ARGS[@]} -gt 0 ]]; then
    check "two y-websocket clients, round-robin over processes, sync" two_clients_sync cluster-check
else
    echo "skip  two clients on different processes (this polder has no --redis-url)"
fi

stop_backend 1 TERM
check "one process stopped (SIGTERM): /readyz still answers (9 requests)" readyz_all 9
check "one process stopped: sign-in works" sign_in 127.0.0.6
check "one process stopped: sockets upgrade (3 sockets)" sockets 3
stop_backend 2 KILL
check "two processes gone (SIGTERM, SIGKILL): /readyz still answers" readyz_all 9
check "two processes gone: the session still works" me
check "two processes gone: sockets upgrade (3 sockets)" sockets 3
start_backend 1 "$B1"
wait_ready "http://127.0.0.1:$B1"
check "a restarted process rejoins: /readyz (9 requests)" readyz_all 9

echo "nginx check: $PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
