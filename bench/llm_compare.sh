#!/usr/bin/env bash
# Our llama.cpp engine against llama.cpp's own tools, same build, same files, same run:
#   bench/llm_compare.sh            (run on a quiet machine: `uptime` load average < 1.5)
# Env: THREADS (2), TOKENS (128), REPEATS (3), BUILD_DIR (build), BENCH_MODELS_DIR, BENCH_PORT
# (18190), AGREEMENT (8 article sets on the synthetic model, 40 on stories260K), QUICK=1 (1 repeat,
# 32 tokens, 2 agreement sets: a smoke test of the script, numbers meaningless), CHAT_MODEL and
# EMBED_MODEL (other GGUF files than the Q4_0 TinyLlama and the Q8_0 MiniLM), EVAL_QUERIES (real user
# questions for the embedding latency, default ../shared/eval/stackfaq/queries-dev.jsonl).
#
# Steps: (1) bench/make_models.sh; (2) llama-bench tg and our llm_bench back to back on the Q4_0
# TinyLlama; (3) llama-server with the exact same token prompts (llm_bench writes them): decode,
# 4 streams, RAG time to first token cold and with its own prefix reuse; (4) llama-server
# --embedding with the same sentences, and llama-bench -embd 1 on the same token counts; (5) the source cache's effect on greedy text on
# stories260K; (6) one table of ratios against the targets. Raw numbers stay in $OUT_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

threads="${THREADS:-2}"
tokens="${TOKENS:-128}"
repeats="${REPEATS:-3}"
agreement="${AGREEMENT:-8}"
agreement_small=40
if [[ "${QUICK:-0}" == 1 ]]; then tokens=32 repeats=1 agreement=2 agreement_small=4; fi
build="${BUILD_DIR:-build}"
port="${BENCH_PORT:-18190}"
out="${OUT_DIR:-$(mktemp -d /tmp/llm-compare.XXXXXX)}"
mkdir -p "$out/requests"
say() { printf '\033[1m[compare]\033[0m %s\n' "$*" >&2; }

models="$(bench/make_models.sh)"
bin="$(scripts/llama_cpp.sh --tools)/bin"
cmake --build "$build" -j "${JOBS:-2}" --target llm_bench >&2
q4="${CHAT_MODEL:-$models/tinyllama-1.1b-Q4_0.gguf}"
minilm="${EMBED_MODEL:-$models/minilm-l6-Q8_0.gguf}"
stories="${STORIES_MODEL:-../shared/models/stories260K.gguf}"
# Real user questions, each embedded alone (latency as chat requests see it); skipped when absent.
queries="${EVAL_QUERIES:-../shared/eval/stackfaq/queries-dev.jsonl}"
query_args=()
if [[ -f "$queries" ]]; then query_args=(--embed-queries "$queries"); fi

server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
trap stop_server EXIT

# "result key value" lines; get KEY FILE prints the value (empty when absent).
get() { awk -v k="$2" '$1 == "result" && $2 == k { print $3 }' "$1" | tail -1; }
put() { echo "result $2 $3" >>"$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
json_num() { grep -o "\"$1\": *[0-9.eE+-]*" | head -1 | sed 's/.*: *//'; }
now_ms() { date +%s%3N; }

ready_ms=""
start_server() {  # log-name, args... (sets server_pid and ready_ms; not in a subshell)
  local name="$1"
  shift
  local t0
  t0="$(now_ms)"
  "$bin/llama-server" --host 127.0.0.1 --port "$port" -t "$threads" "$@" >"$out/$name.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 600); do
    if curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
      ready_ms=$(($(now_ms) - t0))
      return
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -20 "$out/$name.log" >&2
  echo "llama-server did not start (log: $out/$name.log)" >&2
  exit 1
}
post() {  # path body-file -> response body; appends the wall time (s) to $out/last_time
  curl -sf -w '\n%{time_total}' "http://127.0.0.1:$port$1" -H 'Content-Type: application/json' -d @"$2" >"$out/last_response"
  tail -1 "$out/last_response" >"$out/last_time"
  sed '$d' "$out/last_response"
}

ours="$out/ours.txt"
peer="$out/peer.txt"
: >"$peer"

say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg)"

