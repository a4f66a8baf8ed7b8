// PUSH -> PULL throughput over TCP (or ipc) between two processes, cafmq next to libzmq (and raw
// TCP for large messages) in the same run. Prints each figure and the ratios.
//   bench_push_pull [--small-count N] [--large-count N] [--runs R] [--only cafmq|libzmq|raw]
//                   [--curve] [--ipc] [--sizes 16,256,4K,...] [--json]
// By default 16 B (cafmq, libzmq) and 64 KiB (and raw TCP). --sizes measures each size, with
// counts interpolated on a log scale between --small-count at 16 B and --large-count at 64 KiB;
// raw TCP from 1 KiB up (below, its one write per message only measures system calls).
// --only runs one implementation (for profiling); ratios need all three. --curve encrypts both
// cafmq and libzmq (CURVE); raw TCP is then left out. --ipc runs both over ipc:// (a Unix-domain
// socket in /tmp) instead of TCP loopback; raw TCP is left out too. --json prints one JSON object per figure
// on stdout and the usual report on stderr.
#include "bench_util.hpp"
#include "core_latency.hpp"
#include "json_line.hpp"
#include "peers.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

FILE* out = stdout;  // the human-readable report
bool over_ipc = false;  // --ipc: ipc:// endpoints instead of tcp://

