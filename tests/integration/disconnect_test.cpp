// socket::disconnect (zmq_disconnect): the connection closes (the peer sees it), the connector
// never dials again, what was queued for that peer is discarded, other endpoints carry on, and
// an endpoint the socket is not connected to is refused with an error naming it.
#include "support/deadline.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr int fast_reconnect_ms = 20;

socket_options fast_reconnect() {
  auto o = test::no_linger();
  o.reconnect_ivl_ms = fast_reconnect_ms;
  return o;
}

// Binds `s` to `ep`, retrying while the port is briefly taken (a port from free_tcp_port()).
void bind_with_retry(socket& s, const std::string& ep) {
  test::deadline d{5000ms};
  for (;;) {
    try {
      s.bind(ep);
      return;
    } catch (const error& e) {
      if (e.code() != errc::address_in_use || d.expired())
        throw;
    }
    std::this_thread::sleep_for(10ms);  // poll period of a deadline loop
  }
}

size_t connectors_in(const supervision_node& n) {
  size_t count = 0;
  for (auto& c : n.children)
    count += c.role == node_role::connector;
  return count;
}

TEST(Disconnect, ClosesTheConnectionThePeerSeesItAndOtherEndpointsCarryOn) {
  context ctx;
  socket first{ctx, socket_type::pull, test::no_linger()};
  auto first_events = first.monitor();
  first.bind("tcp://127.0.0.1:*");
  socket second{ctx, socket_type::pull, test::no_linger()};
  second.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, fast_reconnect()};
  auto events = push.monitor();
  push.connect(first.last_endpoint());
  push.connect(second.last_endpoint());
  std::vector<monitor_event> seen;
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(test::next_event(events, event_kind::handshake_succeeded, 5000ms, &seen))
      << test::describe(seen);

  push.disconnect(first.last_endpoint());

  std::vector<monitor_event> theirs;
  ASSERT_TRUE(test::next_event(first_events, event_kind::disconnected, 5000ms, &theirs))
    << "the peer never saw the connection close:\n" << test::describe(theirs);
  // Ours: the connection closed by us, then the connector, both code local, in that order.
  auto disconnected = test::next_event(events, event_kind::disconnected, 5000ms, &seen);
  ASSERT_TRUE(disconnected) << test::describe(seen);
  EXPECT_EQ(disconnected->endpoint, first.last_endpoint());
  EXPECT_EQ(disconnected->reason_code, event_reason::local) << disconnected->reason;
  auto closed = test::next_event(events, event_kind::closed, 5000ms, &seen);
  ASSERT_TRUE(closed) << test::describe(seen);
  EXPECT_EQ(closed->endpoint, first.last_endpoint());
  EXPECT_EQ(closed->reason_code, event_reason::local) << closed->reason;
  EXPECT_EQ(connectors_in(push.describe()), 1u);
  auto st = push.stats();
  EXPECT_TRUE(st.failed_endpoints.empty()) << "the disconnected endpoint was recorded as failed";
  EXPECT_EQ(st.supervisor_restarts, 0u);

  // Every message now goes to the endpoint still connected.
  for (uint64_t i = 0; i < 4; ++i)
    ASSERT_TRUE(push.send(test::sequenced(i), 5000ms));
  for (uint64_t i = 0; i < 4; ++i) {
    auto m = second.recv(5000ms);
    ASSERT_TRUE(m.has_value()) << "message " << i << " did not reach the endpoint still connected";
    EXPECT_EQ(test::sequence_of(*m), i);
  }
  EXPECT_FALSE(first.recv(0ms).has_value());
}

