#!/usr/bin/env bash
# Does one abusive client slow everyone else down? A well-behaved employee asks a question every
# 200 ms while another identity floods the chat endpoint, with the rate limits on and off:
#   bench/flood_bench.sh [DURATION_S] [FLOOD_CONNECTIONS]
# Three runs on one server binary, side by side: the employee alone; the employee during a flood
# with RATE_LIMIT_CHAT_PER_MINUTE=$LIMIT (default 600, so the employee's 300 a minute fit); the
# same flood with the limits off. wrk (the employee: 1 connection; the flood: FLOOD_CONNECTIONS)
# runs on the same cores as the server.
# Env: THREADS (server threads, 2), BENCH_PORT (18091), LIMIT (600).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-15}"
connections="${2:-64}"
port="${BENCH_PORT:-18091}"
limit="${LIMIT:-600}"
admin_key="flood-bench-admin-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
data="$(mktemp -d)"
pid=""
stop_server() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  pid=""
}
trap 'stop_server; rm -rf "$data"' EXIT

start_server() {  # $1: RATE_LIMIT_CHAT_PER_MINUTE
  LOG_LEVEL=warning ADMIN_API_KEY="$admin_key" RATE_LIMIT_CHAT_PER_MINUTE="$1" \
    RATE_LIMIT_TICKETS_PER_HOUR=0 DATA_DIR="$data" HOST=127.0.0.1 PORT="$port" \
    THREADS="${THREADS:-2}" build/chatbot serve >>"$data/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/api/v1/chat/health" >/dev/null && return 0
    sleep 0.1
  done
  echo "the server did not start; its log:" >&2
  cat "$data/server.log" >&2
  exit 1
}

new_key() {  # $1: name; prints the secret
  curl -sf "http://127.0.0.1:$port/api/v1/admin/keys" -H "Authorization: Bearer $admin_key" \
    -H 'Content-Type: application/json' -d "{\"name\": \"$1\", \"role\": \"employee\"}" | jq -r .key
}

victim() {
  VICTIM_KEY="$victim_key" wrk -t1 -c1 -d"${duration}s" -s bench/victim.lua \
    "http://127.0.0.1:$port/api/v1/chat/" | grep '^victim:'
}

flood() {
  FLOOD_KEY="$flood_key" wrk -t1 -c"$connections" -d"$((duration + 2))s" -s bench/flooder.lua \
    "http://127.0.0.1:$port/api/v1/chat/" | grep '^flooder:'
}

victim_with_flood() {
  local out="$data/flood.out"
  flood >"$out" &
  local flood_pid=$!
  sleep 1  # the flood is under way before the employee's first question
  victim
  wait "$flood_pid"
  cat "$out"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "server threads: ${THREADS:-2}; employee: 1 question / 200 ms; flood: $connections connections; ${duration}s each"

start_server "$limit"
victim_key="$(new_key employee)"
flood_key="$(new_key flooder)"
echo
echo "== 1. the employee alone (RATE_LIMIT_CHAT_PER_MINUTE=$limit)"
victim
echo
echo "== 2. during a flood by another identity, rate limits on (RATE_LIMIT_CHAT_PER_MINUTE=$limit)"
victim_with_flood
stop_server

start_server 0
echo
echo "== 3. the same flood, rate limits off (RATE_LIMIT_CHAT_PER_MINUTE=0)"
victim_with_flood