// A fresh endpoint for one measurement.
std::string fresh_endpoint() {
  if (!over_ipc)
    return bench::free_endpoint();
  static int n = 0;
  return "ipc:///tmp/cafmq-bench-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

struct figure {
  double rate = 0;         // messages per second, the best run
  double cpu_per_msg = 0;  // CPU seconds per message, sender and receiver together, the least
};

// Runs the receiver in a child process and the sender here; returns messages per second and
// stores the CPU time both spent per message (set-up included: negligible at these counts).
double measure(bench::impl which, size_t size, size_t count, double& cpu_per_msg) {
  auto ep = fresh_endpoint();
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
  std::fprintf(out, "  %s, each round:", label);
  for (auto& rate : r.rates) {
    ratios.push_back(rate[ib] > 0 ? rate[ia] / rate[ib] : 0.0);
    std::fprintf(out, " %.2f", ratios.back());
  }
  std::sort(ratios.begin(), ratios.end());
  size_t n = ratios.size();
  double median = n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
  std::fprintf(out, " (median %.2f)\n", median);
}

double report(const char* label, size_t size, const figure& f) {
  std::fprintf(out, "  %-8s %8zu B  %10.3f M msg/s  %9.1f MB/s  %8.0f ns CPU/msg\n", label, size,
               f.rate / 1e6, f.rate * static_cast<double>(size) / 1e6, f.cpu_per_msg * 1e9);
  return f.rate;
}

// The platform's mode, measured before and after the runs: a small message's figures are only
// comparable between runs made at the same core-to-core latency (docs/benchmarks.md).
void report_core_latency(double before, double after) {
  if (before < 0 || after < 0) {
    std::fputs("core-to-core round trip (CPU 0 <-> 1): not measured (cannot pin to both)\n", out);
    return;
  }
  std::fprintf(out,
               "core-to-core round trip (CPU 0 <-> 1): %.0f ns before the runs, %.0f ns after\n",
               before, after);
}

// One size to measure: how many messages a run sends, and which implementations run.
struct plan {
  size_t size = 0;
  size_t count = 0;
  std::vector<bench::impl> impls;
};

constexpr size_t small_size = 16;
constexpr size_t large_size = 64 * 1024;
constexpr size_t raw_tcp_from = 1024;  // in a sweep: below, raw TCP measures system calls

// The count for `size` on the line through (16 B, small) and (64 KiB, large) in log-log scale,
// so that every size of a sweep takes about as long as those two.
size_t interpolated_count(size_t size, size_t small, size_t large) {
  double slope = std::log(static_cast<double>(large) / static_cast<double>(small))
                 / std::log(static_cast<double>(large_size) / static_cast<double>(small_size));
  double count = static_cast<double>(small)
                 * std::pow(static_cast<double>(size) / static_cast<double>(small_size), slope);
  return std::max<size_t>(2, static_cast<size_t>(std::llround(count)));
}

// By default 16 B (libzmq, cafmq) and 64 KiB (raw TCP too); with `sizes`, each of them (raw TCP
// from raw_tcp_from up).
std::vector<plan> make_plans(const std::vector<size_t>& sizes, size_t small_count,
                             size_t large_count, const std::vector<bench::impl>& wanted) {
  auto keep = [&](std::vector<bench::impl> impls) {
    impls.erase(std::remove_if(impls.begin(), impls.end(),
                               [&](bench::impl i) {
                                 return std::find(wanted.begin(), wanted.end(), i) == wanted.end();
                               }),
                impls.end());
    return impls;
  };
  using bench::impl;
  if (sizes.empty())
    return {{small_size, small_count, keep({impl::libzmq, impl::cafmq})},
            {large_size, large_count, keep({impl::raw_tcp, impl::libzmq, impl::cafmq})}};
  if (small_count < 2 || large_count < 2)
    throw std::invalid_argument("--sizes needs --small-count and --large-count of 2 or more");
  std::vector<plan> plans;
  plans.reserve(sizes.size());
  for (size_t size : sizes)
    plans.push_back({size, interpolated_count(size, small_count, large_count),
                     size >= raw_tcp_from ? keep({impl::raw_tcp, impl::libzmq, impl::cafmq})
                                          : keep({impl::libzmq, impl::cafmq})});
  return plans;
}

// One JSON line for implementation `i` of `r`: its best figures and each round's rate.
void print_json(const rounds& r, size_t i, const plan& p, int runs, bool curve) {
  std::vector<double> per_round;
  for (auto& rate : r.rates)
    per_round.push_back(rate[i]);
  const figure& f = r.best[i];
  bench::json_line("push_pull")
    .field("impl", bench::name(r.impls[i]))
    .field("curve", curve)
    .field("transport", over_ipc ? "ipc" : "tcp")
    .field("size", p.size)
    .field("count", p.count)
    .field("runs", runs)
    .field("msgs_per_s", f.rate)
    .field("mb_per_s", f.rate * static_cast<double>(p.size) / 1e6)
    .field("cpu_ns_per_msg", f.cpu_per_msg * 1e9)
    .field("round_msgs_per_s", per_round)
    .print();
}

// A sweep's ratios at one size, round by round.
void report_sweep_ratios(const rounds& r, size_t size) {
  std::string at = std::to_string(size) + " B ";
  same_round_ratios(r, bench::impl::cafmq, bench::impl::libzmq, (at + "cafmq/libzmq").c_str());
  same_round_ratios(r, bench::impl::cafmq, bench::impl::raw_tcp, (at + "cafmq/raw tcp").c_str());
}

} // namespace

