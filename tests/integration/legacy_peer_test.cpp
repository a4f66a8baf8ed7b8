// ZMTP 2.0 (RFC 15) and 1.0 (RFC 13) peers on raw bytes against cafmq NULL sockets: what cafmq
// sends at each step of the downgrade, messages both ways in the legacy framings, subscriptions
// as messages, and the refusals (reserved flag bits, an identity over 255 bytes, maxmsgsize).
#include "support/events.hpp"
#include "support/guarded_pull.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
using test::read_status;

constexpr auto budget = 5000ms;

bytes read_n(test::raw_client& c, size_t n) {
  auto r = c.read_exact(n, budget);
  EXPECT_EQ(r.status, read_status::ok) << "reading " << n << " bytes";
  return r.data;
}

bytes concat(std::initializer_list<bytes> parts) {
  bytes out;
  for (auto& p : parts)
    out.insert(out.end(), p.begin(), p.end());
  return out;
}

const bytes signature_v2 = {0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F};

TEST(LegacyPeer, Zmtp20PushIsServedStepByStep) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  auto c = test::raw_client::connect(pull.last_endpoint(), budget);
  EXPECT_EQ(read_n(c, 10), signature_v2) << "the signature first, alone";
  c.send_all(signature_v2);
  EXPECT_EQ(read_n(c, 1), bytes{0x03}) << "the major version once we are versioned";
  c.send_all(bytes{0x01, 0x08});  // revision 1 (ZMTP 2.0), PUSH
  EXPECT_EQ(read_n(c, 3), (bytes{0x07, 0x00, 0x00})) << "PULL, then an empty identity frame";
  c.send_all(bytes{0x00, 0x00, 0x01, 0x01, 'a', 0x00, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o'});
  auto m = pull.recv(budget);
  ASSERT_TRUE(m);
  EXPECT_EQ(test::frames_of(*m), (std::vector<std::string>{"a", ""}));
  m = pull.recv(budget);
  ASSERT_TRUE(m);
  EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{"hello"});
  auto props = pull.last_peer();
  ASSERT_TRUE(props);
  EXPECT_EQ(props->socket_type(), "PUSH");
}

TEST(LegacyPeer, Zmtp10PeerGetsOurIdentityAndZmtp10Frames) {
  context ctx;
  auto o = test::no_linger();
  o.routing_id = "me";
  socket dealer{ctx, socket_type::dealer, o};
  dealer.bind("tcp://127.0.0.1:*");
  auto c = test::raw_client::connect(dealer.last_endpoint(), budget);
  // Our signature is the header of our identity frame for a 1.0 peer: length 3, flags 0x7F.
  EXPECT_EQ(read_n(c, 10), (bytes{0xFF, 0, 0, 0, 0, 0, 0, 0, 3, 0x7F}));
  c.send_all(bytes{0x04, 0x00, 'y', 'o', 'u', 0x03, 0x00, 'h', 'i'});  // identity "you", "hi"
  EXPECT_EQ(read_n(c, 2), (bytes{'m', 'e'})) << "the body of our identity frame";
  auto m = dealer.recv(budget);
  ASSERT_TRUE(m);
  EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{"hi"});
  EXPECT_EQ(dealer.last_peer()->identity(), "you");
  EXPECT_EQ(dealer.last_peer()->socket_type(), "") << "ZMTP 1.0 announces no socket type";
  message out;
  out.add(frame{std::string("x")});
  out.add(frame{std::string(300, 'y')});
  ASSERT_TRUE(dealer.send(std::move(out), budget));
  auto wire = read_n(c, 2 + 1 + 10 + 300);
  EXPECT_EQ(bytes(wire.begin(), wire.begin() + 3), (bytes{0x02, 0x01, 'x'}));
  EXPECT_EQ(bytes(wire.begin() + 3, wire.begin() + 13),
            (bytes{0xFF, 0, 0, 0, 0, 0, 0, 0x01, 0x2D, 0x00})) << "length 301 counts the flags";
}

TEST(LegacyPeer, Zmtp20SubscriberSubscribesWithAMessage) {
  context ctx;
  socket pub{ctx, socket_type::pub, test::no_linger()};
  pub.bind("tcp://127.0.0.1:*");
  auto c = test::raw_client::connect(pub.last_endpoint(), budget);
  c.send_all(concat({signature_v2, {0x01, 0x02, 0x00, 0x00}, {0x00, 0x03, 0x01, 'A', '.'}}));
  read_n(c, 14);  // signature, major, PUB, empty identity frame
  ASSERT_TRUE(pub.wait_subscribers(1, budget));
  pub.send(message{frame{std::string("B.no")}});
  pub.send(message{frame{std::string("A.yes")}});
  EXPECT_EQ(read_n(c, 7), (bytes{0x00, 0x05, 'A', '.', 'y', 'e', 's'}));
}

