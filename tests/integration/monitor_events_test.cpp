// Monitor events through socket::monitor(): what each endpoint and connection reports, with the
// fields every event carries, and the bounds of the event stream.
#include "support/deadline.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::next_event;

TEST(MonitorEvents, ListenerReportsListeningAcceptedHandshakeAndClosed) {
  context ctx;
  auto pull = std::make_unique<socket>(ctx, socket_type::pull, test::no_linger());
  auto events = pull->monitor();
  pull->bind("tcp://127.0.0.1:*");
  auto bound = pull->last_endpoint();
  std::vector<monitor_event> seen;
  auto listening = next_event(events, event_kind::listening, 5000ms, &seen);
  ASSERT_TRUE(listening.has_value());
  EXPECT_EQ(listening->endpoint, bound);

  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(bound);
  auto accepted = next_event(events, event_kind::accepted, 5000ms, &seen);
  ASSERT_TRUE(accepted.has_value()) << test::describe(seen);
  EXPECT_EQ(accepted->endpoint, bound);
  EXPECT_EQ(accepted->local_endpoint, bound);
  EXPECT_FALSE(accepted->remote_endpoint.empty());
  EXPECT_NE(accepted->connection_id, 0u);
  auto done = next_event(events, event_kind::handshake_succeeded, 5000ms, &seen);
  ASSERT_TRUE(done.has_value()) << test::describe(seen);
  EXPECT_EQ(done->connection_id, accepted->connection_id);
  EXPECT_EQ(done->remote_endpoint, accepted->remote_endpoint);
  EXPECT_TRUE(done->zmtp_known);
  EXPECT_EQ(done->zmtp_minor, 1);
  EXPECT_EQ(done->mechanism, "NULL");
  EXPECT_TRUE(done->identity.empty());

  pull->close();
  auto closed = next_event(events, event_kind::closed, 5000ms, &seen);
  ASSERT_TRUE(closed.has_value()) << test::describe(seen);
  EXPECT_EQ(closed->endpoint, bound);
  EXPECT_EQ(closed->reason_code, event_reason::local);
}

TEST(MonitorEvents, ConnectorReportsDelayedConnectedAndThePeersRoutingId) {
  context ctx;
  socket router{ctx, socket_type::router, test::no_linger()};
  router.bind("tcp://127.0.0.1:*");
  auto o = test::no_linger();
  o.routing_id = "dealer-1";
  socket dealer{ctx, socket_type::dealer, o};
  auto router_events = router.monitor();
  auto events = dealer.monitor();
  dealer.connect(router.last_endpoint());
  std::vector<monitor_event> seen;
  auto delayed = next_event(events, event_kind::connect_delayed, 5000ms, &seen);
  ASSERT_TRUE(delayed.has_value());
  EXPECT_EQ(delayed->endpoint, router.last_endpoint());
  auto connected = next_event(events, event_kind::connected, 5000ms, &seen);
  ASSERT_TRUE(connected.has_value()) << test::describe(seen);
  EXPECT_EQ(connected->remote_endpoint, router.last_endpoint());
  EXPECT_FALSE(connected->local_endpoint.empty());
  auto done = next_event(events, event_kind::handshake_succeeded, 5000ms, &seen);
  ASSERT_TRUE(done.has_value()) << test::describe(seen);
  EXPECT_EQ(done->connection_id, connected->connection_id);
  std::vector<monitor_event> router_seen;
  auto peer = next_event(router_events, event_kind::handshake_succeeded, 5000ms, &router_seen);
  ASSERT_TRUE(peer.has_value()) << test::describe(router_seen);
  EXPECT_EQ(peer->routing_id, "dealer-1");
}

TEST(MonitorEvents, BindFailedIsReportedWithItsReasonAndBindStillThrows) {
  context ctx;
  socket a{ctx, socket_type::pull, test::no_linger()};
  a.bind("tcp://127.0.0.1:*");
  socket b{ctx, socket_type::pull, test::no_linger()};
  auto events = b.monitor();
  EXPECT_THROW(b.bind(a.last_endpoint()), error);
  auto failed = next_event(events, event_kind::bind_failed, 5000ms);
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->endpoint, a.last_endpoint());
  EXPECT_EQ(failed->reason_code, event_reason::address_in_use);
  EXPECT_FALSE(failed->reason.empty());
}

