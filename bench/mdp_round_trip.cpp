// The Majordomo broker (runtime/majordomo_broker.hpp) measured in one process over TCP loopback:
//   - round trip: one client DEALER, one worker, one request at a time through the broker, next
//     to a direct DEALER -> ROUTER echo round trip in the same run (ratio printed; the broker
//     adds a second network hop each way, so 2x is the floor of any broker);
//   - throughput: requests per second through the broker with 1 and with 8 workers, the client
//     keeping --window requests in flight.
// Usage: bench_mdp_round_trip [--count N] [--runs R] [--window W]
#include "bench_util.hpp"

#include "patterns/mdp_codec.hpp"
#include "runtime/cafmq.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

namespace {

using namespace cafmq;
using namespace std::chrono_literals;
namespace mdpc = patterns::mdp;
using clock_type = std::chrono::steady_clock;

socket_options no_linger() {
  socket_options o;
  o.linger_ms = 0;
  return o;
}

// An MDP worker on its own thread: answers every REQUEST with its body.
class echo_worker {
public:
  echo_worker(context& ctx, const std::string& endpoint) : sock_(ctx, socket_type::dealer, no_linger()) {
    sock_.connect(endpoint);
    sock_.send(mdpc::worker_ready("echo"));
    thread_ = std::thread([this] { run(); });
  }
  ~echo_worker() {
    stop_ = true;
    thread_.join();
  }
  echo_worker(const echo_worker&) = delete;
  echo_worker& operator=(const echo_worker&) = delete;

private:
  void run() {
    mdpc::worker_message w;
    while (!stop_) {
      auto m = sock_.recv(20ms);
      if (!m || mdpc::parse_worker_inbound(*m, w) != mdpc::fault::none)
        continue;
      if (w.cmd == mdpc::command::request)
        sock_.send(mdpc::worker_reply(w.client, w.body));
    }
  }
  socket sock_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Mean microseconds per request/reply through the broker, `count` one at a time.
double broker_round_trip(size_t count) {
  context ctx;
  mdp::broker_options o;
  o.socket = no_linger();
  o.heartbeat_interval = 10s;
  mdp::broker broker{ctx, o};
  auto ep = broker.bind("tcp://127.0.0.1:*");
  echo_worker worker{ctx, ep};
  socket client{ctx, socket_type::dealer, no_linger()};
  client.connect(ep);
  auto request = mdpc::client_request("echo", message{"ping"}, true);
  for (size_t i = 0; i < 100; ++i) {  // warm-up (and waits for the worker's READY)
    client.send(request);
    if (!client.recv(5000ms))
      return -1;
  }
  auto t0 = clock_type::now();
  for (size_t i = 0; i < count; ++i) {
    client.send(request);
    if (!client.recv(5000ms))
      return -1;
  }
  auto us = std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
  broker.stop();
  return us / static_cast<double>(count);
}

// Mean microseconds per round trip DEALER -> ROUTER (echo on a thread), no broker.
double direct_round_trip(size_t count) {
  context ctx;
  socket server{ctx, socket_type::router, no_linger()};
  server.bind("tcp://127.0.0.1:*");
  std::atomic<bool> stop{false};
  std::thread echo([&] {
    while (!stop)
      if (auto m = server.recv(20ms))
        server.send(std::move(*m));
  });
  socket client{ctx, socket_type::dealer, no_linger()};
  client.connect(server.last_endpoint());
  auto request = mdpc::client_request("echo", message{"ping"}, true);  // the same frames
  double result = -1;
  for (size_t i = 0; i < 100; ++i) {
    client.send(request);
    if (!client.recv(5000ms))
      goto done;
  }
  {
    auto t0 = clock_type::now();
    for (size_t i = 0; i < count; ++i) {
      client.send(request);
      if (!client.recv(5000ms))
        goto done;
    }
    result = std::chrono::duration<double, std::micro>(clock_type::now() - t0).count()
             / static_cast<double>(count);
  }
done:
  stop = true;
  echo.join();
  return result;
}

// Requests per second through the broker with `workers` workers and `window` in flight.
double broker_throughput(size_t count, size_t workers, size_t window) {
  context ctx;
  mdp::broker_options o;
  o.socket = no_linger();
  o.heartbeat_interval = 10s;
  mdp::broker broker{ctx, o};
  auto ep = broker.bind("tcp://127.0.0.1:*");
  std::vector<std::unique_ptr<echo_worker>> pool;
  for (size_t i = 0; i < workers; ++i)
    pool.push_back(std::make_unique<echo_worker>(ctx, ep));
  socket client{ctx, socket_type::dealer, no_linger()};
  client.connect(ep);
  auto request = mdpc::client_request("echo", message{"ping"}, true);
  while (broker.stats().workers < workers)
    std::this_thread::sleep_for(1ms);
  auto t0 = clock_type::now();
  size_t sent = 0;
  size_t received = 0;
  for (; sent < window && sent < count; ++sent)
    client.send(request);
  while (received < count) {
    if (!client.recv(5000ms))
      return -1;
    ++received;
    if (sent < count) {
      client.send(request);
      ++sent;
    }
  }
  auto s = std::chrono::duration<double>(clock_type::now() - t0).count();
  broker.stop();
  return static_cast<double>(count) / s;
}

} // namespace

int main(int argc, char** argv) {
  if (bench::wants_help(argc, argv)) {
    std::puts("usage: bench_mdp_round_trip [--count N (20000)] [--runs R (3)] [--window W (64)]");
    return 0;
  }
  auto count = bench::size_arg(argc, argv, "--count", 20000);
  auto runs = bench::size_arg(argc, argv, "--runs", 3);
  auto window = bench::size_arg(argc, argv, "--window", 64);
  std::vector<double> direct, brokered, one, eight;
  for (size_t r = 0; r < runs; ++r) {
    direct.push_back(direct_round_trip(count));
    brokered.push_back(broker_round_trip(count));
    one.push_back(broker_throughput(count * 5, 1, window));
    eight.push_back(broker_throughput(count * 5, 8, window));
  }
  auto d = bench::best_run(direct, true);
  auto b = bench::best_run(brokered, true);
  std::printf("round trip (one request at a time, best of %zu x %zu):\n", runs, count);
  std::printf("  direct DEALER->ROUTER    %8.1f us\n", d);
  std::printf("  through the MDP broker   %8.1f us   ratio %.2fx (goal <= 1.3x)\n", b, d > 0 ? b / d : 0);
  std::printf("throughput through the broker (%zu requests in flight, best of %zu):\n", window, runs);
  std::printf("  1 worker                 %8.0f requests/s\n", bench::best_run(one, false));
  std::printf("  8 workers                %8.0f requests/s\n", bench::best_run(eight, false));
  return 0;
}
