// PUSH -> PULL throughput over inproc:// between two threads of one process, cafmq next to
// libzmq in the same run (rounds alternate the two). Prints each round's figures and the ratios.
//   bench_inproc_throughput [--count N] [--runs R] [--size B]
// Defaults: 5 000 000 messages of 16 B, 5 rounds.
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

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// Messages per second: the receiver's time from its first message to its last.
double cafmq_rate(size_t size, size_t count) {
  cafmq::context ctx;
  cafmq::socket pull{ctx, cafmq::socket_type::pull};
  cafmq::socket push{ctx, cafmq::socket_type::push};
  pull.bind("inproc://bench");
  push.connect("inproc://bench");
  std::string payload(size, 'x');
  std::thread sender([&] {
    for (size_t i = 0; i < count; ++i)
      push.send(cafmq::message{payload});
  });
  pull.recv();
  auto start = clock_type::now();
  for (size_t i = 1; i < count; ++i)
    pull.recv();
  double dt = seconds_since(start);
  sender.join();
  return static_cast<double>(count - 1) / dt;
}

double libzmq_rate(size_t size, size_t count) {
  void* ctx = zmq_ctx_new();
  void* pull = zmq_socket(ctx, ZMQ_PULL);
  void* push = zmq_socket(ctx, ZMQ_PUSH);
  if (zmq_bind(pull, "inproc://bench") != 0 || zmq_connect(push, "inproc://bench") != 0)
    throw std::runtime_error("libzmq inproc bind/connect failed");
  std::string payload(size, 'x');
  std::thread sender([&] {
    for (size_t i = 0; i < count; ++i)
      zmq_send(push, payload.data(), size, 0);
  });
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  zmq_msg_recv(&msg, pull, 0);
  auto start = clock_type::now();
  for (size_t i = 1; i < count; ++i)
    zmq_msg_recv(&msg, pull, 0);
  double dt = seconds_since(start);
  zmq_msg_close(&msg);
  sender.join();
  zmq_close(push);
  zmq_close(pull);
  zmq_ctx_term(ctx);
  return static_cast<double>(count - 1) / dt;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

} // namespace

static int run(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::puts("usage: bench_inproc_throughput [--count N] [--runs R] [--size B]");
    return 0;
  }
  size_t count = bench::size_arg(argc, argv, "--count", 5000000);
  size_t runs = bench::size_arg(argc, argv, "--runs", 5);
  size_t size = bench::size_arg(argc, argv, "--size", 16);
  if (count < 2 || runs < 1)
    throw std::invalid_argument("--count must be at least 2 and --runs at least 1");
  std::printf("inproc PUSH -> PULL throughput, %zu B, %zu messages, %zu rounds\n", size, count, runs);
  std::vector<double> ours, theirs, ratios;
  for (size_t round = 0; round < runs; ++round) {
    double a = 0, b = 0;
    if (round % 2 == 0) {
      a = cafmq_rate(size, count);
      b = libzmq_rate(size, count);
    } else {
      b = libzmq_rate(size, count);
      a = cafmq_rate(size, count);
    }
    ours.push_back(a);
    theirs.push_back(b);
    ratios.push_back(a / b);
    std::printf("  round %zu: cafmq %8.3f M msg/s  libzmq %8.3f M msg/s  cafmq/libzmq %.2f\n",
                round + 1, a / 1e6, b / 1e6, a / b);
  }
  std::printf("  best: cafmq %.3f M msg/s, libzmq %.3f M msg/s; cafmq/libzmq median %.2f (goal >= 2)\n",
              *std::max_element(ours.begin(), ours.end()) / 1e6,
              *std::max_element(theirs.begin(), theirs.end()) / 1e6, median(ratios));
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", "bench_inproc_throughput", e.what());
    return 2;
  }
}
