// Heartbeat decisions on a simulated clock (RFC 37 §Connection Heartbeating; libzmq's
// ZMQ_HEARTBEAT_IVL / _TIMEOUT / _TTL): when PINGs go out, when silence closes the connection.
#include "net/heartbeat.hpp"

#include <gtest/gtest.h>

namespace cafmq::net {
namespace {

using namespace std::chrono_literals;
using tp = heartbeat::time_point;

const tp t0 = tp{} + 1000s;

TEST(HeartbeatPing, TtlIsSentInDecisecondsRoundedDownAndCappedAt16Bits) {
  EXPECT_EQ(make_ping_data(0, 0), (bytes{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(make_ping_data(99, 0)[1], 0);  // below 100 ms: no TTL (libzmq)
  auto d = make_ping_data(1599, 0x01020304);
  EXPECT_EQ(d, (bytes{0, 15, 1, 2, 3, 4}));
  auto max = make_ping_data(6553599, 0);
  EXPECT_EQ(max[0], 0xFF);
  EXPECT_EQ(max[1], 0xFF);
}

TEST(Rfc37Heartbeat, FirstPingIsDueOneIntervalAfterReady) {
  heartbeat hb{{100, 100, 0}};
  hb.start(t0);
  auto early = hb.tick(t0 + 50ms);
  EXPECT_FALSE(early.send_ping);
  ASSERT_TRUE(early.next.has_value());
  EXPECT_EQ(*early.next, t0 + 100ms);
  auto r = hb.tick(t0 + 100ms);
  EXPECT_TRUE(r.send_ping);
  EXPECT_FALSE(r.dead);
}

TEST(Rfc37Heartbeat, AnsweredPingsRepeatEveryInterval) {
  heartbeat hb{{100, 300, 0}};
  hb.start(t0);
  for (int i = 1; i <= 5; ++i) {
    auto at = t0 + i * 100ms;
    auto r = hb.tick(at);
    EXPECT_TRUE(r.send_ping) << "tick " << i;
    EXPECT_FALSE(r.dead) << "tick " << i;
    hb.on_traffic(at + 1ms);  // the PONG
  }
  EXPECT_EQ(hb.pings_sent(), 5u);
}

TEST(Rfc37Heartbeat, ShallNotSendAnotherPingWhileOneIsUnanswered) {
  heartbeat hb{{100, 1000, 0}};
  hb.start(t0);
  EXPECT_TRUE(hb.tick(t0 + 100ms).send_ping);
  EXPECT_FALSE(hb.tick(t0 + 200ms).send_ping);
  EXPECT_FALSE(hb.tick(t0 + 300ms).send_ping);
  hb.on_traffic(t0 + 350ms);
  EXPECT_TRUE(hb.tick(t0 + 400ms).send_ping) << "traffic answered the PING: the next may go";
}

TEST(Rfc37Heartbeat, SilenceAfterAPingForTheTimeoutIsDead) {
  heartbeat hb{{100, 250, 0}};
  hb.start(t0);
  ASSERT_TRUE(hb.tick(t0 + 100ms).send_ping);
  auto before = hb.tick(t0 + 300ms);
  EXPECT_FALSE(before.dead);
  ASSERT_TRUE(before.next.has_value());
  EXPECT_LE(*before.next, t0 + 350ms) << "the timeout deadline must be watched";
  auto r = hb.tick(t0 + 350ms);
  ASSERT_TRUE(r.dead.has_value());
  EXPECT_NE(r.dead->find("heartbeat timeout: no traffic for 350 ms"), std::string::npos) << *r.dead;
}

TEST(Rfc37Heartbeat, AnyTrafficIsASignOfLife) {
  heartbeat hb{{100, 100, 0}};
  hb.start(t0);
  for (int i = 1; i <= 10; ++i) {
    auto at = t0 + i * 100ms;
    hb.on_traffic(at - 30ms);  // data, not a PONG
    EXPECT_FALSE(hb.tick(at).dead) << "tick " << i;
  }
}

TEST(Rfc37Heartbeat, ZeroTimeoutNeverDrops) {
  heartbeat hb{{100, 0, 0}};
  hb.start(t0);
  EXPECT_TRUE(hb.tick(t0 + 100ms).send_ping);
  EXPECT_FALSE(hb.tick(t0 + 100s).dead);
}

TEST(Rfc37Heartbeat, PeerTtlClosesASilentConnection) {
  heartbeat hb{{0, 0, 0}};  // we send no PINGs ourselves
  hb.start(t0);
  EXPECT_FALSE(hb.active());
  auto deadline = hb.on_peer_ttl(5, t0 + 10ms);  // 500 ms
  ASSERT_TRUE(deadline.has_value());
  EXPECT_EQ(*deadline, t0 + 510ms);
  EXPECT_TRUE(hb.active());
  hb.on_traffic(t0 + 400ms);
  auto alive = hb.tick(t0 + 510ms);
  EXPECT_FALSE(alive.dead);
  ASSERT_TRUE(alive.next.has_value());
  EXPECT_EQ(*alive.next, t0 + 900ms) << "the TTL runs from the last traffic";
  auto r = hb.tick(t0 + 900ms);
  ASSERT_TRUE(r.dead.has_value());
  EXPECT_NE(r.dead->find("TTL of 500 ms"), std::string::npos) << *r.dead;
}

TEST(Rfc37Heartbeat, APingWithoutTtlLiftsTheTtl) {
  heartbeat hb{{0, 0, 0}};
  hb.start(t0);
  hb.on_peer_ttl(1, t0);
  EXPECT_FALSE(hb.on_peer_ttl(0, t0 + 50ms).has_value());
  auto r = hb.tick(t0 + 10s);
  EXPECT_FALSE(r.dead);
  EXPECT_FALSE(r.next.has_value()) << "nothing left to watch";
}

TEST(Rfc37Heartbeat, PingContextCountsPings) {
  heartbeat hb{{100, 0, 2000}};
  hb.start(t0);
  ASSERT_TRUE(hb.tick(t0 + 100ms).send_ping);
  EXPECT_EQ(hb.ping_data(), (bytes{0, 20, 0, 0, 0, 1}));
  hb.on_traffic(t0 + 150ms);
  ASSERT_TRUE(hb.tick(t0 + 200ms).send_ping);
  EXPECT_EQ(hb.ping_data(), (bytes{0, 20, 0, 0, 0, 2}));
}

} // namespace
} // namespace cafmq::net