# (2) llama-bench tg and our decode, back to back on the same file.
say "llama-bench tg$tokens on $(basename "$q4")"
"$bin/llama-bench" -m "$q4" -t "$threads" -p 0 -n "$tokens" -r "$repeats" -o json >"$out/llama-bench.json" 2>"$out/llama-bench.log"
put "$peer" bench_tg_tps "$(json_num avg_ts <"$out/llama-bench.json")"
say "llm_bench on $(basename "$q4")"
"$build/bench/llm_bench" --model "$q4" --threads "$threads" --tokens "$tokens" --repeats "$repeats" \
  --agreement "$agreement" --embed-model "$minilm" "${query_args[@]}" --dump-dir "$out/requests" \
  >"$ours" 2>"$out/llm_bench.log"

# (3) llama-server: 4 slots of 2048 positions (our engine's default), the same token prompts.
say "llama-server on $(basename "$q4")"
start_server server-chat -m "$q4" -np 4 -c 8192
put "$peer" server_ready_ms "$ready_ms"
req="$out/requests"
post /completion "$req/decode.json" >/dev/null  # warm-up
tps=() wall=()
for _ in $(seq "$repeats"); do
  tps+=("$(post /completion "$req/decode.json" | json_num predicted_per_second)")
  wall+=("$(awk -v n="$tokens" -v t="$(cat "$out/last_time")" 'BEGIN { print n / t }')")
done
put "$peer" server_decode_tps "$(printf '%s\n' "${tps[@]}" | median)"
put "$peer" server_decode_wall_tps "$(printf '%s\n' "${wall[@]}" | median)"
agg=()
for _ in $(seq "$repeats"); do
  t0="$(now_ms)"
  pids=()
  for f in "$req"/concurrent_*.json; do
    curl -sf "http://127.0.0.1:$port/completion" -H 'Content-Type: application/json' -d @"$f" >"$f.out" &
    pids+=($!)
  done
  wait "${pids[@]}"
  t1="$(now_ms)"
  n=0
  for f in "$req"/concurrent_*.json.out; do n=$((n + $(json_num predicted_n <"$f" | cut -d. -f1))); done
  agg+=("$(awk -v n="$n" -v ms=$((t1 - t0)) 'BEGIN { print n / (ms / 1000) }')")
done
put "$peer" server_concurrent_tps "$(printf '%s\n' "${agg[@]}" | median)"
cold=() warm=()
for f in "$req"/ttft_cold_*.json; do
  i="${f##*_}"
  i="${i%.json}"
  post /completion "$f" >/dev/null
  cold+=("$(awk -v t="$(cat "$out/last_time")" 'BEGIN { print t * 1000 }')")
  post /completion "$req/ttft_prime_$i.json" >/dev/null
  post /completion "$req/ttft_warm_$i.json" >/dev/null
  warm+=("$(awk -v t="$(cat "$out/last_time")" 'BEGIN { print t * 1000 }')")
done
put "$peer" server_ttft_cold_ms "$(printf '%s\n' "${cold[@]}" | median)"
put "$peer" server_ttft_warm_ms "$(printf '%s\n' "${warm[@]}" | median)"
put "$peer" server_rss_mib "$(awk '/^VmRSS:/ { print $2 / 1024 }' "/proc/$server_pid/status")"
stop_server

# (4) llama-server --embedding with the sentences llm_bench embedded.
say "llama-server --embedding on $(basename "$minilm")"
start_server server-embed --embedding -m "$minilm"
post /v1/embeddings "$req/embed_one.json" >/dev/null  # warm-up
one=()
for _ in $(seq 30); do
  post /v1/embeddings "$req/embed_one.json" >/dev/null
  one+=("$(awk -v t="$(cat "$out/last_time")" 'BEGIN { print t * 1000 }')")
