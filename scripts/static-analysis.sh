#!/usr/bin/env bash
# Static analysis of cafmq's own code (docs/security-testing.md, "Static analysis"): clang-tidy
# with the checked-in .clang-tidy, then cppcheck. Exits non-zero on any finding of either.
#
#   scripts/static-analysis.sh            # both (CI)
#   scripts/static-analysis.sh tidy       # clang-tidy only
#   scripts/static-analysis.sh cppcheck   # cppcheck only
#
# Scope: the translation units of runtime/, actors/, patterns/, net/, security/, tools/,
# examples/ and bench/, and the project headers they include. tests/ and fuzz/ are excluded: the
# tree is configured with CAFMQ_BUILD_TESTS=OFF and CAFMQ_FUZZ=OFF, so their sources are not in
# compile_commands.json (GoogleTest's macros and libFuzzer's entry points would only add noise).
# Configures build-tidy/ (compile_commands.json only, nothing is built; there are no generated
# headers). Installs nothing: clang-tidy and cppcheck come from `bash scripts/install-deps.sh`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

what=${1:-all}
case $what in
  all | tidy | cppcheck) ;;
  *)
    echo "usage: scripts/static-analysis.sh [all|tidy|cppcheck]  (got '$what')" >&2
    exit 2
    ;;
esac

# Debian 12 ships versioned names (clang-tidy-14, run-clang-tidy-14); prefer those.
# A unit clean once is not checked again until something it includes, its flags, .clang-tidy or
# clang-tidy changes (scripts/tidy_cache.py; the cache is shared by every clone on the machine).
find_tool() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}
missing=()
tidy=$(find_tool clang-tidy-14 clang-tidy) || missing+=(clang-tidy)
run_tidy=$(find_tool run-clang-tidy-14 run-clang-tidy) || missing+=("run-clang-tidy (clang-tidy)")
cppcheck=$(find_tool cppcheck) || missing+=(cppcheck)
command -v cmake >/dev/null || missing+=(cmake)
if [ ${#missing[@]} -gt 0 ]; then
  echo "static-analysis.sh: not found: ${missing[*]}; install with: bash scripts/install-deps.sh" >&2
  exit 2
fi

build=build-tidy
dirs='runtime|actors|patterns|net|security|tools|examples|bench'
start=$SECONDS
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DCAFMQ_BUILD_TESTS=OFF -DCAFMQ_BUILD_BENCH=ON -DCAFMQ_FUZZ=OFF -DCAFMQ_PURE_ONLY=OFF >/dev/null
db=$build/compile_commands.json
units=$(grep -cE "\"file\": \"$root/($dirs)/" "$db" || true)
status=0

if [ "$what" != cppcheck ]; then
  echo "static-analysis: clang-tidy ($("$tidy" --version | grep -o 'version [0-9.]*')) over $units translation units"
  log=$build/clang-tidy.log
  # run-clang-tidy always colours its output: strip that for the log. Its exit status is non-zero
  # when any clang-tidy run failed, which WarningsAsErrors makes every finding do.
  : >"$log"
  tidy_status=0
  # Units found clean before and unchanged since (scripts/tidy_cache.py) are not checked again.
  state=$build/tidy-cache-state.json
  mapfile -t changed < <(/usr/bin/python3 scripts/tidy_cache.py select "$db" "$root" \
    "^$root/($dirs)/" "^$root/($dirs)/" "$tidy" "$state")
  echo "static-analysis: $((units - ${#changed[@]})) unit(s) unchanged since a clean run, ${#changed[@]} to check"
  if [ ${#changed[@]} -gt 0 ]; then
    "$run_tidy" -clang-tidy-binary "$tidy" -p "$build" -j2 -quiet \
      -header-filter="^$root/($dirs)/" "${changed[@]}" 2>&1 \
      | sed 's/\x1b\[[0-9;]*m//g' >"$log" || tidy_status=$?
  fi
  # A header's finding repeats for every unit including it: list each one once.
  findings=$(grep -E '^/.*:[0-9]+:[0-9]+: (warning|error): .*\[[^]]+\]$' "$log" | sort -u || true)
  if [ "$tidy_status" -eq 0 ] && [ -z "$findings" ]; then
    /usr/bin/python3 scripts/tidy_cache.py commit "$state"
  fi
  if [ "$tidy_status" -ne 0 ] || [ -n "$findings" ]; then
    if [ -n "$findings" ]; then
      echo "$findings" | sed "s|^$root/||; s|,-warnings-as-errors\]$|]|"
      echo "static-analysis: clang-tidy: $(echo "$findings" | wc -l) finding(s); full output in $log" >&2
    else
      tail -n 30 "$log" >&2
      echo "static-analysis: clang-tidy failed (exit $tidy_status); full output in $log" >&2
    fi
    status=1
  else
    echo "static-analysis: clang-tidy clean ($((SECONDS - start)) s so far)"
  fi
fi

if [ "$what" != tidy ]; then
  echo "static-analysis: $("$cppcheck" --version)"
  mkdir -p "$build/cppcheck"
  # compile_commands.json holds only the directories above (no tests, no fuzz). Only -I$root and
  # $build/include (<cafmq/...>, a link to runtime/) are on its include path, so system, CAF and
  # Boost headers are not read; their diagnostics would be suppressed anyway.
  if ! "$cppcheck" --project="$db" --cppcheck-build-dir="$build/cppcheck" -j2 --quiet \
      --std=c++17 --enable=warning,performance,portability --inline-suppr --error-exitcode=1 \
      --suppress='*:/usr/*' --template='{file}:{line}: {severity}: {message} [{id}]'; then
    echo "static-analysis: cppcheck reported findings (above)" >&2
    status=1
  else
    echo "static-analysis: cppcheck clean"
  fi
fi

if [ $status -ne 0 ]; then
  echo "static-analysis: FAILED after $((SECONDS - start)) s (docs/security-testing.md says how to fix or suppress)" >&2
  exit 1
fi
echo "static-analysis: clean in $((SECONDS - start)) s"
