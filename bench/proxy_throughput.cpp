// Throughput through a ROUTER<->DEALER proxy with 4 workers: cafmq::proxy next to libzmq's
// zmq_proxy_steerable, same topology, same peers (libzmq DEALER client and workers in a child
// process), same run; prints each figure and the ratio.
//   bench_proxy_throughput [--count N] [--size BYTES] [--window W] [--runs R]
// The client keeps W requests in flight (below the ROUTER's HWM, so no reply is dropped); each
// worker returns the request as it came. The figure is round trips per second through the proxy.
#include "bench_util.hpp"

#include "runtime/cafmq.hpp"

#include <zmq.h>

#include <chrono>
#include <functional>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int workers = 4;

// A worker: a libzmq DEALER on the backend returning each [client id, body] as it came.
void worker(void* zctx, const std::string& backend) {
  void* s = zmq_socket(zctx, ZMQ_DEALER);
  int linger = 0;
  zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
  zmq_connect(s, backend.c_str());
  for (;;) {
    zmq_msg_t parts[2];
    int n = 0;
    int more = 1;
    while (more && n < 2) {
      zmq_msg_init(&parts[n]);
      if (zmq_msg_recv(&parts[n], s, 0) < 0) {
        zmq_msg_close(&parts[n]);
        for (int i = 0; i < n; ++i)
          zmq_msg_close(&parts[i]);
        zmq_close(s);
        return;  // the context is terminated: the run is over
      }
      more = zmq_msg_more(&parts[n]);
      ++n;
    }
    for (int i = 0; i < n; ++i)
      zmq_msg_send(&parts[i], s, i + 1 < n ? ZMQ_SNDMORE : 0);
  }
}

// The client and the workers (libzmq), in the child: returns round trips per second.
double run_peers(const std::string& frontend, const std::string& backend, size_t count, size_t size,
                 size_t window) {
  void* zctx = zmq_ctx_new();
  std::vector<std::thread> pool;
  pool.reserve(workers);
  for (int i = 0; i < workers; ++i)
    pool.emplace_back(worker, zctx, backend);
  void* client = zmq_socket(zctx, ZMQ_DEALER);
  int linger = 0;
  zmq_setsockopt(client, ZMQ_LINGER, &linger, sizeof linger);
  int patience_ms = 10000;  // a lost reply fails the run instead of hanging the bench
  zmq_setsockopt(client, ZMQ_RCVTIMEO, &patience_ms, sizeof patience_ms);
  zmq_connect(client, frontend.c_str());
  std::vector<char> body(size, 'x');
  std::vector<char> in(size + 16);
  // A first round trip: every connection is up before the clock starts.
  zmq_send(client, body.data(), body.size(), 0);
  zmq_recv(client, in.data(), in.size(), 0);
  auto start = std::chrono::steady_clock::now();
  size_t sent = 0, received = 0;
  while (received < count) {
    while (sent < count && sent - received < window) {
      zmq_send(client, body.data(), body.size(), 0);
      ++sent;
    }
    if (zmq_recv(client, in.data(), in.size(), 0) < 0)
      break;
    ++received;
  }
  double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  zmq_close(client);
  zmq_ctx_shutdown(zctx);
  for (auto& t : pool)
    t.join();
  zmq_ctx_term(zctx);
  return received == count ? static_cast<double>(count) / dt : 0;
}

// cafmq's proxy, here, until the child is done.
void run_cafmq_proxy(const std::string& frontend, const std::string& backend,
                     const std::function<double()>& peers, double& rate) {
  cafmq::context ctx;
  cafmq::socket_options o;
  o.linger_ms = 0;
  cafmq::socket front{ctx, cafmq::socket_type::router, o};
  cafmq::socket back{ctx, cafmq::socket_type::dealer, o};
  cafmq::socket control{ctx, cafmq::socket_type::pair, o};
  cafmq::socket steer{ctx, cafmq::socket_type::pair, o};
  front.bind(frontend);
  back.bind(backend);
  control.bind("inproc://bench-proxy-control");
  steer.connect("inproc://bench-proxy-control");
  std::thread loop([&] { cafmq::proxy(front, back, nullptr, &control); });
  rate = bench::fork_and_measure(peers, [] {});
  steer.send(cafmq::message{"TERMINATE"});
  loop.join();
}

// libzmq's zmq_proxy_steerable, here, until the child is done.
void run_libzmq_proxy(const std::string& frontend, const std::string& backend,
                      const std::function<double()>& peers, double& rate) {
  void* zctx = zmq_ctx_new();
  void* front = zmq_socket(zctx, ZMQ_ROUTER);
  void* back = zmq_socket(zctx, ZMQ_DEALER);
  void* control = zmq_socket(zctx, ZMQ_PAIR);
  void* steer = zmq_socket(zctx, ZMQ_PAIR);
  int linger = 0;
  for (void* s : {front, back, control, steer})
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
  zmq_bind(front, frontend.c_str());
  zmq_bind(back, backend.c_str());
  zmq_bind(control, "inproc://bench-proxy-control");
  zmq_connect(steer, "inproc://bench-proxy-control");
  std::thread loop([&] { zmq_proxy_steerable(front, back, nullptr, control); });
  rate = bench::fork_and_measure(peers, [] {});
  zmq_send(steer, "TERMINATE", 9, 0);
  loop.join();
  for (void* s : {front, back, control, steer})
    zmq_close(s);
  zmq_ctx_term(zctx);
}

} // namespace

int main(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::puts("bench_proxy_throughput [--count N] [--size BYTES] [--window W] [--runs R]");
    return 0;
  }
  size_t count = bench::size_arg(argc, argv, "--count", 200000);
  size_t size = bench::size_arg(argc, argv, "--size", 64);
  size_t window = bench::size_arg(argc, argv, "--window", 500);
  size_t runs = bench::size_arg(argc, argv, "--runs", 3);
  std::vector<double> ours, theirs;
  for (size_t r = 0; r < runs; ++r) {
    for (bool cafmq_side : {true, false}) {
      auto frontend = bench::free_endpoint();
      auto backend = bench::free_endpoint();
      auto peers = [&] { return run_peers(frontend, backend, count, size, window); };
      double rate = 0;
      if (cafmq_side)
        run_cafmq_proxy(frontend, backend, peers, rate);
      else
        run_libzmq_proxy(frontend, backend, peers, rate);
      (cafmq_side ? ours : theirs).push_back(rate);
      std::printf("run %zu %-6s proxy: %.0f round trips/s\n", r + 1, cafmq_side ? "cafmq" : "libzmq",
                  rate);
    }
  }
  double a = bench::best_run(ours, false), b = bench::best_run(theirs, false);
  std::printf("proxy ROUTER<->DEALER, %d workers, %zu B, window %zu: cafmq %.0f/s, libzmq %.0f/s, "
              "ratio %.2fx (goal >= 1.5x)\n",
              workers, size, window, a, b, b > 0 ? a / b : 0.0);
  return a > 0 && b > 0 ? 0 : 1;
}
