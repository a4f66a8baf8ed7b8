// Backpressure in bytes over tcp (docs/reliability.md "Backpressure"): per-pipe byte limits, the
// socket send budget, full_policy, and the counters of socket::stats().
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

// Sends until three 100 ms waits in a row time out; returns how many were accepted.
uint64_t fill_until_blocked(socket& push, uint64_t first, size_t size, test::deadline& d) {
  uint64_t seq = first;
  int misses = 0;
  while (misses < 3 && !d.expired()) {
    if (push.send(test::sequenced(seq, size), 100ms)) {
      ++seq;
      misses = 0;
    } else {
      ++misses;
    }
  }
  return seq - first;
}

TEST(ByteLimits, PushBlocksOnBytesLongBeforeItsMessageHwmAndLosesNothing) {
  socket_options o = test::no_linger();
  o.sndhwm = 1000;  // would allow ~8 MB of 8 KiB messages per queue...
  o.rcvhwm = 1000;
  o.sndhwm_bytes = 64 * 1024;  // ...the byte limits allow 64 KiB
  o.rcvhwm_bytes = 64 * 1024;
  context ctx;
  socket pull{ctx, socket_type::pull, o};
  pull.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, o};
  push.connect(pull.last_endpoint());
  constexpr size_t size = 8 * 1024;
  ASSERT_TRUE(push.send(test::sequenced(0, size), 5000ms));
  ASSERT_TRUE(pull.recv(5000ms).has_value());

  test::deadline d{30000ms};
  uint64_t accepted = fill_until_blocked(push, 1, size, d);
  size_t bound = (o.sndhwm_bytes + o.rcvhwm_bytes + test::max_tcp_buffering()) / size + 4;
  EXPECT_GE(accepted, (o.sndhwm_bytes + o.rcvhwm_bytes) / size) << "less than the two byte limits";
  EXPECT_LE(accepted, bound) << "the byte limits did not hold: " << accepted << " x 8 KiB queued";
  auto s = push.stats();
  ASSERT_EQ(s.peers.size(), 1u);
  EXPECT_GE(s.peers[0].queued_out_bytes, o.sndhwm_bytes) << "blocked below the byte limit";
  EXPECT_LT(s.peers[0].queued_out_bytes, o.sndhwm_bytes + size) << "overshoot of more than one message";

  for (uint64_t i = 1; i <= accepted; ++i) {
    auto m = pull.recv(d.remaining());
    ASSERT_TRUE(m.has_value()) << "message " << i << " lost";
    ASSERT_EQ(test::sequence_of(*m), i);
    ASSERT_TRUE(test::pattern_intact(*m));
  }
  EXPECT_FALSE(pull.recv(50ms).has_value());
}

TEST(ByteLimits, AMessageLargerThanBothByteLimitsStillGetsThrough) {
  socket_options o = test::no_linger();
  o.sndhwm_bytes = 1000;
  o.rcvhwm_bytes = 1000;
  context ctx;
  socket pull{ctx, socket_type::pull, o};
  pull.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, o};
  push.connect(pull.last_endpoint());
  for (uint64_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(push.send(test::sequenced(i, 256 * 1024), 5000ms)) << "oversized message " << i;
    auto m = pull.recv(5000ms);
    ASSERT_TRUE(m.has_value()) << "oversized message " << i << " never arrived";
    EXPECT_EQ(test::sequence_of(*m), i);
    EXPECT_TRUE(test::pattern_intact(*m));
  }
}

// Two connectors to ports where nobody listens: their queues only fill, so the budget is exact.
struct absent_peers {
  context ctx;
  uint16_t port_a = test::free_tcp_port();
  uint16_t port_b = test::free_tcp_port();
  socket push;
  explicit absent_peers(socket_options o) : push(ctx, socket_type::push, o) {
    push.connect(test::local_endpoint(port_a));
    push.connect(test::local_endpoint(port_b));
  }
};

socket_options budget_of(size_t bytes, full_policy p = full_policy::automatic) {
  socket_options o = test::no_linger();
  o.send_budget_bytes = bytes;
  o.full_policy = p;
  return o;
}

