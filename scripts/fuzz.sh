#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, docs/security-testing.md) with clang in build-fuzz/ and
# runs each for SECONDS on a copy of its seed corpus: fuzz/corpus/ is never written.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET (default 60)] [TARGET...]
#   scripts/fuzz.sh 20                      # CI: every target, 20 s each, one per core
#   scripts/fuzz.sh 3600 curve_server zap   # longer runs of some targets
#
# Installs nothing: clang and libclang-rt-14-dev come from `bash scripts/install-deps.sh`.
# Exits non-zero if any target crashed, leaked, ran out of memory or time, or broke one of its
# invariants; the input that did it is kept in build-fuzz/runs/<target>/crashes/ and the command
# replaying it is printed. A run's log and grown corpus stay in build-fuzz/runs/<target>/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

seconds=${1:-60}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]  (got '$seconds')" >&2
  exit 2
fi
[ $# -gt 0 ] && shift

all_targets=()
for source in fuzz/fuzz_*.cpp; do
  name=$(basename "$source" .cpp)
  all_targets+=("${name#fuzz_}")
done
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  if [ ! -f "fuzz/fuzz_$t.cpp" ]; then
    echo "fuzz.sh: no target '$t' (have: ${all_targets[*]})" >&2
    exit 2
  fi
done

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ not found; install it with: bash scripts/install-deps.sh" >&2
  exit 2
fi

# The largest input worth generating, and the dictionary, per target.
max_len() {
  case $1 in
    greeting | endpoint) echo 128 ;;
    z85) echo 256 ;;
    frame_decoder) echo 4096 ;;
    curve_server | zcert) echo 2048 ;;
    *) echo 1024 ;;
  esac
}
dict() {
  case $1 in
    endpoint) echo "$root/fuzz/endpoint.dict" ;;
    zcert) echo "$root/fuzz/zcert.dict" ;;
    z85 | subscription | curve_message) echo "" ;;
    *) echo "$root/fuzz/zmtp.dict" ;;
  esac
}

cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCAFMQ_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j2 --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
# Runs target $1 and writes its line of the table (and, if it failed, what to look at) to
# runs/<target>/report; leaves runs/<target>/ok when it passed.
run_target() {
  local t=$1 dir=$root/build-fuzz/runs/$1
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/crashes"
  if [ -d "fuzz/corpus/$t" ]; then
    cp fuzz/corpus/"$t"/* "$dir/corpus/"
  fi
  local args=(-jobs=1 -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=10
              -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/crashes/")
  local d
  d=$(dict "$t")
  [ -n "$d" ] && args+=(-dict="$d")
  # fuzz_socket's sockets keep the default unlimited maxmsgsize, so a declared frame size is
  # allocated as libzmq would; libFuzzer's own per-malloc cap must not call that a crash (the
  # RSS limit still holds, and absurd sizes fail to allocate and drop the connection).
  [ "$t" = socket ] && args+=(-malloc_limit_mb=1048576)
  local status=0
  (cd "$dir" && "$root/build-fuzz/fuzz/fuzz_$t" "${args[@]}" corpus >parent.log 2>&1) || status=$?
  local log=$dir/fuzz-0.log
  [ -f "$log" ] || log=$dir/parent.log
  final_stat() { grep -m1 "^stat::$1:" "$log" | awk '{print $2}'; }
  local last cov ft corp crashes result
  last=$(grep -E '(DONE|pulse|NEW|REDUCE|INITED) +cov:' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  crashes=$(find "$dir/crashes" -type f | sort)
  if [ "$status" -eq 0 ] && [ -z "$crashes" ]; then
    result=ok
    touch "$dir/ok"
  else
    result="FAILED (exit $status)"
  fi
  {
    printf '%-16s %10s %9s %6s %7s %8s  %s\n' "$t" "$(final_stat number_of_executed_units)" \
      "$(final_stat average_exec_per_sec)" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
    if [ "$result" != ok ]; then
      grep -m8 -E 'ERROR:|SUMMARY:|fuzz invariant failed|runtime error|Test unit written' "$log" \
        | sed 's/^/    /' || true
      for c in $crashes; do
        echo "    crash input: $c"
        echo "    replay:      build-fuzz/fuzz/fuzz_$t $c"
      done
      echo "    log:         $log"
    fi
  } >"$dir/report"
}

# One target per core at a time (each fuzzer is single-threaded); the table is printed in order.
parallel=$(nproc)
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do
    wait -n || true
  done
  run_target "$t" &
done
wait
failed=()
printf '%-16s %10s %9s %6s %7s %8s  %s\n' target runs exec/s cov ft corpus result
for t in "${targets[@]}"; do
  cat "$root/build-fuzz/runs/$t/report" 2>/dev/null || echo "$t: no report"
  [ -f "$root/build-fuzz/runs/$t/ok" ] || failed+=("$t")
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets, ${seconds} s each: no crash"