TEST(LegacyPeer, CafmqSubscriberSubscribesWithAMessage) {
  context ctx;
  socket sub{ctx, socket_type::sub, test::no_linger()};
  sub.subscribe("A.");
  sub.bind("tcp://127.0.0.1:*");
  auto c = test::raw_client::connect(sub.last_endpoint(), budget);
  c.send_all(concat({signature_v2, {0x01, 0x01, 0x00, 0x00}}));  // a PUB
  read_n(c, 14);
  // The socket takes the new connection in (and sends it the subscription) inside its calls.
  EXPECT_FALSE(sub.recv(200ms).has_value());
  EXPECT_EQ(read_n(c, 4), (bytes{0x00, 0x03, 0x01, 'A'})) << "0x01 + prefix, as a message";
  EXPECT_EQ(read_n(c, 1), bytes{'.'});
}

// A ZMTP 2.0 PUSH sends `after` once its greeting and identity are in; cafmq drops it with a
// reason naming `text`, and the legitimate PUSH keeps flowing.
void expect_dropped(const bytes& identity_and_more, const char* what, socket_options o = test::no_linger()) {
  test::guarded_pull g{o};
  g.expect_flow(std::string("before ") + what);
  auto c = test::raw_client::connect(g.endpoint(), budget);
  c.send_all(concat({signature_v2, {0x01, 0x08}, identity_and_more}));
  EXPECT_TRUE(c.wait_closed(budget)) << what;
  g.expect_flow(std::string("after ") + what);
  EXPECT_FALSE(g.pull.recv(20ms).has_value()) << what;
}

TEST(LegacyPeer, ReservedFlagBitsAreRefused) {
  expect_dropped({0x04, 0x00}, "COMMAND bit on a 2.0 identity frame");
  expect_dropped({0x00, 0x00, 0x80, 0x01, 'x'}, "bit 7 on a 2.0 data frame");
}

TEST(LegacyPeer, IdentityOver255BytesIsRefused) {
  bytes id = {0x02, 0, 0, 0, 0, 0, 0, 0x01, 0x00};
  id.resize(id.size() + 256, 'i');
  expect_dropped(id, "a 256-byte identity");
}

TEST(LegacyPeer, IdentityWithMoreIsRefused) {
  expect_dropped({0x01, 0x00, 0x00, 0x01, 'x'}, "an identity frame with MORE");
}

TEST(LegacyPeer, MaxmsgsizeHoldsAsOnThreeX) {
  auto o = test::no_linger();
  o.maxmsgsize = 100;  // the guard's own messages are shorter
  bytes big = {0x00, 0x00, 0x00, 101};
  big.resize(big.size() + 101, 'x');
  expect_dropped(big, "a 101-byte frame over 100", o);
}

// A legacy peer cannot be put to the authenticator: with a ZAP domain, NULL refuses the downgrade
// too (as libzmq 4.3 does), sending its whole 3.x greeting at once.
TEST(LegacyPeer, NullWithAZapDomainRefusesTheDowngrade) {
  context ctx;
  auto o = test::no_linger();
  o.zap_domain = "global";
  socket pull{ctx, socket_type::pull, o};
  auto events = pull.monitor();
  pull.bind("tcp://127.0.0.1:*");
  auto c = test::raw_client::connect(pull.last_endpoint(), budget);
  EXPECT_EQ(read_n(c, 64).size(), 64u) << "the whole greeting, without waiting";
  c.send_all(concat({signature_v2, {0x01, 0x08, 0x00, 0x00}}));
  EXPECT_TRUE(c.wait_closed(budget));
  std::vector<monitor_event> seen;
  auto failed = test::next_event(events, event_kind::handshake_failed, budget, &seen);
  ASSERT_TRUE(failed) << test::describe(seen);
  EXPECT_NE(failed->reason.find("CVE-2014-9721"), std::string::npos) << failed->reason;
  EXPECT_NE(failed->reason.find("ZAP domain"), std::string::npos) << failed->reason;
}

TEST(LegacyPeer, Zmtp20PeerOfAnIncompatibleTypeIsRefused) {
  test::guarded_pull g;
  auto c = test::raw_client::connect(g.endpoint(), budget);
  c.send_all(concat({signature_v2, {0x01, 0x07, 0x00, 0x00}}));  // a PULL
  EXPECT_TRUE(c.wait_closed(budget));
  g.expect_flow("after the PULL peer");
}

} // namespace
} // namespace cafmq
