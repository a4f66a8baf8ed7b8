// inproc:// carries every socket type's pattern as tcp does (libzmq's zmq_inproc(7)): PAIR,
// PUSH/PULL, REQ/REP envelopes, DEALER/ROUTER routing ids (Identity and connect routing ids),
// PUB/SUB and XPUB/XSUB subscriptions; peer properties name the peer; STREAM is refused.
#include "support/events.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;

constexpr auto budget = 5000ms;

std::vector<std::string> recv_frames(socket& s) {
  auto m = s.recv(budget);
  EXPECT_TRUE(m.has_value()) << "no message within the budget";
  return m ? frames_of(*m) : std::vector<std::string>{};
}

TEST(InprocPatterns, PairBothWaysAndPeerProperties) {
  context ctx;
  socket a{ctx, socket_type::pair, test::no_linger()};
  socket b{ctx, socket_type::pair, test::no_linger()};
  a.bind("inproc://pair");
  EXPECT_EQ(a.last_endpoint(), "inproc://pair");
  b.connect("inproc://pair");
  ASSERT_TRUE(b.send(message{"ping", "two"}, budget));
  EXPECT_EQ(recv_frames(a), (std::vector<std::string>{"ping", "two"}));
  ASSERT_TRUE(a.send(message{"pong"}, budget));
  EXPECT_EQ(recv_frames(b), std::vector<std::string>{"pong"});
  auto peer = a.last_peer();
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->socket_type(), "PAIR");
  EXPECT_EQ(peer->peer_address(), "inproc://pair");
}

TEST(InprocPatterns, PushPullFansInFromTwoPushers) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  socket push1{ctx, socket_type::push, test::no_linger()};
  socket push2{ctx, socket_type::push, test::no_linger()};
  pull.bind("inproc://fan-in");
  push1.connect("inproc://fan-in");
  push2.connect("inproc://fan-in");
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(push1.send(message{"a" + std::to_string(i)}, budget));
    ASSERT_TRUE(push2.send(message{"b" + std::to_string(i)}, budget));
  }
  int next_a = 0, next_b = 0;
  for (int i = 0; i < 100; ++i) {
    auto f = recv_frames(pull);
    ASSERT_EQ(f.size(), 1u);
    if (f[0][0] == 'a')
      EXPECT_EQ(f[0], "a" + std::to_string(next_a++));
    else
      EXPECT_EQ(f[0], "b" + std::to_string(next_b++));
  }
  EXPECT_EQ(next_a, 50);
  EXPECT_EQ(next_b, 50);
}

TEST(InprocPatterns, PushLoadBalancesOverTwoPullers) {
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  socket pull1{ctx, socket_type::pull, test::no_linger()};
  socket pull2{ctx, socket_type::pull, test::no_linger()};
  push.bind("inproc://balance");
  pull1.connect("inproc://balance");
  pull2.connect("inproc://balance");
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(push.send(message{std::to_string(i)}, budget));
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(recv_frames(pull1).size(), 1u);
    EXPECT_EQ(recv_frames(pull2).size(), 1u);
  }
}

TEST(InprocPatterns, ReqRepRoundTripsKeepTheEnvelope) {
  context ctx;
  socket rep{ctx, socket_type::rep, test::no_linger()};
  socket req{ctx, socket_type::req, test::no_linger()};
  req.connect("inproc://rr");  // before the bind
  rep.bind("inproc://rr");
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(req.send(message{"q" + std::to_string(i)}, budget));
    EXPECT_EQ(recv_frames(rep), std::vector<std::string>{"q" + std::to_string(i)});
    ASSERT_TRUE(rep.send(message{"a" + std::to_string(i)}, budget));
    EXPECT_EQ(recv_frames(req), std::vector<std::string>{"a" + std::to_string(i)});
  }
}

