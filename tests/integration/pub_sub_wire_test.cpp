// PUB-SUB on the wire against hand-built ZMTP peers: a ZMTP 3.0 SUB subscribing with a legacy
// data frame and a 3.1 SUB with a SUBSCRIBE command both get matching messages from a cafmq PUB;
// a raw PUB sees a cafmq SUB's subscriptions byte for byte (legacy frame for 3.0, SUBSCRIBE /
// CANCEL commands for 3.1), across the short/long size edge (topics of 245, 246, 255, 256 bytes).
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
namespace zmtp = test::zmtp;

constexpr auto budget = 5000ms;

bytes to_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

// Completes a NULL handshake as `type` with ZMTP 3.`minor` on an open connection.
void handshake(test::raw_client& c, uint8_t minor, const std::string& type) {
  ASSERT_TRUE(c.send_all(zmtp::concat({zmtp::greeting("NULL", 3, minor), zmtp::ready_socket_type(type)})));
  ASSERT_EQ(c.read_exact(64, budget).status, test::read_status::ok) << "no greeting";
  auto r = zmtp::read_frame(c, budget);
  ASSERT_TRUE(r && r->is_command() && r->command_name() == "READY") << "no READY";
}

class RawSubscriber : public ::testing::TestWithParam<uint8_t> {};
INSTANTIATE_TEST_SUITE_P(Zmtp, RawSubscriber, ::testing::Values(uint8_t{0}, uint8_t{1}),
                         [](const auto& i) { return "Minor" + std::to_string(i.param); });

TEST_P(RawSubscriber, Rfc23SubscribeMessageShallMakeThePublisherSendMatchingMessages) {
  context ctx;
  socket pub{ctx, socket_type::pub, test::no_linger()};
  pub.bind("tcp://127.0.0.1:*");
  auto c = test::raw_client::connect(pub.last_endpoint(), budget);
  handshake(c, GetParam(), "SUB");
  // 3.0: the legacy data frame 00 02 01 41; 3.1: a SUBSCRIBE command (RFC 37).
  bytes subscribe = GetParam() == 0 ? bytes{0x00, 0x02, 0x01, 0x41}
                                    : bytes{0x04, 0x0b, 0x09, 'S', 'U', 'B', 'S', 'C', 'R', 'I', 'B', 'E', 'A'};
  ASSERT_TRUE(c.send_all(subscribe));
  ASSERT_TRUE(pub.wait_subscribers(1, budget));
  ASSERT_TRUE(pub.send(message{"B no"}, budget));
  ASSERT_TRUE(pub.send(message{"A yes", "part"}, budget));
  auto f1 = zmtp::read_frame(c, budget);
  auto f2 = zmtp::read_frame(c, budget);
  ASSERT_TRUE(f1 && f2);
  EXPECT_EQ(f1->flags, 0x01);
  EXPECT_EQ(f1->body, to_bytes("A yes"));
  EXPECT_EQ(f2->flags, 0x00);
  EXPECT_EQ(f2->body, to_bytes("part"));
}

TEST_P(RawSubscriber, Rfc29PubShallSilentlyDiscardMessagesSubscribersSend) {
  context ctx;
  socket pub{ctx, socket_type::pub, test::no_linger()};
  pub.bind("tcp://127.0.0.1:*");
  auto c = test::raw_client::connect(pub.last_endpoint(), budget);
  handshake(c, GetParam(), "SUB");
  for (int i = 0; i < 5000; ++i)  // CVE-2021-20237: never queued
    ASSERT_TRUE(c.send_all(zmtp::message_frame("abc")));
  ASSERT_TRUE(c.send_all(bytes{0x00, 0x02, 0x01, 0x41}));
  ASSERT_TRUE(pub.wait_subscribers(1, budget)) << "the subscription behind the junk was not taken in";
  ASSERT_TRUE(pub.send(message{"A"}, budget));
  auto f = zmtp::read_frame(c, budget);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->body, to_bytes("A"));
}

