// REQ -> REP round-trip latency over TCP loopback between two processes, cafmq next to libzmq in
// the same run: the REP echoes each request, the REQ times `count` round trips after a warm-up.
// Each figure is the best of R runs; libzmq's and cafmq's runs alternate.
//   bench_req_rep [--count N] [--size B | --sizes 16,1K,...] [--runs R] [--json]
// --sizes measures each size in turn; --json prints one JSON object per figure on stdout and the
// usual report on stderr.
#include "bench_util.hpp"
#include "json_line.hpp"

#include "runtime/cafmq.hpp"

#include <zmq.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
constexpr size_t warm_up = 1000;

double cafmq_echo(const std::string& ep, size_t count) {
  cafmq::context ctx;
  cafmq::socket rep{ctx, cafmq::socket_type::rep};
  rep.bind(ep);
  for (size_t i = 0; i < count + warm_up; ++i) {
    auto m = rep.recv(std::chrono::seconds(30));
    if (!m)
      throw std::runtime_error("cafmq REP: no request");
    rep.send(std::move(*m));
  }
  rep.close();
  return 1;
}

// Microseconds per round trip.
double cafmq_rounds(const std::string& ep, size_t size, size_t count) {
  cafmq::context ctx;
  cafmq::socket req{ctx, cafmq::socket_type::req};
  req.connect(ep);
  std::string payload(size, 'x');
  clock_type::time_point t0;
  for (size_t i = 0; i < count + warm_up; ++i) {
    if (i == warm_up)
      t0 = clock_type::now();
    req.send(cafmq::message{cafmq::frame{payload.data(), payload.size()}});
    if (!req.recv(std::chrono::seconds(30)))
      throw std::runtime_error("cafmq REQ: no reply");
  }
  return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count()
         / static_cast<double>(count);
}

void check(int rc, const char* what) {
  if (rc < 0)
    throw std::runtime_error(std::string(what) + ": " + zmq_strerror(zmq_errno()));
}

double zmq_echo(const std::string& ep, size_t size, size_t count) {
  void* ctx = zmq_ctx_new();
  void* rep = zmq_socket(ctx, ZMQ_REP);
  check(zmq_bind(rep, ep.c_str()), "zmq_bind");
  std::vector<char> buf(size + 1);
  for (size_t i = 0; i < count + warm_up; ++i) {
    int n = zmq_recv(rep, buf.data(), buf.size(), 0);
    check(n, "zmq_recv");
    check(zmq_send(rep, buf.data(), static_cast<size_t>(n), 0), "zmq_send");
  }
  zmq_close(rep);
  zmq_ctx_term(ctx);
  return 1;
}

double zmq_rounds(const std::string& ep, size_t size, size_t count) {
  void* ctx = zmq_ctx_new();
  void* req = zmq_socket(ctx, ZMQ_REQ);
  check(zmq_connect(req, ep.c_str()), "zmq_connect");
  std::vector<char> payload(size, 'x'), buf(size + 1);
  clock_type::time_point t0;
  for (size_t i = 0; i < count + warm_up; ++i) {
    if (i == warm_up)
      t0 = clock_type::now();
    check(zmq_send(req, payload.data(), payload.size(), 0), "zmq_send");
    check(zmq_recv(req, buf.data(), buf.size(), 0), "zmq_recv");
  }
  double us = std::chrono::duration<double, std::micro>(clock_type::now() - t0).count()
              / static_cast<double>(count);
  int linger = 0;
  zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
  zmq_close(req);
  zmq_ctx_term(ctx);
  return us;
}

// The mean round trip of one run in microseconds, 0 if the run failed.
double one_run(bool cafmq, size_t size, size_t count) {
  auto ep = bench::free_endpoint();
  double us = 0;
  double ok = bench::fork_and_measure(
    [&] { return cafmq ? cafmq_echo(ep, count) : zmq_echo(ep, size, count); },
    [&] { us = cafmq ? cafmq_rounds(ep, size, count) : zmq_rounds(ep, size, count); });
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
