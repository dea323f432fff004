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
# A unit that passed `threads` or `tidy` is not checked again while its preprocessed text, compile
# line and the tool (version, flags, .clang-tidy) stay the same: an unchanged tree re-lints in
# about a minute (the preprocessing), here or in another clone on this machine.
#
# Environment: BUILD, the build folder whose compile_commands.json gives the compile flags
# (configured, not built, when it has none; default build); JOBS (default: nproc); LINT_CACHE,
# where passes are remembered (default ~/.cache/chatbot/lint; remove it to check everything).
# The tools are Debian 12's LLVM 14 (scripts/setup.sh --test installs them).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
BUILD="${BUILD:-build}"
JOBS="${JOBS:-$(nproc)}"
# Units that passed a check are remembered here (see lint_unit), so an unchanged tree is not
# checked again, in this clone or another one on the same machine.
LINT_CACHE="${LINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chatbot/lint}"
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
BUILD_DIR="$root/$BUILD"
[[ "$BUILD" == /* ]] && BUILD_DIR="$BUILD"
compile_db() {
  if [[ ! -f "$BUILD/compile_commands.json" ]]; then
    say "configuring $BUILD for its compile_commands.json"
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  echo "$BUILD_DIR/compile_commands.json"
}

# One file per src/ translation unit of the compile database, in $tmp/$1/, with its directory,
# compile line and source file as shell assignments (sourced by lint_unit).
unit_files() {
  mkdir -p "$tmp/$1"
  local n=0 entry
  while IFS= read -r entry; do
    n=$((n + 1))
    jq -r '"dir=\(.directory | @sh)\nfile=\(.file | @sh)\ncommand=\(.command | @sh)"' \
      <<<"$entry" >"$tmp/$1/$n.unit"
  done < <(jq -c --arg src "$root/src/" '.[] | select(.file | startswith($src))' "$(compile_db)")
}

# The cache key of a unit for one tool: the tool's identity, the compile line and the unit's
# preprocessed text, with the checkout's path replaced so that another clone of the same tree
# (CI's) gets the same key. Comments are kept (-C): NOLINT lives in them. Runs in the unit's
# directory.
unit_key() {
  local tool_id="$1" command="$2" preprocess
  preprocess="$(sed -E 's# -o \S+# -o -#; s# -c # -E -C #' <<<"$command")"
  { printf '%s\n%s\n' "$tool_id" "$command"; eval "$preprocess" 2>&1; } \
    | sed "s#$root#@ROOT@#g" | sha256sum | cut -d' ' -f1
}

# Checks one unit with part $1 (threads or tidy); its diagnostics go to <unit>.log and a failure
# leaves <unit>.failed. A unit that passed before with the same key (unit_key) is not checked
# again: passes are remembered in $LINT_CACHE, findings never are.
lint_unit() {
  local part="$1" unit="$2" dir file command tool_id key
  # shellcheck disable=SC1090
  source "$unit"
  cd "$dir"
  case "$part" in
    threads) tool_id="$($CLANGXX --version | head -1) ${CLANG_EXTRA[*]} ${THREAD_FLAGS[*]}" ;;
    tidy) tool_id="$($CLANG_TIDY --version | grep -m1 version) ${CLANG_EXTRA[*]} $(sha256sum <"$root/.clang-tidy")" ;;
  esac
  key="$(unit_key "$tool_id" "$command")"
  [[ -e "$LINT_CACHE/$part/$key" ]] && return 0
  local log="${unit%.unit}.log" passed=1
  if [[ "$part" == threads ]]; then
    # g++'s command line with clang++ as the compiler, no output and only the analysis'
    # warnings: every -W option is dropped (g++-only ones such as -Wno-tsan would be unknown to
    # Clang, and the others are g++'s job).
    local clang_command
    clang_command="$(sed -E "s#^\S+#$CLANGXX#; s# -o \S+##; s# -W\S+##g; s# -c # #" \
      <<<"$command") -fsyntax-only ${CLANG_EXTRA[*]} ${THREAD_FLAGS[*]}"
    eval "$clang_command" >"$log" 2>&1 || passed=0
  else
    # -Wno-unknown-warning-option: g++-only -W options in the compile lines.
    "$CLANG_TIDY" --quiet -p "$BUILD_DIR" --extra-arg=-Wno-unknown-warning-option \
      --extra-arg="${CLANG_EXTRA[*]}" "$file" >"$log" 2>/dev/null || passed=0
    grep -qE '^/.*:[0-9]+:[0-9]+: (warning|error): ' "$log" && passed=0
  fi
  if ((passed)); then
    mkdir -p "$LINT_CACHE/$part" && : >"$LINT_CACHE/$part/$key"
  else
    : >"${unit%.unit}.failed"
  fi
}

# Runs lint_unit for part $1 over every src/ unit, JOBS at a time; prints how many were checked
# (the others passed before, unchanged) to $tmp/$1.checked.
lint_units() {
  local part="$1"
  unit_files "$part"
  export -f lint_unit unit_key
  export root LINT_CACHE CLANGXX CLANG_TIDY BUILD_DIR
  export CLANG_EXTRA_S="${CLANG_EXTRA[*]}" THREAD_FLAGS_S="${THREAD_FLAGS[*]}"
  printf '%s\0' "$tmp/$part"/*.unit | xargs -0 -P "$JOBS" -I{} bash -c \
    'read -ra CLANG_EXTRA <<<"$CLANG_EXTRA_S"; read -ra THREAD_FLAGS <<<"$THREAD_FLAGS_S";
     lint_unit "$0" "$1"' "$part" {}
  find "$tmp/$part" -name '*.log' | wc -l >"$tmp/$part.checked"
}

unit_count() { find "$tmp/$1" -name '*.unit' | wc -l; }
cached_note() {
  local n checked
  n=$(unit_count "$1")
  checked=$(cat "$tmp/$1.checked")
  echo "$n units ($((n - checked)) unchanged since they last passed, not checked again)"
}

check_threads() {
  lint_units threads
  if compgen -G "$tmp/threads/*.failed" >/dev/null; then
    local failed_logs=()
    for f in "$tmp"/threads/*.failed; do failed_logs+=("${f%.failed}.log"); done
    cat "${failed_logs[@]}" >&2
    local warnings
    warnings=$(cat "${failed_logs[@]}" | grep -E '(warning|error): ' | sort -u | wc -l)
    say "threads: $warnings distinct diagnostics in ${#failed_logs[@]} of $(unit_count threads)" \
      "units: hold the named mutex (util::MutexLock), or annotate the function REQUIRES(mutex)"
    return 1
  fi
  say "threads: $(cached_note threads) ok"
}

check_tidy() {
  lint_units tidy
  # A header's findings show once per unit that includes it: each is counted once.
  cat "$tmp"/tidy/*.log 2>/dev/null | grep -E '^/.*:[0-9]+:[0-9]+: (warning|error): ' | sort -u \
    >"$tmp/tidy.findings" || true
  if compgen -G "$tmp/tidy/*.failed" >/dev/null; then
    for f in "$tmp"/tidy/*.failed; do cat "${f%.failed}.log"; done >&2
    say "tidy: $(wc -l <"$tmp/tidy.findings") findings in $(unit_count tidy) units; by check:"
    grep -oE '\[[^]]+\]$' "$tmp/tidy.findings" | sort | uniq -c | sort -rn | sed 's/^/  /' >&2
    say "tidy: fix them, or (a false positive) NOLINT(check) with the reason on that line"
    return 1
  fi
  say "tidy: $(cached_note tidy) ok"
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
