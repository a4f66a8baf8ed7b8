// Heartbeats on the wire (RFC 37 §Connection Heartbeating, libzmq's ZMQ_HEARTBEAT_*): a raw ZMTP
// peer sees cafmq's PINGs with the configured TTL at the interval, a peer that never answers is
// dropped within the timeout and the connector dials again, a peer that answers stays, a peer's
// TTL is honoured, and a ZMTP 3.0 peer gets no PING.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
using test::read_status;
namespace zmtp = test::zmtp;

socket_options heartbeats(int ivl, int timeout, int ttl = 0) {
  auto o = test::no_linger();
  o.heartbeat_ivl_ms = ivl;
  o.heartbeat_timeout_ms = timeout;
  o.heartbeat_ttl_ms = ttl;
  return o;
}

// Completes a NULL handshake as `type` on a connection cafmq dialed (raw_listener side).
void accept_handshake(test::raw_client& c, const std::string& type, uint8_t minor = 1) {
  ASSERT_TRUE(c.send_all(zmtp::concat({zmtp::greeting("NULL", 3, minor), zmtp::ready_socket_type(type)})));
  ASSERT_EQ(c.read_exact(64, 2000ms).status, read_status::ok);
  auto ready = zmtp::read_frame(c, 2000ms);
  ASSERT_TRUE(ready && ready->command_name() == "READY");
}

// Reads frames until a PING arrives (other frames are skipped); nullopt on close or timeout.
std::optional<zmtp::wire_frame> next_ping(test::raw_client& c, std::chrono::milliseconds timeout) {
  test::deadline d{timeout};
  while (!d.expired()) {
    auto f = zmtp::read_frame(c, d.remaining());
    if (!f)
      return std::nullopt;
    if (f->is_command() && f->command_name() == "PING")
      return f;
  }
  return std::nullopt;
}

bytes pong_for(const zmtp::wire_frame& ping) {
  auto data = ping.command_data();
  return zmtp::command("PONG", bytes(data.begin() + 2, data.end()));
}

TEST(Rfc37Heartbeat, PingsGoOutEveryIntervalCarryingTheTtlInDeciseconds) {
  context ctx;
  socket pull{ctx, socket_type::pull, heartbeats(100, 2000, 1599)};
  pull.bind("tcp://127.0.0.1:*");
  auto c = zmtp::handshake_as(pull.last_endpoint(), "PUSH", 5000ms);
  auto ready_at = test::clock::now();
  auto last = ready_at;
  bytes previous_context;
  for (int i = 0; i < 4; ++i) {
    auto ping = next_ping(c, 2000ms);
    ASSERT_TRUE(ping.has_value()) << "PING " << i << " not seen within 2 s";
    auto gap = test::elapsed_ms(last);
    last = test::clock::now();
    EXPECT_GE(gap, 90) << "PING " << i << " came " << gap << " ms after the previous event";
    auto data = ping->command_data();
    ASSERT_GE(data.size(), 2u);
    EXPECT_EQ(data[0], 0);
    EXPECT_EQ(data[1], 15) << "1599 ms is 15 deciseconds, rounded down";
    EXPECT_LE(data.size(), 18u) << "the context is at most 16 bytes";
    bytes context(data.begin() + 2, data.end());
    EXPECT_NE(context, previous_context) << "each PING has its own context";
    previous_context = context;
    ASSERT_TRUE(c.send_all(pong_for(*ping)));
  }
  EXPECT_GE(test::elapsed_ms(ready_at), 380) << "4 PINGs at 100 ms intervals";
}

TEST(Rfc37Heartbeat, SilentPeerIsDroppedWithinTheTimeoutAndTheConnectorReconnects) {
  test::raw_listener listener;
  context ctx;
  socket push{ctx, socket_type::push, heartbeats(100, 300)};
  push.connect(listener.endpoint());
  auto first = listener.accept(5000ms);
  accept_handshake(first, "PULL");
  if (HasFatalFailure())
    return;
  auto start = test::clock::now();
  ASSERT_TRUE(next_ping(first, 2000ms).has_value()) << "no PING to leave unanswered";
  // Never answer: the PING at ~100 ms times out at ~400 ms.
  ASSERT_TRUE(first.wait_closed(3000ms)) << "a peer that never answers was kept";
  auto waited = test::elapsed_ms(start);
  EXPECT_GE(waited, 350) << "dropped before the timeout";
  EXPECT_LE(waited, 2000) << "dropped far past the 300 ms timeout";
  auto second = listener.accept(5000ms);  // throws if the connector never comes back
  accept_handshake(second, "PULL");
  ASSERT_TRUE(push.send(message{"after the reconnect"}, 2000ms));
  auto f = zmtp::read_frame(second, 2000ms);
  while (f && f->is_command())  // a PING may come first
    f = zmtp::read_frame(second, 2000ms);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->body, bytes({'a', 'f', 't', 'e', 'r', ' ', 't', 'h', 'e', ' ', 'r', 'e', 'c', 'o',
                            'n', 'n', 'e', 'c', 't'}));
}