TEST(SendBudget, BoundsWhatAllPeersQueueTogether) {
  absent_peers t{budget_of(10 * 1000)};
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(t.push.send(message{std::string(1000, 'x')}, 0ms)) << "send " << i;
  auto t0 = test::clock::now();
  EXPECT_FALSE(t.push.send(message{"one more"}, 50ms));
  EXPECT_GE(test::elapsed_ms(t0), 40) << "block policy: waits for the send timeout";
  auto s = t.push.stats();
  EXPECT_EQ(s.send_budget_used, 10'000u);
  ASSERT_EQ(s.peers.size(), 2u);
  EXPECT_EQ(s.peers[0].queued_out, 5u) << "round-robin: the budget spans both queues";
  EXPECT_EQ(s.peers[1].queued_out, 5u);
  EXPECT_EQ(s.peers[0].queued_out_bytes + s.peers[1].queued_out_bytes, 10'000u);
  EXPECT_EQ(s.sent, 10u);
  EXPECT_EQ(t.push.close(), 10u);
  EXPECT_EQ(t.push.stats().discarded_on_close, 10u);
}

TEST(SendBudget, DropNewestDropsAndCountsErrorThrowsQueueFull) {
  absent_peers drop{budget_of(2000, full_policy::drop_newest)};
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(drop.push.send(message{std::string(1000, 'x')}, 0ms));
  auto s = drop.push.stats();
  EXPECT_EQ(s.dropped_budget, 3u);
  EXPECT_EQ(s.dropped_hwm, 0u);
  EXPECT_EQ(drop.push.messages_dropped(), 3u);
  EXPECT_EQ(drop.push.close(), 2u);

  absent_peers fail{budget_of(2000, full_policy::error)};
  ASSERT_TRUE(fail.push.send(message{std::string(1000, 'x')}, 0ms));
  ASSERT_TRUE(fail.push.send(message{std::string(1000, 'x')}, 0ms));
  try {
    fail.push.send(message{"x"}, 1000ms);
    ADD_FAILURE() << "a send over the budget did not throw";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::queue_full);
    EXPECT_NE(std::string(e.what()).find("budget"), std::string::npos) << e.what();
  }
}

TEST(SendBudget, ABlockedSendGoesOnOnceAPeerTakesItsQueue) {
  socket_options o = budget_of(4000);
  o.reconnect_ivl_ms = 20;
  context ctx;
  auto port = test::free_tcp_port();
  socket push{ctx, socket_type::push, o};
  push.connect(test::local_endpoint(port));
  for (uint64_t i = 0; i < 4; ++i)
    ASSERT_TRUE(push.send(test::sequenced(i, 1000), 0ms));
  ASSERT_FALSE(push.send(test::sequenced(4, 1000), 0ms)) << "the budget is used up";
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind(test::local_endpoint(port));
  EXPECT_TRUE(push.send(test::sequenced(4, 1000), 10000ms)) << "the budget never freed";
  for (uint64_t i = 0; i < 5; ++i) {
    auto m = pull.recv(5000ms);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(test::sequence_of(*m), i);
  }
}

TEST(FullPolicyOverTcp, PushWithDropNewestOrErrorNeverBlocks) {
  socket_options o = test::no_linger();
  o.sndhwm = 5;
  o.full_policy = full_policy::drop_newest;
  {
    context ctx;
    socket push{ctx, socket_type::push, o};
    push.connect(test::local_endpoint(test::free_tcp_port()));
    auto t0 = test::clock::now();
    for (int i = 0; i < 8; ++i)
      EXPECT_TRUE(push.send(message{"m"}));  // sndtimeo -1, yet never waits
    EXPECT_LT(test::elapsed_ms(t0), 1000);
    auto s = push.stats();
    EXPECT_EQ(s.dropped_hwm, 3u);
    EXPECT_EQ(s.sent, 8u);
    EXPECT_EQ(push.close(), 5u);
  }
  o.full_policy = full_policy::error;
  context ctx;
  socket push{ctx, socket_type::push, o};
  push.connect(test::local_endpoint(test::free_tcp_port()));
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(push.send(message{"m"}));
  try {
    push.send(message{"m"});
    ADD_FAILURE() << "no queue_full";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::queue_full);
  }
}

TEST(FullPolicyOverTcp, InvalidCombinationsFailAtSocketCreation) {
  context ctx;
  socket_options o;
  o.full_policy = full_policy::drop_oldest;
  EXPECT_THROW((socket{ctx, socket_type::req, o}), error);
  EXPECT_THROW((socket{ctx, socket_type::stream, o}), error);
  EXPECT_NO_THROW((socket{ctx, socket_type::pub, test::no_linger(o)}));
  o.full_policy = full_policy::drop_newest;
  EXPECT_THROW((socket{ctx, socket_type::req, o}), error);
  o.full_policy = full_policy::block;
  EXPECT_THROW((socket{ctx, socket_type::pull, o}), error);
}

TEST(Stats, CountsSentReceivedAndShowsEachPeer) {
  context ctx;
  socket router{ctx, socket_type::router, test::no_linger()};
  router.bind("tcp://127.0.0.1:*");
  socket_options named = test::no_linger();
  named.routing_id = "alice";
  socket dealer{ctx, socket_type::dealer, named};
  dealer.connect(router.last_endpoint());
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(dealer.send(message{"hi"}, 5000ms));
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(router.recv(5000ms).has_value());
  ASSERT_TRUE(router.send(message{"nobody", "x"}));
  auto rs = router.stats();
  EXPECT_EQ(rs.received, 3u);
  EXPECT_EQ(rs.sent, 1u);
  EXPECT_EQ(rs.dropped_unroutable, 1u);
  ASSERT_EQ(rs.peers.size(), 1u);
  EXPECT_EQ(rs.peers[0].routing_id, "alice");
  EXPECT_TRUE(rs.peers[0].connected);
  EXPECT_GT(rs.peers[0].pipe_id, 0u);
  auto ds = dealer.stats();
  EXPECT_EQ(ds.sent, 3u);
  EXPECT_EQ(ds.received, 0u);
  dealer.close();
  EXPECT_TRUE(ds.peers.size() == 1u);
  EXPECT_TRUE(dealer.stats().peers.empty()) << "a closed socket lists no peers";
  EXPECT_EQ(dealer.stats().sent, 3u) << "totals survive close()";
}

} // namespace
} // namespace cafmq
