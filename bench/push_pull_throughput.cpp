// PUSH -> PULL throughput over TCP between two processes, cafmq next to libzmq (and raw TCP for
// large messages) in the same run. Prints each figure and the ratios.
//   bench_push_pull [--small-count N] [--large-count N] [--runs R] [--only cafmq|libzmq|raw]
//                   [--curve]
// --only runs one implementation (for profiling); ratios need all three. --curve encrypts both
// cafmq and libzmq (CURVE); raw TCP is then left out.
#include "bench_util.hpp"
#include "core_latency.hpp"
#include "peers.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct figure {
  double rate = 0;         // messages per second, the best run
  double cpu_per_msg = 0;  // CPU seconds per message, sender and receiver together, the least
};

// Runs the receiver in a child process and the sender here; returns messages per second and
// stores the CPU time both spent per message (set-up included: negligible at these counts).
double measure(bench::impl which, size_t size, size_t count, double& cpu_per_msg) {
  auto ep = bench::free_endpoint();
  double cpu = 0;
  double dt = bench::fork_and_measure([&] { return bench::receive(which, ep, size, count); },
                                      [&] { bench::send(which, ep, size, count); }, &cpu);
  if (!(dt > 0)) {
    std::fprintf(stderr, "%s: receiver failed\n", bench::name(which));
    return 0;
  }
  cpu_per_msg = cpu / static_cast<double>(count);
  return static_cast<double>(count - 1) / dt;
}

figure best_of(int runs, bench::impl which, size_t size, size_t count) {
  figure best;
  if (count < 2)
    return best;  // nothing to time: a count of 0 skips the figure
  for (int i = 0; i < runs; ++i) {
    double cpu = 0;
    best.rate = std::max(best.rate, measure(which, size, count, cpu));
    if (cpu > 0 && (best.cpu_per_msg == 0 || cpu < best.cpu_per_msg))
      best.cpu_per_msg = cpu;
  }
  return best;
}

double report(const char* label, size_t size, const figure& f) {
  std::printf("  %-8s %8zu B  %10.3f M msg/s  %9.1f MB/s  %8.0f ns CPU/msg\n", label, size,
              f.rate / 1e6, f.rate * static_cast<double>(size) / 1e6, f.cpu_per_msg * 1e9);
  return f.rate;
}

// The platform's mode, measured before and after the runs: a small message's figures are only
// comparable between runs made at the same core-to-core latency (docs/benchmarks.md).
void report_core_latency(double before, double after) {
  if (before < 0 || after < 0) {
    std::puts("core-to-core round trip (CPU 0 <-> 1): not measured (cannot pin to both)");
    return;
  }
  std::printf("core-to-core round trip (CPU 0 <-> 1): %.0f ns before the runs, %.0f ns after\n",
              before, after);
}

} // namespace

int main(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::puts("usage: bench_push_pull [--small-count N] [--large-count N] [--runs R] "
              "[--only cafmq|libzmq|raw] [--curve]");
    return 0;
  }
  size_t small_count = bench::size_arg(argc, argv, "--small-count", 10'000'000);
  size_t large_count = bench::size_arg(argc, argv, "--large-count", 50'000);
  int runs = static_cast<int>(bench::size_arg(argc, argv, "--runs", 3));
  std::string only = bench::text_arg(argc, argv, "--only", "");
  bool curve = bench::has_flag(argc, argv, "--curve");
  bench::use_curve(curve);
  auto wanted = [&](const char* n) {
    return (only.empty() || only == n) && !(curve && std::string(n) == "raw");
  };
  std::printf("PUSH/PULL throughput over TCP loopback%s, two processes, best of %d runs\n",
              curve ? " with CURVE" : "", runs);
  double trip_before = bench::core_round_trip_ns();

  const size_t big = 64 * 1024;
  figure zs, cs;  // 16 B: libzmq, cafmq
  double t64 = 0, z64 = 0, c64 = 0;
  if (wanted("libzmq"))
    report("libzmq", 16, zs = best_of(runs, bench::impl::libzmq, 16, small_count));
  if (wanted("cafmq"))
    report("cafmq", 16, cs = best_of(runs, bench::impl::cafmq, 16, small_count));
  if (wanted("raw"))
    t64 = report("raw tcp", big, best_of(runs, bench::impl::raw_tcp, big, large_count));
  if (wanted("libzmq"))
    z64 = report("libzmq", big, best_of(runs, bench::impl::libzmq, big, large_count));
  if (wanted("cafmq"))
    c64 = report("cafmq", big, best_of(runs, bench::impl::cafmq, big, large_count));
  double z16 = zs.rate, c16 = cs.rate;
  report_core_latency(trip_before, bench::core_round_trip_ns());
  if (!only.empty())
    return 0;
  if (curve) {
    std::printf("ratios (CURVE): 16 B cafmq/libzmq = %.2fx; 64 KiB cafmq/libzmq = %.2fx\n",
                z16 > 0 ? c16 / z16 : 0.0, z64 > 0 ? c64 / z64 : 0.0);
    return c16 > 0 && c64 > 0 ? 0 : 1;
  }
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::printf("ratios: 16 B cafmq/libzmq = %.2fx (CPU per message %.2fx less); 64 KiB "
              "cafmq/libzmq = %.2fx, cafmq/raw tcp = %.0f%%\n",
              ratio(c16, z16), ratio(zs.cpu_per_msg, cs.cpu_per_msg), ratio(c64, z64),
              100.0 * ratio(c64, t64));
  return (c16 > 0 || small_count < 2) && (c64 > 0 || large_count < 2) ? 0 : 1;
}