done
put "$peer" server_embed_one_ms "$(printf '%s\n' "${one[@]}" | median)"
rate=()
for _ in $(seq "$repeats"); do
  post /v1/embeddings "$req/embed_batch.json" >/dev/null
  rate+=("$(awk -v n="$(get "$ours" embed_sentences)" -v t="$(cat "$out/last_time")" 'BEGIN { print n / t }')")
done
put "$peer" server_embed_batch_per_s "$(printf '%s\n' "${rate[@]}" | median)"
stop_server

# llama.cpp's own time for one encoder pass of the same token counts (llama-bench -embd 1): the
# fastest a single query can be embedded with these kernels on this machine.
one_tokens="$(get "$ours" embed_one_tokens)"
query_tokens="$(get "$ours" embed_queries_tokens_p50)"
if [[ -n "$one_tokens" ]]; then
  say "llama-bench -embd 1 pp$one_tokens${query_tokens:+,$query_tokens} on $(basename "$minilm")"
  "$bin/llama-bench" -m "$minilm" -t "$threads" -embd 1 -n 0 -p "$one_tokens${query_tokens:+,$query_tokens}" \
    -r 30 -o jsonl >"$out/llama-bench-embed.jsonl" 2>"$out/llama-bench-embed.log"
  put "$peer" bench_embed_one_ms "$(sed -n 1p "$out/llama-bench-embed.jsonl" | json_num avg_ns | awk '{ print $1 / 1e6 }')"
  if [[ -n "$query_tokens" ]]; then
    put "$peer" bench_embed_queries_p50_ms "$(sed -n 2p "$out/llama-bench-embed.jsonl" | json_num avg_ns | awk '{ print $1 / 1e6 }')"
  fi
fi

# (5) The source cache's effect on greedy text, on the one model with real weights.
if [[ -f "$stories" ]]; then
  say "source-cache agreement on $(basename "$stories")"
  "$build/bench/llm_bench" --model "$stories" --threads "$threads" --only agreement --repeats 1 \
    --agreement "$agreement_small" --agreement-tokens 64 >"$out/stories.txt" 2>"$out/stories.log"
fi

# (6) The table.
o() { get "$ours" "$1"; }
p() { get "$peer" "$1"; }
s() { [[ -f "$out/stories.txt" ]] && get "$out/stories.txt" "$1" || true; }
row() {  # metric ours peer ratio-expression target-expression
  awk -v m="$1" -v a="$2" -v b="$3" -v r="$4" -v t="$5" 'BEGIN {
    printf "| %-44s | %10s | %10s | %7s | %-22s |\n", m, a, b, r, t }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
check() { awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN { if (v == "" || v == "n/a") print "n/a";
  else if ((op == ">=" && v + 0 >= g + 0) || (op == "<=" && v + 0 <= g + 0)) print "met"; else print "NOT met" }'; }

decode_ratio="$(ratio "$(o decode_tps)" "$(p bench_tg_tps)")"
conc_ratio="$(ratio "$(o concurrent_tps)" "$(o decode_wall_tps)")"
server_conc_ratio="$(ratio "$(p server_concurrent_tps)" "$(p server_decode_wall_tps)")"
embed_ratio="$(ratio "$(o embed_batch_per_s)" "$(p server_embed_batch_per_s)")"
rss_budget="$(awk -v f="$(o model_file_mib)" 'BEGIN { print f + 250 }')"

echo
echo "## llm_compare $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $threads threads, load before: see above; raw: $out"
echo
row "metric" "ours" "peer" "ratio" "target"
row "---" "---" "---" "---" "---"
row "decode t/s (peer: llama-bench tg$tokens)" "$(o decode_tps)" "$(p bench_tg_tps)" "$decode_ratio" ">= 0.97: $(check "$decode_ratio" ">=" 0.97)"
row "decode t/s (peer: llama-server)" "$(o decode_tps)" "$(p server_decode_tps)" "$(ratio "$(o decode_tps)" "$(p server_decode_tps)")" ""
row "single stream, wall t/s (prompt included)" "$(o decode_wall_tps)" "$(p server_decode_wall_tps)" "" ""
row "4 streams, aggregate t/s" "$(o concurrent_tps)" "$(p server_concurrent_tps)" "" ""
row "4 streams / single stream (peer: its own)" "$conc_ratio" "$server_conc_ratio" "" ">= 1.8: $(check "$conc_ratio" ">=" 1.8)"
row "RAG TTFT ms, $(o ttft_prompt_tokens) tokens, cold (kParallel)" "$(o ttft_parallel_cold_ms)" "$(p server_ttft_cold_ms)" "$(ratio "$(o ttft_parallel_cold_ms)" "$(p server_ttft_cold_ms)")" ""
row "RAG TTFT ms, same articles, new question" "$(o ttft_parallel_warm_ms)" "$(p server_ttft_warm_ms)" "$(ratio "$(o ttft_parallel_warm_ms)" "$(p server_ttft_warm_ms)")" "<= 1500: $(check "$(o ttft_parallel_warm_ms)" "<=" 1500)"
row "RAG TTFT ms, source cache off (cold / warm)" "$(o ttft_off_cold_ms)" "$(o ttft_off_warm_ms)" "" ""
row "embed one query, ms ($(o embed_one_tokens) tokens)" "$(o embed_one_ms)" "$(p server_embed_one_ms)" "" "<= 5: $(check "$(o embed_one_ms)" "<=" 5)"
row "  llama-bench -embd 1, same tokens, ms" "" "$(p bench_embed_one_ms)" "$(ratio "$(o embed_one_ms)" "$(p bench_embed_one_ms)")" ""
if [[ -n "$(o embed_queries)" ]]; then
  row "embed real queries p50 ms ($(o embed_queries_tokens_p50) tokens)" "$(o embed_queries_ms_p50)" "$(p bench_embed_queries_p50_ms)" "$(ratio "$(o embed_queries_ms_p50)" "$(p bench_embed_queries_p50_ms)")" "peer: llama-bench"
  row "  p90 ms ($(o embed_queries_tokens_p90) tokens) / share <= 5 ms" "$(o embed_queries_ms_p90)" "" "" "$(o embed_queries_share_within_5ms) of $(o embed_queries)"
fi
row "embed batch, sentences/s" "$(o embed_batch_per_s)" "$(p server_embed_batch_per_s)" "$embed_ratio" ">= 1: $(check "$embed_ratio" ">=" 1)"
row "RSS peak MiB (model file $(o model_file_mib) MiB)" "$(o rss_peak_mib)" "$(p server_rss_mib)" "" "<= $rss_budget: $(check "$(o rss_peak_mib)" "<=" "$rss_budget")"
row "ready ms (load + system prompt)" "$(o ready_ms)" "$(p server_ready_ms)" "" "< 2000: $(check "$(o ready_ms)" "<=" 2000)"
row "source cache vs off, exact (synthetic)" "$(o agreement_exact_rate)" "" "" "$(o agreement_cases) sets"
row "source cache vs off, exact (stories260K)" "$(s agreement_exact_rate)" "" "" "$(s agreement_cases) sets"
row "  common prefix share / position share" "$(s agreement_common_prefix_share)" "$(s agreement_position_share)" "" "stories260K"
if [[ "$(o embed_available)" != 1 ]]; then
  echo
  echo "Embedder rows: this branch has no LlamaEmbedder (src/llm/llama_embedder.h); llm_bench measures it once it does."
fi
