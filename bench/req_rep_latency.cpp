// REQ -> REP round-trip latency over TCP loopback between two processes, cafmq next to libzmq in
// the same run: the REP echoes each request, the REQ times `count` round trips after a warm-up.
// Each figure is the best of R runs; libzmq's and cafmq's runs alternate.
//   bench_req_rep [--count N] [--size B | --sizes 16,1K,...] [--runs R] [--json]
// --sizes measures each size in turn; --json prints one JSON object per figure on stdout and the
// usual report on stderr.
#include "bench_util.hpp"
#include "json_line.hpp"
#include "round_trip_peers.hpp"

#include "runtime/cafmq.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// The mean round trip of one run in microseconds, 0 if the run failed.
double one_run(bool cafmq, size_t size, size_t count) {
  auto ep = bench::free_endpoint();
  double us = 0;
  double ok = bench::fork_and_measure(
    [&] { return cafmq ? bench::cafmq_echo(ep, count) : bench::zmq_echo(ep, size, count); },
    [&] {
      us = cafmq ? bench::cafmq_round_trips(ep, size, count) : bench::zmq_round_trips(ep, size, count);
    });
  return ok > 0 && us > 0 ? us : 0;
}

void print_json(const char* impl, size_t size, size_t count, int runs, double best,
                const std::vector<double>& each) {
  bench::json_line("req_rep")
    .field("impl", impl)
    .field("size", size)
    .field("count", count)
    .field("runs", runs)
    .field("us_per_round_trip", best)
    .field("run_us", each)
    .print();
}

} // namespace

int main(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::puts("usage: bench_req_rep [--count N] [--size B | --sizes 16,1K,...] [--runs R] "
              "[--json]");
    return 0;
  }
  size_t count = bench::size_arg(argc, argv, "--count", 20000);
  size_t size = bench::size_arg(argc, argv, "--size", 16);
  int runs = static_cast<int>(bench::size_arg(argc, argv, "--runs", 3));
  bool json = bench::has_flag(argc, argv, "--json");
  FILE* out = bench::human_output(json);
  std::vector<size_t> sizes;
  try {
    sizes = bench::size_list_arg(argc, argv, "--sizes", {size});
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "bench_req_rep: %s\n", e.what());
    return 2;
  }
  bool all_ok = true;
  for (size_t s : sizes) {
    std::fprintf(out, "REQ/REP round trip over TCP loopback, two processes, %zu B, %zu round "
                      "trips, best of %d runs\n", s, count, runs);
    std::vector<double> z_each, c_each;
    for (int r = 0; r < runs; ++r) {  // alternately: both meet the same moments of a busy machine
      z_each.push_back(one_run(false, s, count));
      c_each.push_back(one_run(true, s, count));
    }
    double z = bench::best_run(z_each, true), c = bench::best_run(c_each, true);
    std::fprintf(out, "  libzmq  %8.1f us per round trip\n", z);
    std::fprintf(out, "  cafmq   %8.1f us per round trip\n", c);
    std::fprintf(out, "ratio: cafmq/libzmq round trip = %.2fx (lower is better)\n",
                 z > 0 ? c / z : 0.0);
    std::fflush(out);
    if (json) {
      print_json("libzmq", s, count, runs, z, z_each);
      print_json("cafmq", s, count, runs, c, c_each);
    }
    all_ok = all_ok && c > 0 && z > 0;
  }
  return all_ok ? 0 : 1;
}
