// Bad CURVE MESSAGEs after a complete handshake (RFC 26 §The MESSAGE Command, CVE-2014-7203): a
// raw client that handshook with cafmq's own curve_client sends a MESSAGE that does not
// authenticate, replays or goes back on its short nonce, or is too short to be a MESSAGE. The
// server ends that connection with `disconnected` (the handshake had succeeded) and a protocol
// reason, delivers only the valid messages before it, and its legitimate client keeps flowing.
#include "support/raw_curve.hpp"
#include "support/secured_server.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
using test::raw_curve_client;
using test::secured_by;
using test::secured_pull;

constexpr auto budget = secured_pull::budget;

raw_curve_client handshaken(secured_pull& s) {
  s.expect_flow("before the bad peer");
  auto raw = raw_curve_client::connect(s.endpoint(), budget);
  raw.handshake(budget);
  return raw;
}

// A server with its legitimate client flowing and a raw CURVE client that completed the
// handshake (so a failure now is a disconnect, not a failed handshake).
struct message_case {
  secured_pull s{secured_by::curve};
  raw_curve_client raw = handshaken(s);
  std::string remote = test::local_endpoint_of(raw.wire());

  message_case() {
    EXPECT_TRUE(s.event_of(remote, event_kind::handshake_succeeded));
  }

  // `text`, sent by the raw client, reaches the server's user: the MESSAGE path works.
  void expect_delivered(const bytes& message_body, const std::string& text) {
    ASSERT_TRUE(raw.send_data(message_body));
    auto m = s.server.recv(budget);
    ASSERT_TRUE(m.has_value()) << "the raw client's valid MESSAGE '" << text << "' did not arrive";
    EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{text});
  }

  void expect_disconnected(const std::string& text) {
    test::expect_closed_by_server(raw.wire());
    s.expect_failed(remote, event_kind::disconnected, event_reason::protocol, text);
  }
};

TEST(CurveServerBadMessage, ValidMessagesOfTheRawClientAreDelivered) {
  // Control: the harness's MESSAGEs are good, so what the other tests send is bad by design.
  message_case c;
  c.expect_delivered(c.raw.message("one"), "one");
  c.expect_delivered(c.raw.message("two"), "two");
  EXPECT_FALSE(c.s.server.recv(0ms));
}

TEST(CurveServerBadMessage, MessageWithABadMacDisconnectsAndIsNotDelivered) {
  message_case c;
  auto forged = c.raw.message("forged");
  forged.back() ^= 0x01;  // the last cipher text byte: Poly1305 no longer checks
  c.raw.send_data(forged);
  c.expect_disconnected("MESSAGE does not authenticate");
}

TEST(CurveServerBadMessage, MessageReplayingThePreviousNonceDisconnectsAfterTheOriginal) {
  message_case c;
  auto original = c.raw.message("once");
  c.expect_delivered(original, "once");
  c.raw.send_data(original);  // captured and sent again: same nonce, valid MAC
  c.expect_disconnected("replayed or reordered");
}

TEST(CurveServerBadMessage, MessageWithALowerNonceDisconnectsAfterTheHigherOne) {
  message_case c;
  auto earlier = c.raw.message("earlier");  // nonce n
  auto later = c.raw.message("later");      // nonce n+1
  c.expect_delivered(later, "later");
  c.raw.send_data(earlier);  // valid MAC, but its nonce goes back
  c.expect_disconnected("not above the last one");
}

TEST(CurveServerBadMessage, MessageShorterThan33BytesDisconnectsAsMalformed) {
  message_case c;
  auto m = c.raw.message("");  // 33 bytes: header, nonce, MAC, flags
  ASSERT_EQ(m.size(), 33u);
  m.pop_back();
  c.raw.send_data(m);
  c.expect_disconnected("malformed MESSAGE");
}

TEST(CurveServerBadMessage, BadMessageInsideAMultipartMessageDropsTheWholeMessage) {
  message_case c;
  c.raw.send_data(c.raw.message("first part", true));
  auto forged = c.raw.message("second part");
  forged[20] ^= 0x01;  // inside the MAC
  c.raw.send_data(forged);
  c.expect_disconnected("MESSAGE does not authenticate");  // and the first part never surfaced
}

} // namespace
} // namespace cafmq
