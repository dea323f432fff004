#!/usr/bin/env bash
# Builds the pinned llama.cpp once per machine into a cache outside the repository and prints the
# install prefix (for CMAKE_PREFIX_PATH) on stdout. Everything else goes to stderr.
#
#   scripts/llama_cpp.sh            static libllama + ggml (what chatbot links)
#   scripts/llama_cpp.sh --tools    also llama-bench, llama-server, llama-quantize (bench/ uses them)
#
# Source, in order of preference:
#   LLAMA_CPP_SOURCE_DIR=/path/to/llama.cpp   a local checkout (any version with the same C API)
#   otherwise the pinned release: llama.cpp commit de3ff81 ("v0.5.0" of node-llama-cpp), taken from
#   the git bundle llama/gitRelease.bundle inside the npm package node-llama-cpp@3.22.1, whose
#   tarball is verified by sha256 before use.
# An installed llama.cpp skips this script entirely: `make CHATBOT_LLAMA_PREFIX=/usr/local ...`.
#
# Cache: ${CHATBOT_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/chatbot}/llama.cpp/<key>, where the key
# hashes the source revision, the CMake flags, the compiler and the CPU's feature flags (the build
# is -march=native), so a changed input builds a new tree and an unchanged one is reused.
set -euo pipefail

NODE_LLAMA_CPP_VERSION=3.22.1
NODE_LLAMA_CPP_SHA256=a0d9dd80eacd2ab1cfe71aee57ac8a806487fd70b3d2a38fbec637752d9e5c5f
LLAMA_CPP_COMMIT=de3ff815ea7d559ee917f063901b8986f038abc6

want_tools=0
[[ "${1:-}" == "--tools" ]] && want_tools=1

say() { printf '\033[1m[llama.cpp]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[llama.cpp]\033[0m %s\n' "$*" >&2; exit 1; }

cache_root="${CHATBOT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/chatbot}"
mkdir -p "$cache_root"
# One builder at a time per machine: concurrent `make` runs wait instead of corrupting the tree.
exec 9>"$cache_root/.llama_cpp.lock"
flock 9

fetch_pinned_source() {
  local dest="$cache_root/llama.cpp-src-$LLAMA_CPP_COMMIT"
  if [[ -f "$dest/.chatbot-complete" ]]; then
    echo "$dest"
    return
  fi
  command -v npm >/dev/null || die "npm is needed to fetch llama.cpp (run scripts/setup.sh)"
  local work
  work="$(mktemp -d "$cache_root/.fetch.XXXXXX")"
  say "fetching node-llama-cpp@$NODE_LLAMA_CPP_VERSION from npm (it carries the llama.cpp source)"
  (cd "$work" && npm pack --silent "node-llama-cpp@$NODE_LLAMA_CPP_VERSION" >/dev/null) \
    || die "npm pack node-llama-cpp@$NODE_LLAMA_CPP_VERSION failed; set LLAMA_CPP_SOURCE_DIR to a local llama.cpp checkout instead"
  local tarball="$work/node-llama-cpp-$NODE_LLAMA_CPP_VERSION.tgz"
  echo "$NODE_LLAMA_CPP_SHA256  $tarball" | sha256sum -c --quiet - \
    || die "node-llama-cpp tarball checksum mismatch; refusing to build it"
  tar -xzf "$tarball" -C "$work" package/llama/gitRelease.bundle
  rm -rf "$dest.tmp"
  git clone --quiet --no-checkout "$work/package/llama/gitRelease.bundle" "$dest.tmp"
  git -C "$dest.tmp" -c advice.detachedHead=false checkout --quiet "$LLAMA_CPP_COMMIT" \
    || die "commit $LLAMA_CPP_COMMIT is not in the bundle"
  touch "$dest.tmp/.chatbot-complete"
  rm -rf "$dest" && mv "$dest.tmp" "$dest"
  rm -rf "$work"
  echo "$dest"
}

if [[ -n "${LLAMA_CPP_SOURCE_DIR:-}" ]]; then
  src="$(cd "$LLAMA_CPP_SOURCE_DIR" && pwd)" || die "LLAMA_CPP_SOURCE_DIR=$LLAMA_CPP_SOURCE_DIR does not exist"
  [[ -f "$src/include/llama.h" ]] || die "$src does not look like llama.cpp (no include/llama.h)"
  revision="local:$src:$(git -C "$src" rev-parse HEAD 2>/dev/null || echo unversioned)"
else
  src="$(fetch_pinned_source)"
  revision="$LLAMA_CPP_COMMIT"
fi

# OpenMP is off: ggml's own thread pool is used instead, which ThreadSanitizer builds of chatbot
# can reason about (libgomp is not TSan-aware) and which is as fast for our thread counts.
flags=(
  -DCMAKE_BUILD_TYPE=Release
  -DBUILD_SHARED_LIBS=OFF
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON
  -DGGML_NATIVE=ON
  # Some virtual machines report AMX but fault on its instructions; ggml would then route quantized
  # weights through its AMX kernels and crash on the first multi-token batch. AVX-512/AVX2 kernels
  # are used instead.
  "-DCMAKE_C_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
  "-DCMAKE_CXX_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
  -DGGML_OPENMP=OFF
  -DGGML_CCACHE=OFF
  -DLLAMA_BUILD_TESTS=OFF
  -DLLAMA_BUILD_EXAMPLES=OFF
  -DLLAMA_BUILD_APP=OFF
  -DLLAMA_OPENSSL=OFF
  -DLLAMA_USE_PREBUILT_UI=OFF
  -DLLAMA_BUILD_UI=OFF
)
cpu_flags="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)"
compiler="$(c++ --version 2>/dev/null | head -1)"
key="$(printf '%s\n' "$revision" "${flags[*]}" "$compiler" "$cpu_flags" | sha256sum | cut -c1-16)"
tree="$cache_root/llama.cpp/$key"
prefix="$tree/install"
jobs="${JOBS:-$(nproc)}"

if [[ ! -f "$prefix/.chatbot-complete" ]]; then
  say "building llama.cpp ($revision) into $tree - once per machine, ~10 min on 2 cores"
  rm -rf "$prefix"
  mkdir -p "$tree"
  cmake -S "$src" -B "$tree/build" "${flags[@]}" -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF \
    -DLLAMA_BUILD_COMMON=OFF -DCMAKE_INSTALL_PREFIX="$prefix" >"$tree/configure.log" 2>&1 \
    || { tail -30 "$tree/configure.log" >&2; die "configure failed (log: $tree/configure.log)"; }
  cmake --build "$tree/build" -j "$jobs" --target llama >&2
  cmake --install "$tree/build" >/dev/null
  touch "$prefix/.chatbot-complete"
fi

if ((want_tools)) && [[ ! -f "$prefix/.chatbot-tools-complete" ]]; then
  say "building llama.cpp tools (llama-bench, llama-server, llama-quantize)"
  # Same flags plus the tools: the library objects are unchanged and are not rebuilt.
  cmake -S "$src" -B "$tree/build" "${flags[@]}" -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON \
    -DLLAMA_BUILD_COMMON=ON >"$tree/configure-tools.log" 2>&1 \
    || { tail -30 "$tree/configure-tools.log" >&2; die "configure failed (log: $tree/configure-tools.log)"; }
  cmake --build "$tree/build" -j "$jobs" --target llama-bench llama-server llama-quantize >&2
  mkdir -p "$prefix/bin"
  for tool in llama-bench llama-server llama-quantize; do
    cp "$tree/build/bin/$tool" "$prefix/bin/"
  done
  touch "$prefix/.chatbot-tools-complete"
fi

echo "$prefix"
