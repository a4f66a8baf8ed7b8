#!/usr/bin/env bash
# Builds the benchmarks in an optimized tree (build-bench/, Release) and runs one of them:
#   bench/run.sh [push_pull|req_rep|pub_sub|all|actor_throughput|actor_round_trip|asio_round_trip|
#                 inproc_throughput|inproc_round_trip|ipc_throughput|proxy_throughput|
#                 mdp_round_trip|rss_per_connection] [arguments]
# push_pull (the default) takes e.g. --runs 5 --small-count 5000000; see each one's --help.
# bench/report.py runs them all with --json and draws docs/performance.md.
# Installs nothing: run scripts/install-deps.sh first on a fresh machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

which=push_pull
case "${1:-}" in
  push_pull|req_rep|pub_sub|all) which=$1; shift ;;
  actor_throughput|actor_round_trip) which=$1; shift ;;  # the actor face (docs/actors.md)
  asio_round_trip) which=$1; shift ;;  # the Asio face (docs/async.md)
  inproc_throughput|inproc_round_trip) which=$1; shift ;;  # inproc:// (docs/transports.md)
  ipc_throughput) which=push_pull; shift; set -- --ipc "$@" ;;  # push_pull over ipc://
  proxy_throughput) which=$1; shift ;;  # cafmq::proxy vs zmq_proxy (docs/proxy.md)
  mdp_round_trip) which=$1; shift ;;  # the Majordomo broker (docs/majordomo.md)
  rss_per_connection) which=$1; shift ;;  # memory per idle connection (docs/reliability.md)
esac
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCAFMQ_BUILD_TESTS=OFF -DCAFMQ_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j"$(nproc)" --target bench_push_pull bench_req_rep bench_pub_sub \
  bench_actor_throughput bench_actor_round_trip bench_asio_round_trip \
  bench_inproc_throughput bench_inproc_round_trip bench_proxy_throughput bench_mdp_round_trip \
  bench_rss_per_connection >&2  # stdout: figures only
if [ "$which" = all ]; then
  for b in push_pull req_rep pub_sub asio_round_trip; do build-bench/bench/bench_$b "$@"; done
else
  exec "build-bench/bench/bench_$which" "$@"
fi
