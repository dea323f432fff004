#!/usr/bin/env bash
# `make lint`: the checks the compiler of the real build (g++) does not make. Each part prints what
# to fix and the script fails if any part finds something.
#   format   clang-format --dry-run --Werror over the tracked C++ files of src/, tests/, bench/
#   threads  Clang's thread-safety analysis (-Wthread-safety, see src/util/thread_annotations.h):
#            a -fsyntax-only pass of clang++ over every src/ translation unit
#   tidy     clang-tidy with the repository's .clang-tidy over every src/ translation unit
#
#   scripts/lint.sh [format] [threads] [tidy]     (no argument: all three, in that order)
#
# Environment: BUILD, the build folder whose compile_commands.json gives the compile flags
# (configured, not built, when it has none; default build); JOBS (default: nproc).
# The tools are Debian 12's LLVM 14 (scripts/setup.sh --test installs them).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
BUILD="${BUILD:-build}"
JOBS="${JOBS:-$(nproc)}"
CLANGXX="${CLANGXX:-clang++-14}"
CLANG_TIDY="${CLANG_TIDY:-clang-tidy-14}"
CLANG_FORMAT="${CLANG_FORMAT:-clang-format-14}"

# Boost 1.74's Asio enables co_await for Clang only with <experimental/coroutine> (libc++);
# Clang 14 with libstdc++ 12 has the C++20 <coroutine>, which Asio already detects for GCC.
CLANG_EXTRA=(-DBOOST_ASIO_HAS_CO_AWAIT=1)
THREAD_FLAGS=(-Wthread-safety -Wthread-safety-beta -Werror=thread-safety -Werror=thread-safety-beta)

say() { printf '\033[1m[lint]\033[0m %s\n' "$*" >&2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failed=()
timings=()

seconds_since() {  # $1: date +%s%N of the start; prints seconds with one decimal
  local ds=$((($(date +%s%N) - $1) / 100000000))
  printf '%d.%d s' $((ds / 10)) $((ds % 10))
}

# Times one part: its name and seconds go to the summary; its failure to `failed`.
timed() {
  local name="$1" start
  shift
  start=$(date +%s%N)
  "$@" || failed+=("$name")
  timings+=("$name $(seconds_since "$start")")
}

check_format() {
  local -a files
  mapfile -t files < <(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' \
    'bench/*.cpp')
  # One file per call: the exit status tells which files are off, not only that some are.
  printf '%s\0' "${files[@]}" | xargs -0 -P "$JOBS" -I{} \
    sh -c '"$0" --dry-run --Werror "$1" >/dev/null 2>&1 || echo "$1"' "$CLANG_FORMAT" {} \
    | sort >"$tmp/format.txt"
  if [[ -s "$tmp/format.txt" ]]; then
    say "format: $(wc -l <"$tmp/format.txt") of ${#files[@]} files differ from .clang-format:"
    sed 's/^/  /' "$tmp/format.txt" >&2
    say "format: fix with 'make format' (or clang-format -i FILE; --dry-run FILE shows where)"
    return 1
  fi
  say "format: ${#files[@]} files ok"
}

# The compile database of $BUILD; configures the build folder (no build) when it has none.
compile_db() {
  if [[ ! -f "$BUILD/compile_commands.json" ]]; then
    say "configuring $BUILD for its compile_commands.json"
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  echo "$BUILD/compile_commands.json"
}

# The src/ translation units of the compile database, one a line.
src_units() {
  jq -r --arg src "$root/src/" '.[] | select(.file | startswith($src)) | .file' "$(compile_db)"
}

check_threads() {
  local db
  db="$(compile_db)"
  # g++'s command lines with clang++ as the compiler, no output and only the analysis' warnings:
  # every -W option is dropped (g++-only ones such as -Wno-tsan would be unknown to Clang, and the
  # others are g++'s job).
  jq -r --arg src "$root/src/" '.[] | select(.file | startswith($src))
      | "cd \(.directory | @sh) && \(.command)"' "$db" \
    | sed -E "s#&& \\S+#\\&\\& $CLANGXX#; s# -o \\S+##; s# -W\\S+##g; s# -c # #" \
    | sed -E "s#\$# -fsyntax-only ${CLANG_EXTRA[*]} ${THREAD_FLAGS[*]}#" >"$tmp/threads.cmds"
  local n
  n=$(wc -l <"$tmp/threads.cmds")
  # One script per unit, its output in a file of its own, printed whole afterwards.
  mkdir -p "$tmp/threads"
  awk -v dir="$tmp/threads" '{ print > (dir "/" NR ".sh") }' "$tmp/threads.cmds"
  printf '%s\0' "$tmp"/threads/*.sh | xargs -0 -P "$JOBS" -I{} \
    sh -c 'bash "$1" >"${1%.sh}.log" 2>&1 || : >"${1%.sh}.failed"' sh {}
  if compgen -G "$tmp/threads/*.failed" >/dev/null; then
    cat "$tmp"/threads/*.log >&2
    local warnings
    warnings=$(cat "$tmp"/threads/*.log | grep -E '(warning|error): ' | sort -u | wc -l)
    local units
    units=$(find "$tmp/threads" -name '*.failed' | wc -l)
    say "threads: $warnings distinct diagnostics in $units of $n units: hold the named mutex" \
      "(util::MutexLock), or annotate the function REQUIRES(mutex)"
    return 1
  fi
  say "threads: $n units ok"
}

check_tidy() {
  local db
  db="$(compile_db)"
  src_units >"$tmp/tidy.units"
  local n
  n=$(wc -l <"$tmp/tidy.units")
  mkdir -p "$tmp/tidy"
  # -Wno-unknown-warning-option: g++-only -W options in the compile lines.
  xargs -d '\n' -P "$JOBS" -I{} sh -c \
    '"$0" --quiet -p "$1" --extra-arg=-Wno-unknown-warning-option --extra-arg="$2" "$3" \
       >"$4/$(echo "$3" | tr / _).log" 2>/dev/null || true' \
    "$CLANG_TIDY" "$(dirname "$db")" "${CLANG_EXTRA[*]}" {} "$tmp/tidy" <"$tmp/tidy.units"
  # A header's findings show once per unit that includes it: each is counted once.
  cat "$tmp"/tidy/*.log | grep -E '^/.*:[0-9]+:[0-9]+: (warning|error): ' | sort -u \
    >"$tmp/tidy.findings" || true
  if [[ -s "$tmp/tidy.findings" ]]; then
    cat "$tmp"/tidy/*.log >&2
    say "tidy: $(wc -l <"$tmp/tidy.findings") findings in $n units; by check:"
    grep -oE '\[[^]]+\]$' "$tmp/tidy.findings" | sort | uniq -c | sort -rn | sed 's/^/  /' >&2
    say "tidy: fix them, or (a false positive) NOLINT(check) with the reason on that line"
    return 1
  fi
  say "tidy: $n units ok"
}

parts=("$@")
((${#parts[@]})) || parts=(format threads tidy)
start=$(date +%s%N)
for part in "${parts[@]}"; do
  case "$part" in
    format) timed format check_format ;;
    threads) timed threads check_threads ;;
    tidy) timed tidy check_tidy ;;
    *) say "unknown part '$part' (format, threads, tidy)"; exit 2 ;;
  esac
done
timings+=("total $(seconds_since "$start")")
joined="$(printf '%s, ' "${timings[@]}")"
say "times with JOBS=$JOBS: ${joined%, }"
if ((${#failed[@]})); then
  say "FAILED: ${failed[*]}"
  exit 1
fi
say "all checks passed"
