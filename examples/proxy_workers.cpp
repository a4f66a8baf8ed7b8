// A proxy in front of workers (the zguide's "rrbroker" / "msgqueue", chapter 2): clients talk
// REQ to a ROUTER frontend, workers REP on a DEALER backend, and cafmq::proxy joins the two.
// Neither side knows how many of the other there are; adding a worker is only a connect.
//
// The proxy runs on a thread of its own with an inproc PAIR control socket: the main thread
// asks it for STATISTICS at the end and stops it with TERMINATE.
//
// Exits 0 when every client got the right reply to each of its requests, the work was spread
// over every worker, and the statistics count each request and reply once.
#include <cafmq/cafmq.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr int clients = 3;
constexpr int workers = 3;
constexpr int requests_per_client = 10;
constexpr auto patience = 5000ms;

// A worker: answers "hello N" with "world N from worker W" until it has seen `stop`.
void worker(cafmq::context& ctx, const std::string& backend, int id, std::atomic<int>& served,
            std::atomic<bool>& stop) {
  cafmq::socket rep{ctx, cafmq::socket_type::rep};
  rep.connect(backend);
  while (!stop) {
    auto request = rep.recv(50ms);
    if (!request)
      continue;
    ++served;
    std::string body = (*request)[0].to_string();
    rep.send(cafmq::message{"world" + body.substr(5) + " from worker " + std::to_string(id)});
  }
}

} // namespace

int main() {
  cafmq::context ctx;
  cafmq::socket frontend{ctx, cafmq::socket_type::router};
  cafmq::socket backend{ctx, cafmq::socket_type::dealer};
  frontend.bind("tcp://127.0.0.1:*");
  backend.bind("tcp://127.0.0.1:*");
  cafmq::socket control{ctx, cafmq::socket_type::pair};
  cafmq::socket steer{ctx, cafmq::socket_type::pair};
  control.bind("inproc://proxy-control");
  steer.connect("inproc://proxy-control");

  std::atomic<bool> stop{false};
  std::vector<std::atomic<int>> served(workers);
  std::vector<std::thread> pool;
  pool.reserve(workers);
  for (int w = 0; w < workers; ++w)
    pool.emplace_back(worker, std::ref(ctx), backend.last_endpoint(), w, std::ref(served[w]),
                      std::ref(stop));
  // Every worker connected before the first request, so the backend deals to all of them.
  auto until = std::chrono::steady_clock::now() + patience;
  while (backend.stats().peers.size() < static_cast<size_t>(workers)
         && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(5ms);

  std::thread device([&] { cafmq::proxy(frontend, backend, nullptr, &control); });

  std::atomic<int> failures{0};
  std::vector<std::thread> users;
  users.reserve(clients);
  for (int c = 0; c < clients; ++c)
    users.emplace_back([&, c] {
      cafmq::socket req{ctx, cafmq::socket_type::req};
      req.connect(frontend.last_endpoint());
      for (int i = 0; i < requests_per_client; ++i) {
        std::string n = std::to_string(c) + "." + std::to_string(i);
        auto reply = req.request(cafmq::message{"hello " + n}, patience);
        if (!reply || (*reply)[0].view().rfind("world " + n + " from", 0) != 0) {
          std::printf("client %d: no right reply to request %s\n", c, n.c_str());
          ++failures;
          return;
        }
      }
    });
  for (auto& u : users)
    u.join();

  steer.send(cafmq::message{"STATISTICS"});
  auto stats = cafmq::parse_statistics(steer.recv(patience).value_or(cafmq::message{}));
  steer.send(cafmq::message{"TERMINATE"});
  device.join();
  stop = true;
  for (auto& t : pool)
    t.join();

  int total = clients * requests_per_client;
  bool spread = true;
  for (int w = 0; w < workers; ++w) {
    std::printf("worker %d served %d requests\n", w, served[w].load());
    spread = spread && served[w] > 0;
  }
  bool counted = stats && stats->frontend_messages_in == static_cast<uint64_t>(total)
                 && stats->backend_messages_out == static_cast<uint64_t>(total)
                 && stats->backend_messages_in == static_cast<uint64_t>(total)
                 && stats->frontend_messages_out == static_cast<uint64_t>(total);
  if (stats)
    std::printf("proxy: %llu requests in, %llu replies out\n",
                static_cast<unsigned long long>(stats->frontend_messages_in),
                static_cast<unsigned long long>(stats->frontend_messages_out));
  if (failures == 0 && spread && counted) {
    std::printf("ok: %d requests through the proxy, answered by %d workers\n", total, workers);
    return 0;
  }
  std::printf("failed: failures=%d spread=%d counted=%d\n", failures.load(), spread, counted);
  return 1;
}
