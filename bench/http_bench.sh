#!/usr/bin/env bash
# HTTP throughput and latency of `chatbot serve` with wrk, on loopback.
#   bench/http_bench.sh [DURATION_S] [CONNECTIONS]
# Starts its own server (access log off, so the numbers measure the server, not the terminal), runs
# wrk against /health and the chat endpoint, prints wrk's summaries and stops the server.
# Env: THREADS (server threads, 2), BENCH_PORT (18089), BENCH_PRELOAD (a library to LD_PRELOAD into
# the server, e.g. another malloc, to compare allocators on one binary).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
connections="${2:-64}"
port="${BENCH_PORT:-18089}"
data="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT

LD_PRELOAD="${BENCH_PRELOAD:-}" LOG_LEVEL=warning RATE_LIMIT_CHAT_PER_MINUTE=0 RATE_LIMIT_TICKETS_PER_HOUR=0 DATA_DIR="$data" HOST=127.0.0.1 PORT="$port" THREADS="${THREADS:-2}" build/chatbot serve >"$data/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/api/v1/chat/health" >/dev/null && break
  sleep 0.1
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "server threads: ${THREADS:-2}; wrk: 2 threads, $connections connections, ${duration}s (wrk shares the cores)"
echo
echo "== GET /health"
wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port/health" | sed -n '1,20p'
echo
echo "== POST /api/v1/chat/ (8 rotating questions, top_k 4, max_tokens 150)"
wrk -t2 -c"$connections" -d"${duration}s" --latency -s bench/chat.lua "http://127.0.0.1:$port/api/v1/chat/" | sed -n '1,20p'
