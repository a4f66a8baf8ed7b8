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

// One size, all wanted implementations measured in rounds: each round runs every one once, in
// an order that rotates between rounds, so that the figures compared in one round come from
// the same second or two (this VM changes speed at run time; see docs/benchmarks.md).
struct rounds {
  std::vector<bench::impl> impls;
  std::vector<figure> best;                // per implementation: best rate, least CPU
  std::vector<std::vector<double>> rates;  // per round, per implementation
};

rounds run_rounds(int runs, const std::vector<bench::impl>& impls, size_t size, size_t count) {
  rounds r{impls, std::vector<figure>(impls.size()), {}};
  if (count < 2 || impls.empty())
    return r;  // nothing to time: a count of 0 skips the size
  for (int round = 0; round < runs; ++round) {
    std::vector<double> rate(impls.size());
    for (size_t k = 0; k < impls.size(); ++k) {
      size_t i = (k + static_cast<size_t>(round)) % impls.size();
      double cpu = 0;
      rate[i] = measure(impls[i], size, count, cpu);
      auto& b = r.best[i];
      b.rate = std::max(b.rate, rate[i]);
      if (cpu > 0 && (b.cpu_per_msg == 0 || cpu < b.cpu_per_msg))
        b.cpu_per_msg = cpu;
    }
    r.rates.push_back(std::move(rate));
  }
  return r;
}

size_t index_of(const rounds& r, bench::impl which) {  // r.impls.size() if not measured
  return static_cast<size_t>(std::find(r.impls.begin(), r.impls.end(), which) - r.impls.begin());
}

figure best_of(const rounds& r, bench::impl which) {
  size_t i = index_of(r, which);
  return i < r.best.size() ? r.best[i] : figure{};
}

// Prints the ratio a/b of each round and their median: ratios of figures measured back to back.
void same_round_ratios(const rounds& r, bench::impl a, bench::impl b, const char* label) {
  size_t ia = index_of(r, a), ib = index_of(r, b);
  if (ia == r.impls.size() || ib == r.impls.size() || r.rates.empty())
    return;
  std::vector<double> ratios;
  std::printf("  %s, each round:", label);
  for (auto& rate : r.rates) {
    ratios.push_back(rate[ib] > 0 ? rate[ia] / rate[ib] : 0.0);
    std::printf(" %.2f", ratios.back());
  }
  std::sort(ratios.begin(), ratios.end());
  size_t n = ratios.size();
  double median = n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
  std::printf(" (median %.2f)\n", median);
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
  auto wanted = [&](bench::impl which) {  // --only names raw TCP "raw"
    std::string n = which == bench::impl::raw_tcp ? "raw" : bench::name(which);
    return (only.empty() || only == n) && !(curve && which == bench::impl::raw_tcp);
  };
  std::printf("PUSH/PULL throughput over TCP loopback%s, two processes, best of %d rounds "
              "(each round runs every implementation once, in rotating order)\n",
              curve ? " with CURVE" : "", runs);
  double trip_before = bench::core_round_trip_ns();

  const size_t big = 64 * 1024;
  std::vector<bench::impl> small_impls, big_impls;
  for (auto which : {bench::impl::libzmq, bench::impl::cafmq}) {
    if (wanted(which))
      small_impls.push_back(which);
  }
  for (auto which : {bench::impl::raw_tcp, bench::impl::libzmq, bench::impl::cafmq}) {
    if (wanted(which))
      big_impls.push_back(which);
  }
  auto small = run_rounds(runs, small_impls, 16, small_count);
  figure zs = best_of(small, bench::impl::libzmq), cs = best_of(small, bench::impl::cafmq);
  for (auto which : small_impls)
    report(bench::name(which), 16, best_of(small, which));
  auto large = run_rounds(runs, big_impls, big, large_count);
  double t64 = best_of(large, bench::impl::raw_tcp).rate;
  double z64 = best_of(large, bench::impl::libzmq).rate;
  double c64 = best_of(large, bench::impl::cafmq).rate;
  for (auto which : big_impls)
    report(bench::name(which), big, best_of(large, which));
  double z16 = zs.rate, c16 = cs.rate;
  report_core_latency(trip_before, bench::core_round_trip_ns());
  if (!only.empty())
    return 0;
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  if (curve) {
    std::printf("ratios (CURVE), best of each: 16 B cafmq/libzmq = %.2fx; 64 KiB cafmq/libzmq = "
                "%.2fx\n", ratio(c16, z16), ratio(c64, z64));
    same_round_ratios(small, bench::impl::cafmq, bench::impl::libzmq, "16 B cafmq/libzmq");
    same_round_ratios(large, bench::impl::cafmq, bench::impl::libzmq, "64 KiB cafmq/libzmq");
    return c16 > 0 && c64 > 0 ? 0 : 1;
  }
  std::printf("ratios, best of each: 16 B cafmq/libzmq = %.2fx (CPU per message %.2fx less); "
              "64 KiB cafmq/libzmq = %.2fx, cafmq/raw tcp = %.0f%%\n",
              ratio(c16, z16), ratio(zs.cpu_per_msg, cs.cpu_per_msg), ratio(c64, z64),
              100.0 * ratio(c64, t64));
  same_round_ratios(small, bench::impl::cafmq, bench::impl::libzmq, "16 B cafmq/libzmq");
  same_round_ratios(large, bench::impl::cafmq, bench::impl::raw_tcp, "64 KiB cafmq/raw tcp");
  return (c16 > 0 || small_count < 2) && (c64 > 0 || large_count < 2) ? 0 : 1;
}
