// cafmq's Majordomo client and worker through a pyzmq broker written from RFC 7
// (tests/interop/mdp_api_broker.py): requests answered once each, heartbeats keeping an idle
// worker registered, and the worker registering again with a broker restarted on the same port.
#include "support/child_process.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <set>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::child_process;

constexpr int heartbeat_ms = 100;

std::string broker_script() {
  std::string peer = CAFMQ_PYZMQ_PEER;
  return peer.substr(0, peer.rfind('/')) + "/mdp_api_broker.py";
}

// The pyzmq broker on `endpoint`; its bound endpoint once it listens.
struct py_broker {
  child_process proc;
  std::string endpoint;
  explicit py_broker(const std::string& ep)
    : proc({CAFMQ_PYTHON, broker_script(), ep, std::to_string(heartbeat_ms)}) {
    auto line = proc.wait_for_line("bound ", 10000ms, true);
    if (!line.empty())
      endpoint = line.substr(6);
  }
  // SIGTERM, then its last "stats" line's `key` (-1 if missing).
  long long stop_and_count(const std::string& key) {
    ::kill(proc.pid(), SIGTERM);
    auto r = proc.wait(10000ms);
    auto at = r.out.rfind("stats ");
    auto field = at == std::string::npos ? at : r.out.find("\"" + key + "\": ", at);
    if (field == std::string::npos)
      return -1;
    return std::stoll(r.out.substr(field + key.size() + 4));
  }
};

mdp::worker_options worker_timing() {
  mdp::worker_options o;
  o.heartbeat_interval = std::chrono::milliseconds{heartbeat_ms};
  o.liveness = 3;
  o.reconnect_delay = 50ms;
  return o;
}

// A cafmq worker on its own thread answering "<id>" with "<id>:done".
struct echo_worker {
  std::atomic<bool> stop{false};
  std::thread thread;
  mdp::worker_stats stats;
  echo_worker(context& ctx, const std::string& ep) {
    thread = std::thread([this, &ctx, ep] {
      mdp::worker w{ctx, ep, "echo", worker_timing()};
      w.run([](const mdp::request& r) { return message{r.body[0].to_string() + ":done"}; }, stop);
      stats = w.stats();
    });
  }
  ~echo_worker() { finish(); }
  void finish() {
    stop = true;
    if (thread.joinable())
      thread.join();
  }
};

TEST(MdpApiPyzmqBroker, CafmqClientAndWorkerThroughAPyzmqBrokerEachRequestAnsweredOnce) {
  py_broker broker{"tcp://127.0.0.1:*"};
  ASSERT_FALSE(broker.endpoint.empty()) << "the pyzmq broker did not start";
  context ctx;
  echo_worker worker{ctx, broker.endpoint};
  mdp::client_options co;
  co.timeout = 2000ms;
  co.retries = 2;
  mdp::client client{ctx, broker.endpoint, co};
  std::set<std::string> answered;
  for (int i = 0; i < 50; ++i) {
    auto id = "req-" + std::to_string(i);
    auto reply = client.request("echo", message{std::string_view{id}});
    ASSERT_TRUE(reply) << id << " was not answered";
    EXPECT_EQ((*reply)[0].to_string(), id + ":done");
    EXPECT_TRUE(answered.insert((*reply)[0].to_string()).second) << id << " answered twice";
  }
  // Idle for more than liveness x interval: the heartbeats keep the worker registered.
  auto idle = test::clock::now();
  while (test::elapsed_ms(idle) < 6 * heartbeat_ms)
    std::this_thread::sleep_for(std::chrono::milliseconds{heartbeat_ms});
  auto after = client.request("echo", message{"after-idle"});
  ASSERT_TRUE(after) << "the worker was dropped while idle";
  worker.finish();
  auto& s = client.stats();
  std::printf("client: sent %llu answered %llu retried %llu timed out %llu; worker: requests %llu "
              "heartbeats sent %llu received %llu\n",
              (unsigned long long)s.sent, (unsigned long long)s.answered,
              (unsigned long long)s.retried, (unsigned long long)s.timed_out,
              (unsigned long long)worker.stats.requests,
              (unsigned long long)worker.stats.heartbeats_sent,
              (unsigned long long)worker.stats.heartbeats_received);
  EXPECT_EQ(s.answered, 51u);
  EXPECT_EQ(s.retried, 0u);
  EXPECT_EQ(worker.stats.requests, 51u);
  EXPECT_EQ(worker.stats.expiries, 0u);
  EXPECT_GE(worker.stats.heartbeats_received, 3u);
  EXPECT_GE(worker.stats.heartbeats_sent, 3u);
  EXPECT_EQ(broker.stop_and_count("expired"), 0) << "the broker took the worker for dead";
}

TEST(MdpApiPyzmqBroker, TheWorkerRegistersAgainWithABrokerRestartedOnTheSamePort) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  auto broker = std::make_unique<py_broker>(ep);
  ASSERT_FALSE(broker->endpoint.empty());
  context ctx;
  echo_worker worker{ctx, ep};
  mdp::client_options co;
  co.timeout = 500ms;
  co.retries = 8;
  mdp::client client{ctx, ep, co};
  auto before = client.request("echo", message{"before"});
  ASSERT_TRUE(before);
  EXPECT_EQ((*before)[0].to_string(), "before:done");

  ::kill(broker->proc.pid(), SIGKILL);
  broker->proc.wait(5000ms);
  broker = std::make_unique<py_broker>(ep);
  ASSERT_FALSE(broker->endpoint.empty()) << "the broker did not restart on " << ep;
  auto restarted = test::clock::now();
  auto after = client.request("echo", message{"after"});
  std::printf("answered %lld ms after the restart, %llu retries\n", test::elapsed_ms(restarted),
              (unsigned long long)client.stats().retried);
  ASSERT_TRUE(after) << "no answer through the restarted broker";
  EXPECT_EQ((*after)[0].to_string(), "after:done");
  worker.finish();
  EXPECT_GE(worker.stats.connects, 2u) << "the worker never sent READY again";
  EXPECT_EQ(client.stats().answered, 2u);
  EXPECT_EQ(broker->stop_and_count("readies"), 1);
}

} // namespace
} // namespace cafmq
