// socket::unbind (zmq_unbind): the listener stops, the port is free for a new bind at once, the
// connections accepted on it close (the peer sees it), nothing restarts it, and an endpoint the
// socket is not bound to is refused with an error naming it.
#include "support/deadline.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"
#include "support/raw_tcp.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

// The listener nodes describe() shows.
std::vector<std::string> listeners_of(const supervision_node& n) {
  std::vector<std::string> out;
  for (auto& c : n.children)
    if (c.role == node_role::listener)
      out.push_back(c.endpoint);
  return out;
}

TEST(Unbind, FreesThePortForANewBindAtOnce) {
  context ctx;
  socket first{ctx, socket_type::pull, test::no_linger()};
  first.bind("tcp://127.0.0.1:*");
  auto ep = first.last_endpoint();
  first.unbind(ep);
  socket second{ctx, socket_type::pull, test::no_linger()};
  EXPECT_NO_THROW(second.bind(ep)) << "the port of " << ep << " was still taken after unbind returned";
  second.unbind(ep);
  EXPECT_NO_THROW(first.bind(ep)) << "the unbound socket cannot bind its old port again";
}

TEST(Unbind, ClosesTheAcceptedConnectionsAndThePeerSeesIt) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  auto pull_events = pull.monitor();
  pull.bind("tcp://127.0.0.1:*");
  auto ep = pull.last_endpoint();
  socket_options o = test::no_linger();
  o.reconnect_ivl_ms = 20;
  socket push{ctx, socket_type::push, o};
  auto push_events = push.monitor();
  push.connect(ep);
  std::vector<monitor_event> seen;
  ASSERT_TRUE(test::next_event(push_events, event_kind::handshake_succeeded, 5000ms, &seen))
    << test::describe(seen);
  ASSERT_TRUE(push.send(message{"before"}, 5000ms));
  auto m = pull.recv(5000ms);
  ASSERT_TRUE(m.has_value());

  pull.unbind(ep);

  // The peer's connection ends, and its redials are refused: nothing listens there any more.
  auto gone = test::next_event(push_events, event_kind::disconnected, 5000ms, &seen);
  ASSERT_TRUE(gone) << "the peer never saw its connection close:\n" << test::describe(seen);
  // (The first connect_retried is for the lost connection, code io; the redials are refused.)
  test::deadline d{5000ms};
  std::optional<monitor_event> refused;
  while (!refused && !d.expired())
    if (auto e = test::next_event(push_events, event_kind::connect_retried, d.remaining(), &seen);
        e && e->reason_code == event_reason::refused)
      refused = e;
  ASSERT_TRUE(refused) << "no redial was refused:\n" << test::describe(seen);
  // This side reports the connection closed by us, then the listener closed, both code local.
  std::vector<monitor_event> ours;
  auto disconnected = test::next_event(pull_events, event_kind::disconnected, 5000ms, &ours);
  ASSERT_TRUE(disconnected) << test::describe(ours);
  EXPECT_EQ(disconnected->reason_code, event_reason::local) << disconnected->reason;
  auto closed = test::next_event(pull_events, event_kind::closed, 5000ms, &ours);
  ASSERT_TRUE(closed) << test::describe(ours);
  EXPECT_EQ(closed->endpoint, ep);
  EXPECT_EQ(closed->reason_code, event_reason::local) << closed->reason;
}

TEST(Unbind, ClosesAConnectionStillInItsHandshake) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  auto events = pull.monitor();
  pull.bind("tcp://127.0.0.1:*");
  auto ep = pull.last_endpoint();
  auto silent = test::raw_client::connect(ep, 5000ms);  // never sends a greeting
  std::vector<monitor_event> seen;
  ASSERT_TRUE(test::next_event(events, event_kind::accepted, 5000ms, &seen)) << test::describe(seen);
  ASSERT_TRUE(test::eventually([&] { return pull.stats().pending_handshakes == 1; }, 5000ms));

  pull.unbind(ep);

  EXPECT_TRUE(silent.wait_closed(5000ms)) << "the half-open connection was left open";
  auto failed = test::next_event(events, event_kind::handshake_failed, 5000ms, &seen);
  ASSERT_TRUE(failed) << test::describe(seen);
  EXPECT_EQ(failed->reason_code, event_reason::local) << failed->reason;
  EXPECT_EQ(pull.stats().pending_handshakes, 0u);
}

