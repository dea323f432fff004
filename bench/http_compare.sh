#!/usr/bin/env bash
# Alternating HTTP benchmark of two builds on one machine: the machines drift by about ±25%
# between runs, so a change is judged only against a baseline measured in the same session.
#   bench/http_compare.sh OTHER_CHECKOUT [PAIRS] [DURATION_S] [CONNECTIONS]
# OTHER_CHECKOUT is another checkout with its own build/chatbot (e.g. `git worktree add ../base
# <commit>` then `make -C ../base build`). Each pair runs bench/http_bench.sh there, then here.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
other="$(cd "${1:?usage: bench/http_compare.sh OTHER_CHECKOUT [PAIRS] [DURATION_S] [CONNECTIONS]}" && pwd)"
pairs="${2:-3}"
duration="${3:-10}"
connections="${4:-64}"
[[ -x "$other/build/chatbot" ]] || { echo "no $other/build/chatbot: build it first" >&2; exit 2; }
for i in $(seq "$pairs"); do
  for tree in "$other" "$here"; do
    echo "### pair $i: $tree ($(git -C "$tree" rev-parse --short HEAD))"
    (cd "$tree" && bench/http_bench.sh "$duration" "$connections") |
      grep -E '^== |Requests/sec|99%'
  done
done
