// Reconnect policy per endpoint, observed through monitor events: exponential backoff capped by
// reconnect_ivl_max (ZMQ_RECONNECT_IVL_MAX), jitter bounds, reconnect_max_attempts, the
// ZMQ_RECONNECT_STOP conditions, ZMQ_CONNECT_TIMEOUT, and no reconnect after a failed handshake
// (RFC 23: a peer that refuses us is not asked again with the same credentials).
#include "support/deadline.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"
#include "support/raw_tcp.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::next_event;

socket_options policy(int ivl, int ivl_max, int attempts, unsigned stop = 0) {
  auto o = test::no_linger();
  o.reconnect_ivl_ms = ivl;
  o.reconnect_ivl_max_ms = ivl_max;
  o.reconnect_max_attempts = attempts;
  o.reconnect_stop = stop;
  return o;
}

// Collects every connect_retried until the connector says `closed` (or the budget runs out).
std::vector<monitor_event> retries_until_closed(event_stream& events, std::vector<monitor_event>& seen,
                                                std::chrono::milliseconds budget) {
  std::vector<monitor_event> retried;
  test::deadline d{budget};
  while (auto e = events.next(d.remaining())) {
    seen.push_back(*e);
    if (e->kind == event_kind::connect_retried)
      retried.push_back(*e);
    if (e->kind == event_kind::closed)
      break;
  }
  return retried;
}

TEST(ReconnectBackoff, RetryIntervalsDoubleUpToReconnectIvlMaxThenMaxAttemptsStops) {
  auto ep = test::local_endpoint(test::free_tcp_port());  // nobody listens: refused at once
  context ctx;
  socket push{ctx, socket_type::push, policy(10, 80, 6)};
  auto events = push.monitor();
  push.connect(ep);
  std::vector<monitor_event> seen;
  auto retried = retries_until_closed(events, seen, 10000ms);
  std::vector<long> waits;
  for (auto& e : retried) {
    waits.push_back(static_cast<long>(e.retry_ivl.count()));
    EXPECT_EQ(e.reason_code, event_reason::refused) << e.reason;
    EXPECT_EQ(e.endpoint, ep);
  }
  EXPECT_EQ(waits, (std::vector<long>{10, 20, 40, 80, 80, 80})) << test::describe(seen);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().kind, event_kind::closed) << test::describe(seen);
  EXPECT_EQ(seen.back().reason_code, event_reason::gave_up) << test::describe(seen);
  EXPECT_FALSE(events.next(100ms).has_value()) << "the connector dialled after giving up";
}

TEST(ReconnectBackoff, JitteredWaitsStayWithinTheirBoundsBelowTheNominalWait) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  context ctx;
  auto o = policy(20, 0, 8);
  o.reconnect_jitter_pct = 50;
  socket push{ctx, socket_type::push, o};
  auto events = push.monitor();
  push.connect(ep);
  std::vector<monitor_event> seen;
  auto retried = retries_until_closed(events, seen, 10000ms);
  ASSERT_EQ(retried.size(), 8u) << test::describe(seen);
  for (auto& e : retried) {
    EXPECT_GE(e.retry_ivl.count(), 10) << "more than 50 % jitter";
    EXPECT_LE(e.retry_ivl.count(), 20) << "jitter lengthened the wait";
  }
}

TEST(ReconnectStop, ConnRefusedStopsAfterTheFirstRefusal) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  context ctx;
  socket push{ctx, socket_type::push, policy(10, 0, 0, reconnect_stop_conn_refused)};
  auto events = push.monitor();
  push.connect(ep);
  std::vector<monitor_event> seen;
  auto closed = next_event(events, event_kind::closed, 5000ms, &seen);
  ASSERT_TRUE(closed.has_value()) << test::describe(seen);
  EXPECT_EQ(closed->reason_code, event_reason::stop_condition);
  for (auto& e : seen)
    EXPECT_NE(e.kind, event_kind::connect_retried) << test::describe(seen);
  EXPECT_EQ(push.describe().children.at(0).state, node_state::stopped);
}

// A peer that accepts and hangs up before the greeting: a transient handshake failure.
TEST(ReconnectStop, HandshakeFailedStopsOnlyWhenAsked) {
  for (unsigned stop : {0u, unsigned{reconnect_stop_handshake_failed}}) {
    test::raw_listener listener;
    context ctx;
    socket push{ctx, socket_type::push, policy(10, 0, 0, stop)};
    auto events = push.monitor();
    push.connect(listener.endpoint());
    listener.accept(5000ms).close();
    std::vector<monitor_event> seen;
    auto failed = next_event(events, event_kind::handshake_failed, 5000ms, &seen);
    ASSERT_TRUE(failed.has_value()) << test::describe(seen);
    EXPECT_EQ(failed->reason_code, event_reason::io) << failed->reason;
    auto next = events.next(5000ms);
    ASSERT_TRUE(next.has_value());
    if (stop == 0) {
      EXPECT_EQ(next->kind, event_kind::connect_retried) << to_json(*next);
    } else {
      EXPECT_EQ(next->kind, event_kind::closed) << to_json(*next);
      EXPECT_EQ(next->reason_code, event_reason::stop_condition);
    }
  }
}