TEST(Unbind, MessagesAlreadyReceivedStayReceivable) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  auto ep = pull.last_endpoint();
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(ep);
  for (uint64_t i = 0; i < 3; ++i)
    ASSERT_TRUE(push.send(test::sequenced(i), 5000ms));
  ASSERT_TRUE(test::eventually(
    [&] {
      size_t queued = 0;
      for (auto& p : pull.stats().peers)
        queued += p.queued_in;
      return queued == 3;
    },
    5000ms))
    << "the three messages never reached the receive queue";
  pull.unbind(ep);
  for (uint64_t i = 0; i < 3; ++i) {
    auto m = pull.recv(1000ms);
    ASSERT_TRUE(m.has_value()) << "message " << i << " was lost by the unbind";
    EXPECT_EQ(test::sequence_of(*m), i);
  }
}

TEST(Unbind, TakesTheEndpointAsGivenToBindUnlessItsPortIsAWildcard) {
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  auto port = test::free_tcp_port();
  auto given = "tcp://*:" + std::to_string(port);
  s.bind(given);
  EXPECT_NE(s.last_endpoint(), given);  // the real address: [::] (or 0.0.0.0 without IPv6)
  s.unbind(given);
  EXPECT_TRUE(listeners_of(s.describe()).empty());

  s.bind("tcp://127.0.0.1:*");
  try {
    s.unbind("tcp://127.0.0.1:*");
    FAIL() << "a wildcard port was accepted by unbind";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_endpoint);
    EXPECT_NE(std::string(e.what()).find(s.last_endpoint()), std::string::npos)
      << "the error does not name the real endpoint to unbind: " << e.what();
  }
  s.unbind(s.last_endpoint());
}

TEST(Unbind, AnEndpointNotBoundIsRefusedNamingIt) {
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  s.bind("tcp://127.0.0.1:*");
  auto ep = s.last_endpoint();
  auto other = test::local_endpoint(test::free_tcp_port());
  try {
    s.unbind(other);
    FAIL() << "unbind of an endpoint never bound succeeded";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_endpoint);
    std::string what = e.what();
    EXPECT_NE(what.find(other), std::string::npos) << what;
    EXPECT_NE(what.find("not bound"), std::string::npos) << what;
    EXPECT_NE(what.find(ep), std::string::npos) << "the error does not list what is bound: " << what;
  }
  s.unbind(ep);
  EXPECT_THROW(s.unbind(ep), error) << "a second unbind of the same endpoint succeeded";
  try {
    s.unbind("nonsense");
    FAIL() << "an endpoint that does not parse was accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_endpoint) << e.what();
  }
}

TEST(Unbind, ThatListenerIsGoneFromDescribeAndNeverRestarted) {
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  auto events = s.monitor();
  s.bind("tcp://127.0.0.1:*");
  auto kept = s.last_endpoint();
  s.bind("tcp://127.0.0.1:*");
  auto dropped = s.last_endpoint();
  s.unbind(dropped);
  EXPECT_EQ(listeners_of(s.describe()), std::vector<std::string>{kept});
  std::vector<monitor_event> seen;
  auto closed = test::next_event(events, event_kind::closed, 5000ms, &seen);
  ASSERT_TRUE(closed) << test::describe(seen);
  EXPECT_EQ(closed->endpoint, dropped);
  auto st = s.stats();
  EXPECT_EQ(st.supervisor_restarts, 0u);
  EXPECT_TRUE(st.failed_endpoints.empty());
  // No `listening` again for the unbound endpoint: a restart would say so. A bind of a third
  // endpoint is the marker that every event before it has been delivered.
  s.bind("tcp://127.0.0.1:*");
  auto marker = s.last_endpoint();
  for (;;) {
    auto e = test::next_event(events, event_kind::listening, 5000ms, &seen);
    ASSERT_TRUE(e) << test::describe(seen);
    ASSERT_NE(e->endpoint, dropped) << "the unbound listener was restarted";
    if (e->endpoint == marker)
      break;
  }
}

} // namespace
} // namespace cafmq