TEST(Rfc37Heartbeat, PeerThatAnswersStaysConnectedThroughManyIntervals) {
  context ctx;
  socket push{ctx, socket_type::push, heartbeats(50, 150)};
  push.bind("tcp://127.0.0.1:*");
  auto c = zmtp::handshake_as(push.last_endpoint(), "PULL", 5000ms);
  auto start = test::clock::now();
  int pings = 0;
  while (test::elapsed_ms(start) < 800) {  // > 5 timeouts long
    auto ping = next_ping(c, 1000ms);
    ASSERT_TRUE(ping.has_value()) << "connection lost or PINGs stopped after " << pings;
    ++pings;
    ASSERT_TRUE(c.send_all(pong_for(*ping)));
  }
  EXPECT_GE(pings, 8);
  ASSERT_TRUE(push.send(message{"still here"}, 2000ms));
  auto f = zmtp::read_frame(c, 2000ms);
  while (f && f->is_command())
    f = zmtp::read_frame(c, 2000ms);
  ASSERT_TRUE(f.has_value()) << "the connection did not survive";
  EXPECT_EQ(f->body, bytes({'s', 't', 'i', 'l', 'l', ' ', 'h', 'e', 'r', 'e'}));
}

TEST(Rfc37Heartbeat, ThePeersTtlIsHonouredWithoutOwnHeartbeats) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};  // heartbeat_ivl 0
  pull.bind("tcp://127.0.0.1:*");
  auto c = zmtp::handshake_as(pull.last_endpoint(), "PUSH", 5000ms);
  ASSERT_TRUE(c.send_all(zmtp::command("PING", bytes{0, 3, 'x'})));  // TTL 300 ms
  auto start = test::clock::now();
  auto pong = zmtp::read_frame(c, 2000ms);
  ASSERT_TRUE(pong && pong->command_name() == "PONG");
  ASSERT_TRUE(c.wait_closed(3000ms)) << "silence past the peer's TTL was tolerated";
  auto waited = test::elapsed_ms(start);
  EXPECT_GE(waited, 250) << "closed before the TTL ran out";
  EXPECT_LE(waited, 2000);
}

TEST(Rfc37Heartbeat, TrafficWithinThePeersTtlKeepsTheConnection) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  auto c = zmtp::handshake_as(pull.last_endpoint(), "PUSH", 5000ms);
  // PING with a 300 ms TTL, then a message every ~100 ms (paced by receiving it) for 1 s.
  ASSERT_TRUE(c.send_all(zmtp::command("PING", bytes{0, 3})));
  auto start = test::clock::now();
  int i = 0;
  while (test::elapsed_ms(start) < 1000) {
    ASSERT_TRUE(c.send_all(zmtp::message_frame("m" + std::to_string(i))))
      << "connection closed after " << i << " messages";
    auto m = pull.recv(2000ms);
    ASSERT_TRUE(m.has_value()) << "message " << i << " lost";
    ++i;
    EXPECT_FALSE(c.wait_closed(100ms)) << "closed although traffic kept coming";
  }
  EXPECT_GE(i, 5);
}

TEST(Rfc37Heartbeat, Zmtp30PeerGetsNoPing) {
  test::raw_listener listener;
  context ctx;
  socket push{ctx, socket_type::push, heartbeats(30, 60)};
  push.connect(listener.endpoint());
  auto c = listener.accept(5000ms);
  accept_handshake(c, "PULL", 0);
  if (HasFatalFailure())
    return;
  bytes seen;
  // Ten intervals: a 3.1 peer would have had a PING and, unanswered, been dropped.
  EXPECT_FALSE(c.wait_closed(300ms, &seen)) << "a 3.0 peer was dropped";
  EXPECT_TRUE(seen.empty()) << seen.size() << " bytes sent to a quiet ZMTP 3.0 peer";
}

} // namespace
} // namespace cafmq