int main(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::puts("usage: bench_push_pull [--small-count N] [--large-count N] [--runs R] "
              "[--only cafmq|libzmq|raw] [--curve] [--ipc] [--sizes 16,256,4K,...] [--json]");
    return 0;
  }
  size_t small_count = bench::size_arg(argc, argv, "--small-count", 10'000'000);
  size_t large_count = bench::size_arg(argc, argv, "--large-count", 50'000);
  int runs = static_cast<int>(bench::size_arg(argc, argv, "--runs", 3));
  std::string only = bench::text_arg(argc, argv, "--only", "");
  bool curve = bench::has_flag(argc, argv, "--curve");
  bool json = bench::has_flag(argc, argv, "--json");
  over_ipc = bench::has_flag(argc, argv, "--ipc");
  out = bench::human_output(json);
  bench::use_curve(curve);
  std::vector<bench::impl> wanted;
  for (auto which : {bench::impl::cafmq, bench::impl::libzmq, bench::impl::raw_tcp}) {
    std::string n = which == bench::impl::raw_tcp ? "raw" : bench::name(which);  // --only's name
    if ((only.empty() || only == n) && !((curve || over_ipc) && which == bench::impl::raw_tcp))
      wanted.push_back(which);
  }
  std::vector<plan> plans;
  try {
    if (!only.empty() && only != "cafmq" && only != "libzmq" && only != "raw")
      throw std::invalid_argument("--only: '" + only + "' is none of cafmq, libzmq, raw");
    plans = make_plans(bench::size_list_arg(argc, argv, "--sizes", {}), small_count, large_count,
                       wanted);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "bench_push_pull: %s\n", e.what());
    return 2;
  }
  std::fprintf(out, "PUSH/PULL throughput over %s%s, two processes, best of %d rounds "
                    "(each round runs every implementation once, in rotating order)\n",
               over_ipc ? "ipc (Unix-domain sockets)" : "TCP loopback", curve ? " with CURVE" : "",
               runs);
  double trip_before = bench::core_round_trip_ns();
  std::vector<rounds> results;
  for (const auto& p : plans) {
    results.push_back(run_rounds(runs, p.impls, p.size, p.count));
    const auto& r = results.back();
    for (size_t i = 0; i < r.impls.size(); ++i) {
      report(bench::name(r.impls[i]), p.size, r.best[i]);
      if (json && !r.rates.empty())
        print_json(r, i, p, runs, curve);
    }
    std::fflush(out);
  }
  double trip_after = bench::core_round_trip_ns();
  report_core_latency(trip_before, trip_after);
  if (json)
    bench::json_line("core_latency")
      .field("before_ns", trip_before)
      .field("after_ns", trip_after)
      .print();
  if (!only.empty())
    return 0;
  if (bench::has_flag(argc, argv, "--sizes")) {
    bool ok = true;
    for (size_t k = 0; k < plans.size(); ++k) {
      report_sweep_ratios(results[k], plans[k].size);
      ok = ok && best_of(results[k], bench::impl::cafmq).rate > 0;
    }
    return ok ? 0 : 1;
  }
  const auto& small = results[0];
  const auto& large = results[1];
  figure zs = best_of(small, bench::impl::libzmq), cs = best_of(small, bench::impl::cafmq);
  double z16 = zs.rate, c16 = cs.rate;
  double t64 = best_of(large, bench::impl::raw_tcp).rate;
  double z64 = best_of(large, bench::impl::libzmq).rate;
  double c64 = best_of(large, bench::impl::cafmq).rate;
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  if (curve || over_ipc) {
    std::fprintf(out, "ratios (%s), best of each: 16 B cafmq/libzmq = %.2fx; 64 KiB "
                      "cafmq/libzmq = %.2fx\n", curve ? "CURVE" : "ipc", ratio(c16, z16),
                 ratio(c64, z64));
    same_round_ratios(small, bench::impl::cafmq, bench::impl::libzmq, "16 B cafmq/libzmq");
    same_round_ratios(large, bench::impl::cafmq, bench::impl::libzmq, "64 KiB cafmq/libzmq");
    return c16 > 0 && c64 > 0 ? 0 : 1;
  }
  std::fprintf(out, "ratios, best of each: 16 B cafmq/libzmq = %.2fx (CPU per message %.2fx "
                    "less); 64 KiB cafmq/libzmq = %.2fx, cafmq/raw tcp = %.0f%%\n",
               ratio(c16, z16), ratio(zs.cpu_per_msg, cs.cpu_per_msg), ratio(c64, z64),
               100.0 * ratio(c64, t64));
  same_round_ratios(small, bench::impl::cafmq, bench::impl::libzmq, "16 B cafmq/libzmq");
  same_round_ratios(large, bench::impl::cafmq, bench::impl::raw_tcp, "64 KiB cafmq/raw tcp");
  return (c16 > 0 || small_count < 2) && (c64 > 0 || large_count < 2) ? 0 : 1;
}
