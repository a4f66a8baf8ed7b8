#!/usr/bin/env bash
# Installs cafmq into a temporary prefix and builds a program against it the two ways users do:
# find_package(cafmq) + cafmq::cafmq, and a plain g++ line with `pkg-config --cflags --libs`.
# Each program does a PUSH/PULL round trip over TCP loopback and checks that the headers and the
# library agree on the version. Also checks the installed files: every public header compiles
# alone, the shared library has its SONAME, no internal header or archive is installed.
#
#   scripts/test-install.sh           # shared libcafmq (the default build)
#   scripts/test-install.sh static    # static libcafmq (CAFMQ_SHARED=OFF; pkg-config --static)
#
# Builds the library alone in build-install/ (build-install-static/), tools, tests, examples and
# benchmarks off. Exits non-zero on any failure; the last line says PASS or FAIL.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

mode=${1:-shared}
case $mode in
  shared) shared=ON build=build-install ;;
  static) shared=OFF build=build-install-static ;;
  *)
    echo "usage: scripts/test-install.sh [shared|static]  (got '$mode')" >&2
    exit 2
    ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
step() { echo "test-install: $*"; }
fail() {
  echo "test-install ($mode): FAIL: $*" >&2
  exit 1
}

step "building the library alone ($mode) in $build/"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAFMQ_SHARED=$shared \
  -DCAFMQ_BUILD_TESTS=OFF -DCAFMQ_BUILD_TOOLS=OFF -DCAFMQ_BUILD_EXAMPLES=OFF \
  -DCAFMQ_BUILD_BENCH=OFF >/dev/null || fail "configure"
cmake --build "$build" -j"$(nproc)" >/dev/null || fail "build (rerun: cmake --build $build)"
cmake --install "$build" --prefix "$prefix" >/dev/null || fail "cmake --install"

step "checking the installed files"
pc=$(find "$prefix" -name cafmq.pc -path '*/pkgconfig/*')
[ -n "$pc" ] || fail "no cafmq.pc installed"
libdir=$(dirname "$(dirname "$pc")")
[ -f "$prefix/include/cafmq/cafmq.hpp" ] || fail "no include/cafmq/cafmq.hpp"
[ -f "$libdir/cmake/cafmq/cafmqConfig.cmake" ] || fail "no cmake/cafmq/cafmqConfig.cmake"
if [ "$shared" = ON ]; then
  soname=$(objdump -p "$libdir/libcafmq.so" | awk '$1 == "SONAME" { print $2 }')
  [[ $soname == libcafmq.so.* ]] || fail "libcafmq.so has SONAME '$soname'"
  [ -f "$libdir/$soname" ] || fail "$soname (the SONAME) is not installed"
  [ ! -e "$libdir/libcafmq.a" ] || fail "a static libcafmq.a next to the shared one"
else
  [ -f "$libdir/libcafmq.a" ] || fail "no libcafmq.a"
fi
extra=$(find "$prefix" -name '*.a' ! -name libcafmq.a; find "$prefix/include" -path '*/net/*' -o \
  -path '*/actors/*' -o -path '*/patterns/*' -o -path '*/security/*')
[ -z "$extra" ] || fail "internal files installed: $extra"
headers=$(cd "$prefix/include" && find cafmq -name '*.hpp' | sort)
for h in $headers; do
  echo "#include <$h>" | g++ -std=c++17 -fsyntax-only -Wall -Wextra -Wpedantic -Werror \
    -I"$prefix/include" -x c++ - || fail "installed header $h does not compile alone"
done
step "$(echo "$headers" | wc -l) installed headers compile alone"

run_consumer() {  # name, program, environment...
  local name=$1 program=$2 out
  shift 2
  out=$(env "$@" timeout 60 "$program") || fail "$name consumer: exit status $? ($out)"
  echo "$out"
  [[ $out == "consumer: OK"* ]] || fail "$name consumer printed '$out'"
}

step "find_package(cafmq) consumer"
consumer=$root/tests/install/consumer
cmake -S "$consumer" -B "$work/cmake-consumer" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work/cmake.log" 2>&1 || {
  cat "$work/cmake.log"
  fail "find_package consumer: configure"
}
cmake --build "$work/cmake-consumer" >"$work/cmake.log" 2>&1 || {
  cat "$work/cmake.log"
  fail "find_package consumer: build"
}
run_consumer find_package "$work/cmake-consumer/consumer"  # CMake's build RPATH finds the library

step "pkg-config consumer"
export PKG_CONFIG_PATH=$libdir/pkgconfig
static_flag=()
[ "$shared" = ON ] || static_flag=(--static)
flags=$(pkg-config "${static_flag[@]}" --cflags --libs cafmq) || fail "pkg-config cafmq"
echo "  g++ -std=c++17 main.cpp $flags"
# shellcheck disable=SC2086 # the flags are words
g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror "$consumer/main.cpp" -o "$work/pc-consumer" \
  $flags || fail "pkg-config consumer: build"
run_consumer pkg-config "$work/pc-consumer" LD_LIBRARY_PATH="$libdir"

echo "test-install ($mode): PASS"