TEST(ReconnectStop, AfterDisconnectStopsOnceAnEstablishedConnectionEnds) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, policy(10, 0, 0, reconnect_stop_after_disconnect)};
  auto events = push.monitor();
  push.connect(pull.last_endpoint());
  std::vector<monitor_event> seen;
  ASSERT_TRUE(next_event(events, event_kind::handshake_succeeded, 5000ms, &seen))
    << test::describe(seen);
  pull.close();
  ASSERT_TRUE(next_event(events, event_kind::disconnected, 5000ms, &seen)) << test::describe(seen);
  auto next = events.next(5000ms);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->kind, event_kind::closed) << to_json(*next);
  EXPECT_EQ(next->reason_code, event_reason::stop_condition);
}

// A TCP listener whose accept queue is full and never drained: the kernel drops further SYNs, so
// a dial neither succeeds nor fails until the client's SYN retries give up (minutes).
class blackhole_listener {
public:
  blackhole_listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 0) != 0
        || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("cannot open the blackhole listener");
    port_ = ntohs(a.sin_port);
    filler_.emplace(test::raw_client::connect(port_, 2000ms));  // takes the one queue slot
  }
  ~blackhole_listener() {
    filler_.reset();
    ::close(fd_);
  }
  std::string endpoint() const { return test::local_endpoint(port_); }

private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::optional<test::raw_client> filler_;
};

TEST(ConnectTimeout, ADialThatHangsIsAbandonedAfterConnectTimeoutAndRetried) {
  blackhole_listener hole;
  context ctx;
  auto o = policy(10, 0, 2);
  o.connect_timeout_ms = 150;
  socket push{ctx, socket_type::push, o};
  auto events = push.monitor();
  auto start = test::clock::now();
  push.connect(hole.endpoint());
  std::vector<monitor_event> seen;
  auto retried = next_event(events, event_kind::connect_retried, 5000ms, &seen);
  ASSERT_TRUE(retried.has_value()) << test::describe(seen);
  EXPECT_GE(test::elapsed_ms(start), 150) << "the dial was abandoned before connect_timeout";
  EXPECT_EQ(retried->reason_code, event_reason::timeout) << retried->reason;
  for (auto& e : seen)
    EXPECT_NE(e.kind, event_kind::connected) << "the blackhole accepted: test premise broken";
  auto closed = next_event(events, event_kind::closed, 5000ms, &seen);
  ASSERT_TRUE(closed.has_value()) << test::describe(seen);
  EXPECT_EQ(closed->reason_code, event_reason::gave_up);
}

TEST(Rfc23Reconnect, AnIncompatiblePeerFailsTheHandshakeWithItsReasonAndIsNotRedialled) {
  context ctx;
  socket server{ctx, socket_type::push, test::no_linger()};
  auto server_events = server.monitor();
  server.bind("tcp://127.0.0.1:*");
  socket client{ctx, socket_type::push, policy(10, 0, 0)};
  auto events = client.monitor();
  client.connect(server.last_endpoint());
  std::vector<monitor_event> seen;
  auto failed = next_event(events, event_kind::handshake_failed, 5000ms, &seen);
  ASSERT_TRUE(failed.has_value()) << test::describe(seen);
  EXPECT_EQ(failed->reason_code, event_reason::incompatible_socket_type) << failed->reason;
  EXPECT_NE(failed->connection_id, 0u);
  EXPECT_EQ(failed->mechanism, "NULL");
  auto closed = events.next(5000ms);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->kind, event_kind::closed) << to_json(*closed);
  EXPECT_EQ(closed->reason_code, event_reason::incompatible_socket_type);
  std::vector<monitor_event> server_seen;
  auto refused = next_event(server_events, event_kind::handshake_failed, 5000ms, &server_seen);
  ASSERT_TRUE(refused.has_value()) << test::describe(server_seen);
  EXPECT_EQ(refused->reason_code, event_reason::incompatible_socket_type);
}

TEST(ReconnectBackoff, ASuccessfulHandshakeResetsTheBackoff) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  context ctx;
  socket push{ctx, socket_type::push, policy(10, 1000, 0)};
  auto events = push.monitor();
  push.connect(ep);
  std::vector<monitor_event> seen;
  for (int i = 0; i < 3; ++i)  // 10, 20, 40: backing off while nobody listens
    ASSERT_TRUE(next_event(events, event_kind::connect_retried, 5000ms, &seen)) << test::describe(seen);
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind(ep);
  ASSERT_TRUE(next_event(events, event_kind::handshake_succeeded, 10000ms, &seen))
    << test::describe(seen);
  pull.close();
  auto retried = next_event(events, event_kind::connect_retried, 5000ms, &seen);
  ASSERT_TRUE(retried.has_value()) << test::describe(seen);
  EXPECT_EQ(retried->retry_ivl, 10ms) << "the backoff was not reset by the handshake";
}

} // namespace
} // namespace cafmq
