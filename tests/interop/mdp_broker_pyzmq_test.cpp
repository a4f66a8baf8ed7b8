// cafmq's Majordomo broker with a pyzmq client (REQ) and pyzmq workers (DEALER) written from
// RFC 7 (tests/interop/mdp_rfc7_peer.py): dispatch, mmi.service, heartbeats both ways, and the
// DISCONNECT a worker gets when the broker stops.
#include "interop/mdp_broker_peer_path.hpp"
#include "support/child_process.hpp"
#include "support/deadline.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

const std::string python = CAFMQ_PYTHON;
constexpr auto budget = 12000ms;

mdp::broker_options quick(std::chrono::milliseconds heartbeat) {
  mdp::broker_options o;
  o.socket.linger_ms = 0;
  o.heartbeat_interval = heartbeat;
  return o;
}

TEST(MdpBrokerPyzmq, PyzmqClientAndWorkersThroughCafmqBroker) {
  context ctx;
  mdp::broker broker{ctx, quick(100ms)};
  auto ep = broker.bind("tcp://127.0.0.1:*");
  test::child_process w1{{python, test::mdp_peer_script(), "worker", ep, "echo", "--heartbeat-ms", "100"}};
  test::child_process w2{{python, test::mdp_peer_script(), "worker", ep, "echo", "--heartbeat-ms", "100"}};
  ASSERT_EQ(w1.wait_for_line("ready", budget, true), "ready");
  ASSERT_EQ(w2.wait_for_line("ready", budget, true), "ready");
  ASSERT_TRUE(test::eventually([&] { return broker.stats().workers == 2; }, budget));
  auto client = test::run_process({python, test::mdp_peer_script(), "client", ep, "echo", "200", "--mmi"}, budget);
  EXPECT_EQ(client.exit_code, 0) << client.describe();
  EXPECT_NE(client.out.find("mmi 200"), std::string::npos) << client.out;
  EXPECT_NE(client.out.find("client ok 200"), std::string::npos) << client.out;
  auto missing = test::run_process({python, test::mdp_peer_script(), "client", ep, "nosuch", "0", "--mmi"}, budget);
  EXPECT_NE(missing.out.find("mmi 404"), std::string::npos) << missing.describe();
  // Heartbeats both ways: let a few intervals pass with the workers idle.
  ASSERT_TRUE(test::eventually([&] { return broker.stats().heartbeats_received >= 6; }, budget));
  auto summary = broker.stop(1000ms);
  EXPECT_EQ(summary.workers_disconnected, 2u);
  EXPECT_EQ(summary.final_stats.replies_answered, 200u);
  EXPECT_EQ(summary.final_stats.malformed, 0u);
  for (auto* w : {&w1, &w2}) {
    auto r = w->wait(budget);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find("disconnected=1"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("heartbeats=0"), std::string::npos) << "no broker HEARTBEAT reached it: " << r.out;
  }
}

TEST(MdpBrokerPyzmq, RequestQueuedUntilAPyzmqWorkerComes) {
  context ctx;
  mdp::broker broker{ctx, quick(200ms)};
  auto ep = broker.bind("tcp://127.0.0.1:*");
  test::child_process client{{python, test::mdp_peer_script(), "client", ep, "late", "3", "--timeout-ms", "8000"}};
  ASSERT_TRUE(test::eventually([&] { return broker.stats().requests_received >= 1; }, budget));
  test::child_process worker{{python, test::mdp_peer_script(), "worker", ep, "late", "--count", "3"}};
  auto c = client.wait(budget);
  EXPECT_EQ(c.exit_code, 0) << c.describe();
  EXPECT_NE(c.out.find("client ok 3"), std::string::npos) << c.out;
  auto w = worker.wait(budget);
  EXPECT_EQ(w.exit_code, 0) << w.describe();
  EXPECT_NE(w.out.find("worker replies=3"), std::string::npos) << w.out;
  // The worker said DISCONNECT after its third reply: the broker forgot it.
  EXPECT_TRUE(test::eventually([&] { return broker.stats().workers == 0; }, budget));
}

} // namespace
} // namespace cafmq
