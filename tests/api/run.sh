#!/usr/bin/env bash
# Checks the REST API against its own OpenAPI document with independent tools:
#  1. openapi-spec-validator validates /api/openapi.json;
#  2. schemathesis calls every documented operation (the websocket upgrades excepted) with
#     generated valid and malformed input and checks that no answer is a server error, that
#     each status code, content type and body is the documented one.
# Runs `polder serve --demo` on a free local port with a fresh data directory and an admin API
# token made with the CLI. Exits non-zero on any failure. Bounded: a fixed number of examples
# per operation and a fixed seed.
#
# Settings (environment): POLDER_FUZZ_EXAMPLES examples per operation (default 10),
# POLDER_FUZZ_SEED (default 20261201).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
examples="${POLDER_FUZZ_EXAMPLES:-10}"
seed="${POLDER_FUZZ_SEED:-20261201}"

tests/api/setup.sh
cargo build --locked --quiet -p polder-server --bin polder
polder="${CARGO_TARGET_DIR:-$root/target}/debug/polder"

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(tests/api/.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export POLDER_DATA_DIR="$work/data"
"$polder" serve --demo --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!

ready=""
for _ in $(seq 1 120); do
  if curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then ready=yes; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "the server did not become ready; its log:" >&2
  cat "$work/server.log" >&2
  exit 1
fi

# an administrator's personal token: the person-bound routes are exercised too
token=$("$polder" token create --name fuzz --scope admin --user beheer@polder.demo)
POLDER_FUZZ_TOKEN_ID=$(curl -fsS -H "Authorization: Bearer $token" "$base/api/tokens?limit=200" |
  tests/api/.venv/bin/python -c 'import json, sys; print(next(t["id"] for t in json.load(sys.stdin)["items"] if t["name"] == "fuzz"))')
export POLDER_FUZZ_TOKEN_ID

curl -fsS "$base/api/openapi.json" -o "$work/openapi.json"
echo "==> openapi-spec-validator"
tests/api/.venv/bin/openapi-spec-validator "$work/openapi.json"

echo "==> schemathesis: $examples examples per operation, seed $seed"
status=0
# run from the temporary directory: schemathesis keeps a cache in its working directory
(cd "$work" && SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$root/tests/api" \
  "$root/tests/api/.venv/bin/schemathesis" run "$work/openapi.json" \
  --url "$base" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --exclude-path-regex '^/ws/' \
  --phases examples,coverage,fuzzing \
  --max-examples "$examples" \
  --seed "$seed" \
  --request-timeout 30 \
  --workers 1 \
  --generation-database none \
  --no-color \
  --warnings off) || status=$?

if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "the server died during the run; its log:" >&2
  tail -50 "$work/server.log" >&2
  exit 1
fi
if ! curl -fsS -o /dev/null "$base/healthz"; then
  echo "the server no longer answers /healthz after the run" >&2
  exit 1
fi
exit "$status"