struct raw_pub_case {
  uint8_t minor;
  size_t topic_len;
};

class RawPublisher : public ::testing::TestWithParam<raw_pub_case> {};
INSTANTIATE_TEST_SUITE_P(
  TopicLengths, RawPublisher,
  ::testing::Values(raw_pub_case{0, 1}, raw_pub_case{0, 245}, raw_pub_case{0, 246}, raw_pub_case{0, 255},
                    raw_pub_case{0, 256}, raw_pub_case{1, 1}, raw_pub_case{1, 245}, raw_pub_case{1, 246},
                    raw_pub_case{1, 255}, raw_pub_case{1, 256}),
  [](const auto& i) {
    return "Minor" + std::to_string(i.param.minor) + "_Topic" + std::to_string(i.param.topic_len);
  });

TEST_P(RawPublisher, SubSendsItsSubscriptionAndCancelInTheFormThePeerVersionNeeds) {
  auto [minor, len] = GetParam();
  test::raw_listener listener;
  context ctx;
  socket sub{ctx, socket_type::sub, test::no_linger()};
  std::string topic = test::patterned(len, 0x41);
  sub.subscribe(topic);
  sub.connect(listener.endpoint());
  auto c = listener.accept(budget);
  handshake(c, minor, "PUB");
  auto expect_frame = [&](bool subscribe) {
    auto f = zmtp::read_frame(c, budget);
    ASSERT_TRUE(f.has_value()) << "no subscription frame";
    if (minor == 0) {
      // RFC 23: %x00 short-size %d1 subscription (LONG once the body passes 255 bytes).
      EXPECT_EQ(f->flags, len + 1 > 255 ? 0x02 : 0x00);
      bytes body{uint8_t(subscribe ? 1 : 0)};
      body.insert(body.end(), topic.begin(), topic.end());
      EXPECT_EQ(f->body, body);
    } else {
      // RFC 37: a SUBSCRIBE/CANCEL command; the body is name length + name + topic.
      std::string name = subscribe ? "SUBSCRIBE" : "CANCEL";
      EXPECT_EQ(f->flags, 1 + name.size() + len > 255 ? 0x06 : 0x04);
      bytes body{uint8_t(name.size())};
      body.insert(body.end(), name.begin(), name.end());
      body.insert(body.end(), topic.begin(), topic.end());
      EXPECT_EQ(f->body, body);
    }
  };
  expect_frame(true);
  sub.unsubscribe(topic);
  expect_frame(false);
  // And the subscriber still receives from this peer what matches.
  ASSERT_TRUE(c.send_all(zmtp::message_frame(topic + "!")));
  sub.subscribe(topic);
  auto m = sub.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)[0].to_string(), topic + "!");
}

TEST(RawPublisherBytes, LegacyAndCommandFormsOfTopicAMatchTheReference) {
  for (uint8_t minor : {uint8_t{0}, uint8_t{1}}) {
    test::raw_listener listener;
    context ctx;
    socket sub{ctx, socket_type::sub, test::no_linger()};
    sub.connect(listener.endpoint());
    auto c = listener.accept(budget);
    handshake(c, minor, "PUB");
    sub.subscribe("A");
    sub.unsubscribe("A");
    // protocol-reference §1.7: 3.0 `00 02 01 41` / `00 02 00 41`; 3.1 SUBSCRIBE and CANCEL.
    bytes want = minor == 0 ? bytes{0x00, 0x02, 0x01, 0x41, 0x00, 0x02, 0x00, 0x41}
                            : bytes{0x04, 0x0b, 0x09, 'S', 'U', 'B', 'S', 'C', 'R', 'I', 'B', 'E', 'A',
                                    0x04, 0x08, 0x06, 'C', 'A', 'N', 'C', 'E', 'L', 'A'};
    auto got = c.read_exact(want.size(), budget);
    ASSERT_EQ(got.status, test::read_status::ok);
    EXPECT_EQ(got.data, want) << "ZMTP 3." << int(minor);
  }
}

} // namespace
} // namespace cafmq
