#!/usr/bin/env bash
# Writes the synthetic-weight benchmark models (real shapes, real tokenizers, random weights; see
# bench/make_synthetic_model.cpp) into a cache outside the repository and prints its path:
#   tinyllama-1.1b-F16.gguf, tinyllama-1.1b-Q4_0.gguf, tinyllama-1.1b-Q8_0.gguf,
#   minilm-l6-F16.gguf, minilm-l6-Q8_0.gguf
# Idempotent: an existing file is kept (files are written under a temporary name, then renamed).
#   bench/make_models.sh                 BENCH_MODELS_DIR overrides ~/.cache/chatbot/bench-models
# Needs: build/ configured (cmake -S . -B build), llama.cpp's tools (scripts/llama_cpp.sh --tools)
# and its source tree for the vocab-only GGUFs (LLAMA_CPP_SOURCE_DIR or the pinned checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m[models]\033[0m %s\n' "$*" >&2; }

cache_root="${CHATBOT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/chatbot}"
out="${BENCH_MODELS_DIR:-$cache_root/bench-models}"
mkdir -p "$out"

prefix="$(scripts/llama_cpp.sh --tools)"
if [[ -n "${LLAMA_CPP_SOURCE_DIR:-}" ]]; then
  src="$LLAMA_CPP_SOURCE_DIR"
else
  commit="$(sed -n 's/^LLAMA_CPP_COMMIT=//p' scripts/llama_cpp.sh)"
  src="$cache_root/llama.cpp-src-$commit"
fi
[[ -f "$src/models/ggml-vocab-llama-spm.gguf" ]] || { echo "no vocab GGUFs in $src/models" >&2; exit 1; }

build="${BUILD_DIR:-build}"
[[ -f "$build/CMakeCache.txt" ]] || cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target make_synthetic_model >&2
tool="$build/bench/make_synthetic_model"

synth() {  # shape vocab
  local f="$out/$1-F16.gguf"
  if [[ -f "$f" ]]; then return; fi
  say "writing $f"
  "$tool" --shape "$1" --vocab "$src/models/$2" --out "$f" >&2
}
quantize() {  # shape type
  local f="$out/$1-$2.gguf"
  if [[ -f "$f" ]]; then return; fi
  say "quantizing $1 to $2"
  "$prefix/bin/llama-quantize" "$out/$1-F16.gguf" "$f.tmp" "$2" "$(nproc)" >"$out/$1-$2.log" 2>&1 \
    || { tail -20 "$out/$1-$2.log" >&2; rm -f "$f.tmp"; exit 1; }
  mv "$f.tmp" "$f"
}

synth tinyllama-1.1b ggml-vocab-llama-spm.gguf
synth minilm-l6 ggml-vocab-bert-bge.gguf
quantize tinyllama-1.1b Q4_0
quantize tinyllama-1.1b Q8_0
quantize minilm-l6 Q8_0
echo "$out"
