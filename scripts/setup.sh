#!/usr/bin/env bash
# Installs what chatbot needs to build, test and serve on Debian 12, then exits.
# Idempotent and fast when nothing is missing: it only calls apt/npm for what is absent.
#   scripts/setup.sh            build + run dependencies
#   scripts/setup.sh --test     also what the test suite and benchmarks use
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

# Debian package names (bookworm). Versions are pinned by the distribution release.
apt_build=(
  build-essential cmake pkg-config
  libboost-dev libboost-system-dev     # Boost.Beast / Asio 1.74
  libxapian-dev                        # lexical index (BM25, Snowball stemmers)
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libre2-dev libyaml-cpp-dev libssl-dev
  libcurl4-openssl-dev                 # `chatbot models pull`
  libsqlite3-dev                       # durable store
  libjemalloc-dev                      # the serving binary's allocator (CHATBOT_JEMALLOC)
  libfaiss-dev libopenblas-dev         # dense retrieval (FAISS 1.7.3, static; BLAS via OpenBLAS)
  ccache                               # cheap rebuilds (CMake uses it when present)
  git                                  # unpacks the pinned llama.cpp source (scripts/llama_cpp.sh)
  nodejs npm                           # web assets (swagger-ui-dist); with --test, the mock OIDC provider
)
apt_test=(libgtest-dev libgmock-dev libbenchmark-dev wrk curl
  clang clang-tidy clang-format jq  # make lint (LLVM 14: thread-safety analysis, clang-tidy)
)

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

missing=()
pkgs=("${apt_build[@]}")
((want_test)) && pkgs+=("${apt_test[@]}")
for p in "${pkgs[@]}"; do
  # node/npm may come from outside Debian (e.g. nvm); accept them if they are on PATH.
  if [[ "$p" == nodejs || "$p" == npm ]] && command -v "${p/nodejs/node}" >/dev/null 2>&1; then
    continue
  fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Installs the npm packages pinned in $1/package-lock.json into $1/node_modules, unless the lock
# file installed last (copied next to them) is the same and the file $2 is there; install scripts
# are not run.
npm_install() {
  local dir="$1" marker="$1/node_modules/.chatbot-installed-lock"
  if ! cmp -s "$dir/package-lock.json" "$marker" 2>/dev/null || [[ ! -f "$dir/$2" ]]; then
    say "installing npm packages (npm ci in ${dir#"$root"/}/)"
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
    cp "$dir/package-lock.json" "$marker"
  fi
}

# Swagger UI for /docs.
npm_install "$root/web" node_modules/swagger-ui-dist/swagger-ui-bundle.js
# The mock OIDC provider of the integration tests (tests/oidc/mock_provider.mjs).
if ((want_test)); then
  npm_install "$root/tests/oidc" node_modules/oauth2-mock-server/package.json
fi
