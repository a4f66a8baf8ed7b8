// mdp::worker's liveness against a broker double: heartbeats both ways at the interval, a new
// socket and READY after the broker is silent for liveness x interval or says DISCONNECT, and a
// reply to a request from a replaced socket dropped. One thread drives worker and double.
#include "support/deadline.hpp"
#include "support/mdp_broker_double.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;
using strings = std::vector<std::string>;

constexpr auto interval = 150ms;  // expiry 450 ms: no stall of a loaded machine or TSan reaches it

mdp::worker_options fast(std::chrono::milliseconds reconnect_delay = 20ms) {
  mdp::worker_options o;
  o.heartbeat_interval = interval;
  o.liveness = 3;
  o.reconnect_delay = reconnect_delay;
  return o;
}

bool is_heartbeat(const message& m) { return m.size() == 4 && m[3].view() == "\x04"; }
bool is_ready(const message& m) { return m.size() == 5 && m[3].view() == "\x01"; }

// Drives the worker until the double receives a READY; counts the HEARTBEATs before it.
struct ready_wait {
  std::optional<message> ready;
  int heartbeats = 0;
};
ready_wait wait_ready(mdp::worker& w, test::mdp_broker_double& broker,
                      std::chrono::milliseconds budget = 5000ms) {
  ready_wait out;
  test::deadline d{budget};
  while (!d.expired()) {
    w.recv(0ms);
    if (auto m = broker.recv_raw(5ms)) {
      if (is_ready(*m)) {
        out.ready = std::move(m);
        return out;
      }
      out.heartbeats += is_heartbeat(*m) ? 1 : 0;
    }
  }
  return out;
}

TEST(MdpWorkerLiveness, HeartbeatsFlowBothWaysAtTheInterval) {
  context ctx;
  test::mdp_broker_double broker{ctx};
  mdp::worker w{ctx, broker.endpoint(), "echo", fast()};
  auto first = wait_ready(w, broker);
  ASSERT_TRUE(first.ready);
  message address{(*first.ready)[0]};

  // 1.5 s of a live broker: it heartbeats every interval; the worker's heartbeats are counted.
  int sent = 0, received = 0;
  auto start = test::clock::now();
  auto next = start;
  test::deadline d{1500ms};
  while (!d.expired()) {
    if (test::clock::now() >= next) {
      broker.send_signal(address, test::mdp_broker_double::command::heartbeat);
      ++sent;
      next += interval;
    }
    w.recv(5ms);
    while (auto m = broker.recv_raw(0ms))
      received += is_heartbeat(*m) ? 1 : 0;
  }
  auto ms = test::elapsed_ms(start);
  // The last heartbeats are in flight: drive both until every one has arrived.
  EXPECT_TRUE(test::eventually(
    [&] {
      w.recv(0ms);
      return w.stats().heartbeats_received == static_cast<uint64_t>(sent);
    },
    3000ms))
    << "the worker counted " << w.stats().heartbeats_received << " of " << sent;
  std::printf("%lld ms: broker sent %d heartbeats, worker counted %llu; worker sent %llu, broker "
              "counted %d\n",
              ms, sent, static_cast<unsigned long long>(w.stats().heartbeats_received),
              static_cast<unsigned long long>(w.stats().heartbeats_sent), received);
  auto due = ms / interval.count();
  EXPECT_GE(received, due / 2) << "the worker heartbeats too rarely";
  EXPECT_LE(received, due + 2) << "the worker heartbeats too often";
  EXPECT_EQ(w.stats().expiries, 0u) << "a heartbeating broker was taken for dead";
  EXPECT_EQ(w.stats().connects, 1u);
}

TEST(MdpWorkerLiveness, ASilentBrokerGetsANewSocketAndReadyAfterLivenessTimesInterval) {
  context ctx;
  test::mdp_broker_double broker{ctx};
  auto start = test::clock::now();
  mdp::worker w{ctx, broker.endpoint(), "echo", fast(100ms)};
  auto first = wait_ready(w, broker);
  ASSERT_TRUE(first.ready);
  auto second = wait_ready(w, broker);  // the double never answers
  auto ms = test::elapsed_ms(start);
  ASSERT_TRUE(second.ready) << "no READY again after the broker went silent";
  std::printf("second READY after %lld ms, %d heartbeats before it\n", ms, second.heartbeats);
  EXPECT_NE((*second.ready)[0], (*first.ready)[0]) << "the READY came on the same socket";
  EXPECT_EQ(frames_of(*second.ready)[4], "echo");
  EXPECT_GE(ms, 3 * interval.count() + 100) << "reconnected before liveness x interval + delay";
  EXPECT_LT(ms, 3000);
  EXPECT_GE(second.heartbeats, 1);
  EXPECT_EQ(w.stats().expiries, 1u);
  EXPECT_EQ(w.stats().connects, 2u);

  // The new socket serves.
  broker.send_request(message{(*second.ready)[0]}, message{"c"}, message{"after"});
  auto req = w.recv(3000ms);
  ASSERT_TRUE(req);
  EXPECT_EQ(frames_of(req->body), strings{"after"});
  EXPECT_TRUE(w.reply(*req, message{"done"}));
}

TEST(MdpWorkerLiveness, DisconnectGetsANewSocketAndReadyAfterTheReconnectDelay) {
  context ctx;
  test::mdp_broker_double broker{ctx};
  mdp::worker w{ctx, broker.endpoint(), "echo", fast(100ms)};
  auto first = wait_ready(w, broker);
  ASSERT_TRUE(first.ready);
  auto said = test::clock::now();
  broker.send_signal(message{(*first.ready)[0]}, test::mdp_broker_double::command::disconnect);
  auto second = wait_ready(w, broker);
  auto ms = test::elapsed_ms(said);
  ASSERT_TRUE(second.ready) << "no READY again after DISCONNECT";
  std::printf("READY again %lld ms after DISCONNECT\n", ms);
  EXPECT_NE((*second.ready)[0], (*first.ready)[0]);
  EXPECT_GE(ms, 100);
  EXPECT_LT(ms, 3000);
  EXPECT_EQ(w.stats().disconnects, 1u);
  EXPECT_EQ(w.stats().expiries, 0u);
  EXPECT_EQ(w.stats().connects, 2u);
}

TEST(MdpWorkerLiveness, AReplyToARequestFromAReplacedSocketIsDropped) {
  context ctx;
  test::mdp_broker_double broker{ctx};
  mdp::worker w{ctx, broker.endpoint(), "echo", fast()};
  auto first = wait_ready(w, broker);
  ASSERT_TRUE(first.ready);
  message old_address{(*first.ready)[0]};
  broker.send_request(old_address, message{"client-1"}, message{"work"});
  auto req = w.recv(3000ms);
  ASSERT_TRUE(req);
  broker.send_signal(old_address, test::mdp_broker_double::command::disconnect);
  auto second = wait_ready(w, broker);
  ASSERT_TRUE(second.ready);
  EXPECT_FALSE(w.reply(*req, message{"late"})) << "a reply went out on the new socket";
  EXPECT_EQ(w.stats().stale_replies, 1u);
  EXPECT_EQ(w.stats().replies, 0u);
  // No REPLY reaches the broker (the silent double gets heartbeats and READYs).
  test::deadline d{4 * interval};
  while (!d.expired()) {
    w.recv(0ms);
    if (auto m = broker.recv_raw(5ms)) {
      EXPECT_TRUE(is_heartbeat(*m) || is_ready(*m)) << "unexpected: " << frames_of(*m).size()
                                                   << " frames";
    }
  }
}

} // namespace
} // namespace cafmq