TEST(MonitorEvents, APeerRestartShowsDisconnectedThenConnectedWithANewConnectionId) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  auto events = push.monitor();
  auto pull = std::make_unique<socket>(ctx, socket_type::pull, test::no_linger());
  pull->bind(ep);
  push.connect(ep);
  std::vector<monitor_event> seen;
  auto first = next_event(events, event_kind::handshake_succeeded, 5000ms, &seen);
  ASSERT_TRUE(first.has_value()) << test::describe(seen);
  pull->close();
  auto gone = next_event(events, event_kind::disconnected, 5000ms, &seen);
  ASSERT_TRUE(gone.has_value()) << test::describe(seen);
  EXPECT_EQ(gone->connection_id, first->connection_id);
  EXPECT_EQ(gone->reason_code, event_reason::io) << gone->reason;
  auto retried = next_event(events, event_kind::connect_retried, 5000ms, &seen);
  ASSERT_TRUE(retried.has_value()) << test::describe(seen);
  EXPECT_EQ(retried->retry_ivl, 100ms);  // reconnect_ivl's default
  pull = std::make_unique<socket>(ctx, socket_type::pull, test::no_linger());
  ASSERT_TRUE(test::eventually(
    [&] {
      try {
        pull->bind(ep);
        return true;
      } catch (const error&) {
        return false;
      }
    },
    5000ms, 10ms));
  auto again = next_event(events, event_kind::handshake_succeeded, 10000ms, &seen);
  ASSERT_TRUE(again.has_value()) << test::describe(seen);
  EXPECT_GT(again->connection_id, first->connection_id);
  ASSERT_TRUE(push.send(message{"after"}, 5000ms));
  auto m = pull->recv(5000ms);
  ASSERT_TRUE(m.has_value());
}

TEST(MonitorStream, IsBoundedAndCountsTheOldestEventsItDropped) {
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  auto small = s.monitor(2);
  auto large = s.monitor(64);
  for (int i = 0; i < 5; ++i)
    s.bind("tcp://127.0.0.1:*");  // each emits `listening` before bind returns
  auto last = s.last_endpoint();
  EXPECT_EQ(small.dropped(), 3u);
  EXPECT_EQ(small.capacity(), 2u);
  auto a = small.next(0ms);
  auto b = small.next(0ms);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->endpoint, last) << "the newest event was dropped instead of the oldest";
  EXPECT_FALSE(small.next(0ms).has_value());
  EXPECT_EQ(large.dropped(), 0u);
  int listening = 0;
  while (auto e = large.next(0ms))
    listening += e->kind == event_kind::listening;
  EXPECT_EQ(listening, 5) << "a second stream must see every event";
  EXPECT_THROW(s.monitor(0), error);
}

TEST(MonitorStream, ASlowReaderNeverDelaysReconnecting) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  context ctx;
  auto o = test::no_linger();
  o.reconnect_ivl_ms = 1;
  o.reconnect_max_attempts = 200;
  socket push{ctx, socket_type::push, o};
  auto unread = push.monitor(1);  // never read while the connector retries
  auto events = push.monitor(1024);
  push.connect(ep);
  auto closed = next_event(events, event_kind::closed, 20000ms);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->reason_code, event_reason::gave_up);
  EXPECT_GE(unread.dropped(), 400u);  // 200 x (connect_delayed, connect_retried) and more
}

TEST(MonitorEvents, MessagesDroppedReportsBurstsWhoseCountsAddUpToTheSocketsCounter) {
  context ctx;
  auto o = test::no_linger();
  o.sndhwm = 1;
  o.rcvhwm = 1;
  socket pub{ctx, socket_type::pub, o};
  auto events = pub.monitor();
  pub.bind("tcp://127.0.0.1:*");
  socket sub{ctx, socket_type::sub, o};
  sub.subscribe("");
  sub.connect(pub.last_endpoint());
  ASSERT_TRUE(pub.wait_subscribers(1, 5000ms));
  // The SUB never reads: its queues and the TCP buffers fill, then PUB drops.
  ASSERT_TRUE(test::eventually(
    [&] {
      for (int i = 0; i < 1000; ++i)
        pub.send(message{test::patterned(1024)});
      return pub.messages_dropped() > 100;
    },
    10000ms));
  uint64_t counted = pub.messages_dropped();
  pub.close();  // reports the tail of the last burst
  uint64_t reported = 0;
  int drop_events = 0;
  while (auto e = events.next(0ms))
    if (e->kind == event_kind::messages_dropped) {
      EXPECT_GT(e->dropped, 0u);
      reported += e->dropped;
      ++drop_events;
    }
  EXPECT_EQ(reported, counted);
  EXPECT_GE(drop_events, 1);
  EXPECT_LT(static_cast<uint64_t>(drop_events), counted) << "one event per drop, not per burst";
}

TEST(MonitorCallbacks, ACallbackSeesEventsUntilRemoved) {
  std::atomic<int> calls{0};  // callbacks run until the context is closed: these outlive it
  std::atomic<int> witness{0};  // runs after `calls`' callback, on the same event thread
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  auto id = s.add_event_callback([&](const monitor_event&) { ++calls; });
  s.add_event_callback([&](const monitor_event&) { ++witness; });
  s.bind("tcp://127.0.0.1:*");
  ASSERT_TRUE(test::eventually([&] { return witness == 1; }, 5000ms));
  EXPECT_EQ(calls.load(), 1);
  s.remove_event_callback(id);
  s.bind("tcp://127.0.0.1:*");
  ASSERT_TRUE(test::eventually([&] { return witness == 2; }, 5000ms));
  EXPECT_EQ(calls.load(), 1);
}

} // namespace
} // namespace cafmq
