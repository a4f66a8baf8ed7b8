// PUB -> N SUB fan-out throughput over TCP loopback, cafmq next to libzmq in the same run. The
// subscribers live in a child process, one thread each; the publisher waits until all N have
// subscribed, then sends M messages. HWMs hold all M, so nothing is dropped and every subscriber
// must receive every message: the figure is deliveries (M x N) per second, from the first message
// received to the last, the best of R runs; libzmq's and cafmq's runs alternate.
//   bench_pub_sub [--subscribers 1,10,100] [--deliveries D] [--size B] [--runs R] [--json]
// --json prints one JSON object per figure on stdout and the usual report on stderr.
#include "bench_util.hpp"
#include "json_line.hpp"

#include "runtime/cafmq.hpp"

#include <zmq.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
constexpr auto patience = std::chrono::seconds(30);

void check(int rc, const char* what) {
  if (rc < 0)
    throw std::runtime_error(std::string(what) + ": " + zmq_strerror(zmq_errno()));
}

// When each subscriber thread got its first and its last message.
struct span {
  clock_type::time_point first, last;
  bool ok = false;
};

double deliveries_per_second(const std::vector<span>& spans, size_t per_sub) {
  auto first = spans[0].first, last = spans[0].last;
  for (auto& s : spans) {
    if (!s.ok)
      return -1;
    first = std::min(first, s.first);
    last = std::max(last, s.last);
  }
  double secs = std::chrono::duration<double>(last - first).count();
  return secs > 0 ? static_cast<double>(per_sub * spans.size()) / secs : -1;
}

double cafmq_subscribers(const std::string& ep, size_t n, size_t per_sub) {
  cafmq::context ctx;
  cafmq::socket_options o;
  o.rcvhwm = per_sub + 16;
  std::vector<std::unique_ptr<cafmq::socket>> subs;
  for (size_t i = 0; i < n; ++i) {
    subs.push_back(std::make_unique<cafmq::socket>(ctx, cafmq::socket_type::sub, o));
    subs.back()->subscribe("");
    subs.back()->connect(ep);
  }
  std::vector<span> spans(n);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      for (size_t k = 0; k < per_sub; ++k) {
        if (!subs[i]->recv(patience))
          return;
        (k == 0 ? spans[i].first : spans[i].last) = clock_type::now();
      }
      spans[i].ok = true;
    });
  for (auto& t : threads)
    t.join();
  return deliveries_per_second(spans, per_sub);
}

void cafmq_publisher(const std::string& ep, size_t n, size_t per_sub, size_t size) {
  cafmq::context ctx;
  cafmq::socket_options o;
  o.sndhwm = per_sub + 16;
  cafmq::socket pub{ctx, cafmq::socket_type::pub, o};
  pub.bind(ep);
  if (!pub.wait_subscribers(n, patience))
    throw std::runtime_error("cafmq PUB: subscribers did not all arrive");
  std::string payload(size, 'x');
  for (size_t k = 0; k < per_sub; ++k)
    pub.send(cafmq::message{cafmq::frame{payload.data(), payload.size()}});
  pub.close();
}

double zmq_subscribers(const std::string& ep, size_t n, size_t per_sub, size_t size) {
  void* ctx = zmq_ctx_new();
  int hwm = static_cast<int>(per_sub + 16);
  int timeout = static_cast<int>(std::chrono::milliseconds(patience).count());
  std::vector<void*> subs;
  for (size_t i = 0; i < n; ++i) {
    void* s = zmq_socket(ctx, ZMQ_SUB);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
    check(zmq_connect(s, ep.c_str()), "zmq_connect");
    subs.push_back(s);
  }
  std::vector<span> spans(n);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      std::vector<char> buf(size + 1);
      for (size_t k = 0; k < per_sub; ++k) {
        if (zmq_recv(subs[i], buf.data(), buf.size(), 0) < 0)
          return;
        (k == 0 ? spans[i].first : spans[i].last) = clock_type::now();
      }
      spans[i].ok = true;
    });
  for (auto& t : threads)
    t.join();
  for (auto* s : subs)
    zmq_close(s);
  zmq_ctx_term(ctx);
  return deliveries_per_second(spans, per_sub);
}