TEST(InprocPatterns, RouterSeesDealerIdentityAndRoutesReplies) {
  context ctx;
  socket router{ctx, socket_type::router, test::no_linger()};
  socket_options o = test::no_linger();
  o.routing_id = "worker-1";
  socket dealer{ctx, socket_type::dealer, o};
  router.bind("inproc://router");
  dealer.connect("inproc://router");
  ASSERT_TRUE(dealer.send(message{"hello"}, budget));
  EXPECT_EQ(recv_frames(router), (std::vector<std::string>{"worker-1", "hello"}));
  ASSERT_TRUE(router.send(message{"worker-1", "reply"}, budget));
  EXPECT_EQ(recv_frames(dealer), std::vector<std::string>{"reply"});
  EXPECT_EQ(router.last_peer()->identity(), "worker-1");
}

TEST(InprocPatterns, ConnectRoutingIdNamesTheBinderOnAConnectingRouter) {
  context ctx;
  socket_options o = test::no_linger();
  o.routing_id = "ignored-by-connect-id";
  socket dealer{ctx, socket_type::dealer, o};
  socket router{ctx, socket_type::router, test::no_linger()};
  dealer.bind("inproc://connect-id");
  router.set_connect_routing_id("chosen");
  router.connect("inproc://connect-id");
  // The name was bound: connect() pairs at once, so the route exists when it returns.
  ASSERT_TRUE(router.send(message{"chosen", "to-dealer"}, budget));
  EXPECT_EQ(recv_frames(dealer), std::vector<std::string>{"to-dealer"});
}

TEST(InprocPatterns, SubscriptionsFilterOnPubSub) {
  context ctx;
  socket pub{ctx, socket_type::pub, test::no_linger()};
  socket sub{ctx, socket_type::sub, test::no_linger()};
  sub.connect("inproc://news");  // before the bind: the subscription waits in the ring
  sub.subscribe("sport");
  pub.bind("inproc://news");
  ASSERT_TRUE(pub.wait_subscribers(1, budget));
  ASSERT_TRUE(pub.send(message{"weather: rain"}, budget));
  ASSERT_TRUE(pub.send(message{"sport: 1-0"}, budget));
  EXPECT_EQ(recv_frames(sub), std::vector<std::string>{"sport: 1-0"});
  EXPECT_FALSE(sub.recv(50ms).has_value());
}

TEST(InprocPatterns, XPubSeesXSubSubscriptionMessages) {
  context ctx;
  socket xpub{ctx, socket_type::xpub, test::no_linger()};
  socket xsub{ctx, socket_type::xsub, test::no_linger()};
  xpub.bind("inproc://x");
  xsub.connect("inproc://x");
  ASSERT_TRUE(xsub.send(message{std::string("\x01topic")}, budget));
  EXPECT_EQ(recv_frames(xpub), std::vector<std::string>{std::string("\x01topic")});
  ASSERT_TRUE(xpub.send(message{"topic-1"}, budget));
  ASSERT_TRUE(xpub.send(message{"other"}, budget));
  EXPECT_EQ(recv_frames(xsub), std::vector<std::string>{"topic-1"});
  EXPECT_FALSE(xsub.recv(50ms).has_value());
}

TEST(InprocPatterns, StreamIsRefusedClearly) {
  context ctx;
  socket s{ctx, socket_type::stream, test::no_linger()};
  try {
    s.bind("inproc://stream");
    FAIL() << "a STREAM socket bound inproc";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::unsupported);
    EXPECT_NE(std::string(e.what()).find("STREAM"), std::string::npos) << e.what();
  }
  EXPECT_THROW(s.connect("inproc://stream"), error);
}

TEST(InprocPatterns, IncompatibleTypesAreRefusedWithAnEvent) {
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  socket pub{ctx, socket_type::pub, test::no_linger()};
  auto events = push.monitor();
  pub.bind("inproc://mismatch");
  push.connect("inproc://mismatch");
  auto e = test::next_event(events, event_kind::handshake_failed, budget);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->reason_code, event_reason::incompatible_socket_type) << e->reason;
  EXPECT_NE(e->reason.find("PUB"), std::string::npos) << e->reason;
  auto tree = to_text(push.describe());
  EXPECT_NE(tree.find("refused"), std::string::npos) << tree;
}

} // namespace
} // namespace cafmq