// The disconnected connector had been retrying every 20 ms; a control socket with the same
// reconnect_ivl, connected to the same endpoint, shows when the peer became reachable. Once the
// control has connected and a further window of 10 reconnect intervals has passed, the peer has
// accepted exactly one connection: the control's.
TEST(Disconnect, TheConnectorNeverDialsAgain) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  context ctx;
  socket dealer{ctx, socket_type::dealer, fast_reconnect()};
  auto events = dealer.monitor();
  dealer.connect(ep);
  std::vector<monitor_event> seen;
  ASSERT_TRUE(test::next_event(events, event_kind::connect_retried, 5000ms, &seen))
    << "the connector was not retrying:\n" << test::describe(seen);
  dealer.disconnect(ep);
  auto closed = test::next_event(events, event_kind::closed, 5000ms, &seen);
  ASSERT_TRUE(closed) << test::describe(seen);
  EXPECT_EQ(closed->reason_code, event_reason::local);
  EXPECT_EQ(connectors_in(dealer.describe()), 0u);

  socket control{ctx, socket_type::dealer, fast_reconnect()};
  auto control_events = control.monitor();
  control.connect(ep);
  socket peer{ctx, socket_type::router, test::no_linger()};
  auto peer_events = peer.monitor();
  bind_with_retry(peer, ep);
  std::vector<monitor_event> peer_seen;
  ASSERT_TRUE(test::next_event(control_events, event_kind::handshake_succeeded, 5000ms, &seen))
    << test::describe(seen);
  ASSERT_TRUE(test::next_event(peer_events, event_kind::accepted, 5000ms, &peer_seen));
  auto second = test::next_event(peer_events, event_kind::accepted,
                                 std::chrono::milliseconds(10 * fast_reconnect_ms), &peer_seen);
  EXPECT_FALSE(second) << "a second connection reached the peer: the disconnected connector dialled "
                          "again\n" << test::describe(peer_seen);
  // And the disconnected socket itself reported nothing new.
  auto late = events.next(0ms);
  EXPECT_FALSE(late) << "the disconnected socket reported: " << to_json(*late);
}

TEST(Disconnect, DiscardsWhatWasQueuedForThatPeer) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  context ctx;
  socket dealer{ctx, socket_type::dealer, fast_reconnect()};
  dealer.connect(ep);
  for (uint64_t i = 0; i < 3; ++i)
    ASSERT_TRUE(dealer.send(test::sequenced(i), 0ms)) << "send " << i << " did not queue";
  dealer.disconnect(ep);
  EXPECT_FALSE(dealer.send(test::sequenced(99), 0ms)) << "a send queued with no peer left";

  socket peer{ctx, socket_type::dealer, test::no_linger()};
  bind_with_retry(peer, ep);
  dealer.connect(ep);
  ASSERT_TRUE(dealer.send(test::sequenced(100), 5000ms));
  auto m = peer.recv(5000ms);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(test::sequence_of(*m), 100u) << "a message queued before the disconnect was delivered";
  EXPECT_FALSE(peer.recv(100ms).has_value());
}

// A ROUTER's connection has a pipe of its own (routed by the peer's id): once disconnect()
// returns, the peer is no longer routable.
TEST(Disconnect, ARoutersPeerIsNoLongerRoutableOnceItReturns) {
  context ctx;
  auto peer_options = test::no_linger();
  peer_options.routing_id = "peer";
  socket peer{ctx, socket_type::dealer, peer_options};
  auto peer_events = peer.monitor();
  peer.bind("tcp://127.0.0.1:*");
  auto ep = peer.last_endpoint();
  socket router{ctx, socket_type::router, fast_reconnect()};
  auto events = router.monitor();
  router.connect(ep);
  std::vector<monitor_event> seen;
  ASSERT_TRUE(test::next_event(events, event_kind::handshake_succeeded, 5000ms, &seen))
    << test::describe(seen);  // the peer's pipe is attached before this event
  router.set(opt::router_mandatory, true);
  ASSERT_TRUE(router.send(message{"peer", "hello"}, 5000ms));
  auto m = peer.recv(5000ms);
  ASSERT_TRUE(m.has_value());

  router.disconnect(ep);

  try {
    router.send(message{"peer", "after"}, 0ms);
    FAIL() << "the disconnected peer was still routable";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::host_unreachable) << e.what();
  }
  EXPECT_TRUE(test::next_event(peer_events, event_kind::disconnected, 5000ms, &seen))
    << "the peer never saw the connection close:\n" << test::describe(seen);
}

TEST(Disconnect, AnEndpointNotConnectedIsRefusedNamingIt) {
  context ctx;
  socket s{ctx, socket_type::dealer, test::no_linger()};
  auto ep = test::local_endpoint(test::free_tcp_port());
  auto other = test::local_endpoint(test::free_tcp_port());
  s.connect(ep);
  try {
    s.disconnect(other);
    FAIL() << "disconnect of an endpoint never connected succeeded";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_endpoint);
    std::string what = e.what();
    EXPECT_NE(what.find(other), std::string::npos) << what;
    EXPECT_NE(what.find(ep), std::string::npos) << "the error does not list what is connected: " << what;
  }
  s.disconnect(ep);
  EXPECT_THROW(s.disconnect(ep), error) << "a second disconnect of the same endpoint succeeded";
  s.close();
  try {
    s.disconnect(ep);
    FAIL() << "disconnect on a closed socket succeeded";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::socket_closed);
  }
}

} // namespace
} // namespace cafmq