// An XPUB, so it can wait for the N subscriptions the way cafmq's wait_subscribers does; it
// distributes exactly like a PUB.
void zmq_publisher(const std::string& ep, size_t n, size_t per_sub, size_t size) {
  void* ctx = zmq_ctx_new();
  void* pub = zmq_socket(ctx, ZMQ_XPUB);
  int hwm = static_cast<int>(per_sub + 16);
  int verbose = 1;
  zmq_setsockopt(pub, ZMQ_SNDHWM, &hwm, sizeof hwm);
  zmq_setsockopt(pub, ZMQ_XPUB_VERBOSE, &verbose, sizeof verbose);
  check(zmq_bind(pub, ep.c_str()), "zmq_bind");
  char sub[16];
  for (size_t i = 0; i < n; ++i)
    check(zmq_recv(pub, sub, sizeof sub, 0), "zmq_recv subscription");
  std::string payload(size, 'x');
  for (size_t k = 0; k < per_sub; ++k)
    check(zmq_send(pub, payload.data(), payload.size(), 0), "zmq_send");
  zmq_close(pub);  // linger -1: everything queued is written first
  zmq_ctx_term(ctx);
}

// Deliveries per second of one run, 0 if the run failed.
double one_run(bool cafmq, size_t n, size_t per_sub, size_t size) {
  auto ep = bench::free_endpoint();
  double rate = bench::fork_and_measure(
    [&] {
      return cafmq ? cafmq_subscribers(ep, n, per_sub) : zmq_subscribers(ep, n, per_sub, size);
    },
    [&] {
      if (cafmq)
        cafmq_publisher(ep, n, per_sub, size);
      else
        zmq_publisher(ep, n, per_sub, size);
    });
  return rate > 0 ? rate : 0;
}

void print_json(const char* impl, size_t n, size_t per_sub, size_t size, int runs, double best,
                const std::vector<double>& each) {
  bench::json_line("pub_sub")
    .field("impl", impl)
    .field("subscribers", n)
    .field("messages", per_sub)
    .field("size", size)
    .field("runs", runs)
    .field("deliveries_per_s", best)
    .field("run_deliveries_per_s", each)
    .print();
}

} // namespace

int main(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::puts("usage: bench_pub_sub [--subscribers 1,10,100] [--deliveries D] [--size B] "
              "[--runs R] [--json]");
    return 0;
  }
  size_t deliveries = bench::size_arg(argc, argv, "--deliveries", 2'000'000);
  size_t size = bench::size_arg(argc, argv, "--size", 16);
  int runs = static_cast<int>(bench::size_arg(argc, argv, "--runs", 3));
  bool json = bench::has_flag(argc, argv, "--json");
  FILE* out = bench::human_output(json);
  std::vector<size_t> counts;
  try {
    counts = bench::size_list_arg(argc, argv, "--subscribers", {1, 10, 100});
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "bench_pub_sub: %s\n", e.what());
    return 2;
  }
  std::fprintf(out, "PUB -> N SUB fan-out over TCP loopback, two processes, %zu B, ~%zu "
                    "deliveries per run, best of %d runs\n", size, deliveries, runs);
  bool all_ok = true;
  for (size_t n : counts) {
    size_t per_sub = std::max<size_t>(1000, std::min<size_t>(500'000, deliveries / n));
    std::vector<double> z_each, c_each;
    for (int r = 0; r < runs; ++r) {  // alternately: both meet the same moments of a busy machine
      z_each.push_back(one_run(false, n, per_sub, size));
      c_each.push_back(one_run(true, n, per_sub, size));
    }
    double z = bench::best_run(z_each, false), c = bench::best_run(c_each, false);
    std::fprintf(out, "  N=%-4zu %7zu msgs  libzmq %8.3f M deliveries/s  cafmq %8.3f M "
                      "deliveries/s  ratio %.2fx\n", n, per_sub, z / 1e6, c / 1e6,
                 z > 0 ? c / z : 0.0);
    std::fflush(out);
    if (json) {
      print_json("libzmq", n, per_sub, size, runs, z, z_each);
      print_json("cafmq", n, per_sub, size, runs, c, c_each);
    }
    all_ok = all_ok && z > 0 && c > 0;
  }
  return all_ok ? 0 : 1;
}
