#!/usr/bin/env bash
# Builds the benchmarks in an optimized tree (build-bench/, Release) and runs them; arguments go to
# bench_push_pull (e.g. --runs 5 --small-count 5000000). Installs nothing: run
# scripts/install-deps.sh first on a fresh machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCAFMQ_BUILD_TESTS=OFF -DCAFMQ_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j"$(nproc)" --target bench_push_pull
exec build-bench/bench/bench_push_pull "$@"
