// Majordomo echo (the zguide, chapter 4; MDP/0.1, RFC 7): a broker, two workers that register
// the "echo" service, and a client that asks it by name. The broker hands each request to the
// least recently used worker and heartbeats the workers; the client retries on a new socket if
// a reply does not come in time.
//
// All in one process: the broker (cafmq::mdp::broker, an actor tree) on a wildcard TCP port,
// each worker on a thread of its own, the client on the main thread. The client first asks the
// broker whether "echo" exists (mmi.service, RFC 8), then sends its requests.
//
// Exits 0 when every request got its own reply back, and both workers served.
#include <cafmq/cafmq.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr int requests = 20;

// A worker thread: serves "echo" until `stop`, counting what it answered.
void echo_worker(cafmq::context& ctx, const std::string& broker, const std::atomic<bool>& stop,
                 std::atomic<int>& served) {
  cafmq::mdp::worker_options options;
  options.heartbeat_interval = 250ms;
  cafmq::mdp::worker worker{ctx, broker, "echo", options};
  worker.run(
    [&](const cafmq::mdp::request& req) {
      ++served;
      return req.body;  // echo
    },
    stop);
}

} // namespace

int main() {
  cafmq::context ctx;
  cafmq::mdp::broker_options broker_options;
  broker_options.heartbeat_interval = 250ms;
  cafmq::mdp::broker broker{ctx, broker_options};
  std::string endpoint = broker.bind("tcp://127.0.0.1:*");
  std::printf("broker on %s\n", endpoint.c_str());

  std::atomic<bool> stop{false};
  std::atomic<int> served[2] = {0, 0};
  std::vector<std::thread> workers;
  for (auto& count : served)
    workers.emplace_back(echo_worker, std::ref(ctx), endpoint, std::cref(stop), std::ref(count));

  cafmq::mdp::client_options client_options;
  client_options.timeout = 2000ms;
  client_options.retries = 2;
  cafmq::mdp::client client{ctx, endpoint, client_options};

  // RFC 8: "200" once a worker has registered "echo" (the workers are still connecting).
  std::string lookup;
  for (int i = 0; i < 50 && lookup != "200"; ++i) {
    if (i > 0)
      std::this_thread::sleep_for(20ms);
    auto reply = client.request("mmi.service", cafmq::message{"echo"});
    lookup = reply ? (*reply)[0].to_string() : "no reply";
  }
  std::printf("mmi.service echo: %s\n", lookup.c_str());

  int right = 0;
  for (int i = 0; i < requests; ++i) {
    std::string text = "hello " + std::to_string(i);
    auto reply = client.request("echo", cafmq::message{text});
    if (reply && reply->size() == 1 && (*reply)[0].to_string() == text)
      ++right;
    else
      std::printf("request %d: %s\n", i, reply ? "wrong reply" : "no reply");
  }

  stop = true;
  for (auto& t : workers)
    t.join();
  auto stats = client.stats();
  std::printf("%d of %d requests echoed; workers served %d and %d; client sent %llu, retried %llu\n",
              right, requests, served[0].load(), served[1].load(),
              static_cast<unsigned long long>(stats.sent),
              static_cast<unsigned long long>(stats.retried));
  std::printf("%s\n", cafmq::mdp::to_text(broker.stop()).c_str());
  bool ok = lookup == "200" && right == requests && served[0] > 0 && served[1] > 0;
  return ok ? 0 : 1;
}
