// tcp:// connects as libzmq users rely on them: the source-address form
// "tcp://src:port;dst:port" (the binder sees the connection come from there), a source that
// cannot be bound, and a host that does not resolve (a clear event each time, retried per the
// reconnect policy until reconnect_max_attempts).
#include "support/deadline.hpp"
#include "support/resolver.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;

constexpr auto budget = 5000ms;

std::string port_text(const std::string& endpoint) {
  return endpoint.substr(endpoint.rfind(':') + 1);
}

TEST(TcpConnect, SourceAddressAndPortAreWhatTheBinderSees) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  auto events = pull.monitor();
  pull.bind("tcp://127.0.0.1:*");
  auto src_port = std::to_string(test::free_tcp_port());
  socket push{ctx, socket_type::push, test::no_linger()};
  // 127.0.0.2 is a loopback address too (127/8), distinct from the destination.
  push.connect("tcp://127.0.0.2:" + src_port + ";127.0.0.1:" + port_text(pull.last_endpoint()));
  auto accepted = test::next_event(events, event_kind::accepted, budget);
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(accepted->remote_endpoint, "tcp://127.0.0.2:" + src_port);
  ASSERT_TRUE(push.send(message{"from a source"}, budget));
  auto m = pull.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(frames_of(*m), std::vector<std::string>{"from a source"});
  EXPECT_EQ(pull.last_peer()->peer_address(), "127.0.0.2");
}

TEST(TcpConnect, AnySourcePortAndInterfaceNameSources) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  auto events = pull.monitor();
  pull.bind("tcp://127.0.0.1:*");
  auto port = port_text(pull.last_endpoint());
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect("tcp://lo:*;127.0.0.1:" + port);
  auto accepted = test::next_event(events, event_kind::accepted, budget);
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(accepted->remote_endpoint.rfind("tcp://127.0.0.1:", 0), 0u) << accepted->remote_endpoint;
}

TEST(TcpConnect, ASourceThatCannotBeBoundIsRetriedWithAClearReason) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  auto o = test::no_linger();
  o.reconnect_ivl_ms = 10;
  o.reconnect_max_attempts = 2;
  socket push{ctx, socket_type::push, o};
  auto events = push.monitor();
  // 192.0.2.1 (TEST-NET-1, RFC 5737) is on no interface of a test machine.
  push.connect("tcp://192.0.2.1:0;127.0.0.1:" + port_text(pull.last_endpoint()));
  std::vector<monitor_event> seen;
  auto retried = test::next_event(events, event_kind::connect_retried, budget, &seen);
  ASSERT_TRUE(retried.has_value()) << test::describe(seen);
  EXPECT_EQ(retried->reason_code, event_reason::unreachable) << retried->reason;
  EXPECT_NE(retried->reason.find("cannot bind the source address tcp://192.0.2.1:0"),
            std::string::npos)
    << retried->reason;
  auto closed = test::next_event(events, event_kind::closed, budget, &seen);
  ASSERT_TRUE(closed.has_value()) << test::describe(seen);
  EXPECT_EQ(closed->reason_code, event_reason::gave_up) << test::describe(seen);
}

TEST(TcpConnect, AnUnresolvableHostIsReportedAndRetriedPerThePolicyUntilItGivesUp) {
  if (!test::resolver_fails_fast())
    GTEST_SKIP() << "this machine's resolver takes over 1 s to refuse a .invalid name";
  context ctx;
  auto o = test::no_linger();
  o.reconnect_ivl_ms = 10;
  o.reconnect_ivl_max_ms = 40;
  o.reconnect_max_attempts = 3;
  socket push{ctx, socket_type::push, o};
  auto events = push.monitor();
  const std::string ep = "tcp://no-such-host.invalid:5555";  // RFC 6761: never resolves
  push.connect(ep);
  std::vector<monitor_event> seen;
  std::vector<long> waits;
  // Resolver speed varies by machine: the budget is generous, and nothing waits on time.
  test::deadline d{30000ms};
  while (auto e = events.next(d.remaining())) {
    seen.push_back(*e);
    if (e->kind == event_kind::connect_retried) {
      EXPECT_EQ(e->reason_code, event_reason::unreachable) << e->reason;
      EXPECT_NE(e->reason.find("cannot resolve the host of " + ep), std::string::npos) << e->reason;
      EXPECT_EQ(e->endpoint, ep);
      waits.push_back(static_cast<long>(e->retry_ivl.count()));
    }
    if (e->kind == event_kind::closed)
      break;
  }
  EXPECT_EQ(waits, (std::vector<long>{10, 20, 40})) << test::describe(seen);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().kind, event_kind::closed) << test::describe(seen);
  EXPECT_EQ(seen.back().reason_code, event_reason::gave_up) << test::describe(seen);
}

} // namespace
} // namespace cafmq
