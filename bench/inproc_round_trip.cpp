// REQ <-> REP round trip over inproc:// between two threads of one process, cafmq next to
// libzmq in the same run (rounds alternate the two). Prints each round's mean round trip and
// the ratios.
//   bench_inproc_round_trip [--count N] [--runs R] [--size B]
// Defaults: 200 000 round trips of 16 B, 5 rounds.
#include "bench_util.hpp"

#include "runtime/cafmq.hpp"

#include <zmq.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

// Mean round trip in microseconds.
double cafmq_rtt(size_t size, size_t count) {
  cafmq::context ctx;
  cafmq::socket rep{ctx, cafmq::socket_type::rep};
  cafmq::socket req{ctx, cafmq::socket_type::req};
  rep.bind("inproc://bench");
  req.connect("inproc://bench");
  std::thread echo([&] {
    for (size_t i = 0; i < count; ++i)
      rep.send(*rep.recv());
  });
  std::string payload(size, 'x');
  auto start = clock_type::now();
  for (size_t i = 0; i < count; ++i) {
    req.send(cafmq::message{payload});
    req.recv();
  }
  double dt = std::chrono::duration<double, std::micro>(clock_type::now() - start).count();
  echo.join();
  return dt / static_cast<double>(count);
}

double libzmq_rtt(size_t size, size_t count) {
  void* ctx = zmq_ctx_new();
  void* rep = zmq_socket(ctx, ZMQ_REP);
  void* req = zmq_socket(ctx, ZMQ_REQ);
  if (zmq_bind(rep, "inproc://bench") != 0 || zmq_connect(req, "inproc://bench") != 0)
    throw std::runtime_error("libzmq inproc bind/connect failed");
  std::thread echo([&] {
    zmq_msg_t m;
    zmq_msg_init(&m);
    for (size_t i = 0; i < count; ++i) {
      zmq_msg_recv(&m, rep, 0);
      zmq_msg_send(&m, rep, 0);
    }
    zmq_msg_close(&m);
  });
  std::string payload(size, 'x');
  zmq_msg_t reply;
  zmq_msg_init(&reply);
  auto start = clock_type::now();
  for (size_t i = 0; i < count; ++i) {
    zmq_send(req, payload.data(), size, 0);
    zmq_msg_recv(&reply, req, 0);
  }
  double dt = std::chrono::duration<double, std::micro>(clock_type::now() - start).count();
  zmq_msg_close(&reply);
  echo.join();
  zmq_close(req);
  zmq_close(rep);
  zmq_ctx_term(ctx);
  return dt / static_cast<double>(count);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

} // namespace

static int run(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::puts("usage: bench_inproc_round_trip [--count N] [--runs R] [--size B]");
    return 0;
  }
  size_t count = bench::size_arg(argc, argv, "--count", 200000);
  size_t runs = bench::size_arg(argc, argv, "--runs", 5);
  size_t size = bench::size_arg(argc, argv, "--size", 16);
  if (count < 1 || runs < 1)
    throw std::invalid_argument("--count and --runs must be at least 1");
  std::printf("inproc REQ <-> REP round trip, %zu B, %zu round trips, %zu rounds\n", size, count, runs);
  std::vector<double> ours, theirs, ratios;
  for (size_t round = 0; round < runs; ++round) {
    double a = 0, b = 0;
    if (round % 2 == 0) {
      a = cafmq_rtt(size, count);
      b = libzmq_rtt(size, count);
    } else {
      b = libzmq_rtt(size, count);
      a = cafmq_rtt(size, count);
    }
    ours.push_back(a);
    theirs.push_back(b);
    ratios.push_back(a / b);
    std::printf("  round %zu: cafmq %7.2f us  libzmq %7.2f us  cafmq/libzmq %.2f\n", round + 1, a, b,
                a / b);
  }
  std::printf("  best: cafmq %.2f us, libzmq %.2f us; cafmq/libzmq median %.2f (goal <= 0.8)\n",
              *std::min_element(ours.begin(), ours.end()),
              *std::min_element(theirs.begin(), theirs.end()), median(ratios));
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", "bench_inproc_round_trip", e.what());
    return 2;
  }
}
