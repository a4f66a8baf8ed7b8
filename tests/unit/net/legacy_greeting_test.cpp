// The greeting exchange with ZMTP 2.0/1.0 downgrade, on bytes (RFC 23 §Version Negotiation,
// RFC 15, RFC 13): what we send at each step, what the peer's bytes settle on, and the
// CVE-2014-9721 refusal for PLAIN/CURVE sockets and NULL sockets with a ZAP domain.
#include "net/legacy_greeting.hpp"
#include "hex.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace cafmq;
using namespace cafmq::net;
using cafmq::test::from_hex;
using status = greeting_check::status;

namespace {

greeting_plan null_plan(std::string identity = "", uint8_t type = 8 /* PUSH */) {
  greeting_plan p;
  p.identity = std::move(identity);
  p.socket_type = type;
  return p;
}

greeting_plan secure_plan(const char* mechanism) {
  greeting_plan p;
  p.mechanism = mechanism;
  p.no_downgrade_because = std::string("this socket uses ") + mechanism;
  return p;
}

// Feeds all of `in` as the peer would, in one piece; returns how many bytes were taken.
size_t feed_all(greeting_exchange& g, const std::vector<uint8_t>& in) {
  size_t used = 0;
  while (used < in.size() && g.wanted() > 0) {
    size_t take = std::min(g.wanted(), in.size() - used);
    g.feed(in.data() + used, take);
    used += take;
  }
  return used;
}

std::vector<uint8_t> v3_greeting(const char* mechanism = "NULL") {
  auto g = make_greeting(mechanism, false);
  return {g.begin(), g.end()};
}

const auto v2_greeting = from_hex("ff 00 00 00 00 00 00 00 01 7f 01 07");  // revision 1, PULL

} // namespace

TEST(LegacyGreeting, NullSendsTheSignatureFirstWithTheIdentityLength) {
  greeting_exchange g{null_plan("abc")};
  EXPECT_EQ(g.take_due(), from_hex("ff 00 00 00 00 00 00 00 04 7f"));
  EXPECT_TRUE(g.take_due().empty()) << "each byte is handed out once";
  EXPECT_EQ(g.wanted(), 1u) << "first byte decides between signature and ZMTP 1.0";
}

TEST(LegacyGreeting, SecureMechanismsSendAllSixtyFourBytesAtOnce) {
  greeting_exchange g{secure_plan("PLAIN")};
  EXPECT_EQ(g.take_due(), v3_greeting("PLAIN"));
  EXPECT_EQ(g.wanted(), greeting_size);
}

TEST(LegacyGreeting, VersionedPeerGetsTheMajorThenTheRestOfThreeX) {
  greeting_exchange g{null_plan()};
  g.take_due();
  auto peer = v3_greeting();
  g.feed(peer.data(), 1);
  EXPECT_TRUE(g.take_due().empty()) << "nothing before the peer's signature is whole";
  g.feed(peer.data() + 1, g.wanted());
  EXPECT_EQ(g.take_due(), from_hex("03"));
  EXPECT_EQ(g.wanted(), 1u) << "the peer's revision byte";
  g.feed(peer.data() + 10, 1);
  auto rest = g.take_due();
  auto ours = v3_greeting();
  ASSERT_EQ(rest.size(), greeting_size - 11);
  EXPECT_TRUE(std::equal(rest.begin(), rest.end(), ours.begin() + 11));
  EXPECT_EQ(feed_all(g, {peer.begin() + 11, peer.end()}), greeting_size - 11);
  EXPECT_EQ(g.result().check.state, status::ok);
  EXPECT_EQ(g.result().version, zmtp_version::v3);
  EXPECT_EQ(g.result().check.minor, 1);
  EXPECT_EQ(g.frame_format(), framing::zmtp3);
}

TEST(LegacyGreeting, ThreeXPeerWithAnotherMechanismIsAMismatch) {
  greeting_exchange g{null_plan()};
  feed_all(g, v3_greeting("CURVE"));
  EXPECT_EQ(g.result().check.state, status::failed);
  EXPECT_EQ(g.result().check.code, event_reason::mechanism_mismatch);
}

TEST(LegacyGreeting, Zmtp20PeerGetsOurSocketTypeAndIdentityFrame) {
  greeting_exchange g{null_plan("id", 5 /* DEALER */)};
  g.take_due();
  auto peer = v2_greeting;
  peer.push_back(0x00);  // the start of its identity frame: never taken by the greeting
  EXPECT_EQ(feed_all(g, peer), 12u);
  EXPECT_EQ(g.take_due(), from_hex("03 05 00 02 69 64")) << "major, DEALER, identity frame 'id'";
  EXPECT_EQ(g.result().check.state, status::ok);
  EXPECT_EQ(g.result().version, zmtp_version::v2);
  EXPECT_EQ(g.result().peer_socket_type, 7);
  EXPECT_EQ(g.frame_format(), framing::zmtp2);
  EXPECT_EQ(g.wanted(), 0u);
}

TEST(LegacyGreeting, VersionedZmtp10PeerGetsAZmtp10IdentityFrame) {
  greeting_exchange g{null_plan("id")};
  g.take_due();
  auto peer = from_hex("ff 00 00 00 00 00 00 00 01 7f 00 08");
  EXPECT_EQ(feed_all(g, peer), 12u);
  EXPECT_EQ(g.take_due(), from_hex("03 08 03 00 69 64")) << "length counts the flags byte";
  EXPECT_EQ(g.result().version, zmtp_version::v1);
  EXPECT_EQ(g.frame_format(), framing::zmtp1);
}

TEST(LegacyGreeting, UnversionedPeerIsZmtp10AndGetsOurIdentityAfterTheSignature) {
  greeting_exchange g{null_plan("xyz")};
  g.take_due();
  auto peer = from_hex("03 00 41 42 02 00 68");  // identity "AB", then a frame
  EXPECT_EQ(feed_all(g, peer), 2u) << "the length and flags bytes only";
  EXPECT_EQ(g.result().check.state, status::ok);
  EXPECT_EQ(g.result().version, zmtp_version::v1_unversioned);
  EXPECT_EQ(g.result().peer_socket_type, -1);
  EXPECT_EQ(g.peer_bytes(), from_hex("03 00"));
  EXPECT_EQ(g.take_due(), from_hex("78 79 7a")) << "the body of the frame our signature began";
}

TEST(LegacyGreeting, UnversionedLongSignatureIsZmtp10) {
  greeting_exchange g{null_plan()};
  auto peer = from_hex("ff 00 00 00 00 00 00 01 00 00");  // length 256, flags 0
  EXPECT_EQ(feed_all(g, peer), 10u);
  EXPECT_EQ(g.result().version, zmtp_version::v1_unversioned);
}

TEST(LegacyGreeting, BytesThatAreNoIdentityFrameAreNotZmtp) {
  for (auto bad : {std::string("GET / HTTP/1.1\r\n"), std::string("\x01\x01", 2),
                   std::string("\x00\x00", 2), std::string("\x16\x03\x01", 3)}) {
    greeting_exchange g{null_plan()};
    feed_all(g, {bad.begin(), bad.end()});
    EXPECT_EQ(g.result().check.state, status::failed) << bad;
    EXPECT_NE(g.result().check.error.find("peer does not speak ZMTP (no 0xFF signature)"),
              std::string::npos) << g.result().check.error;
    EXPECT_EQ(g.peer_bytes().size(), 2u) << "refused after the flags byte";
  }
  greeting_exchange g{null_plan()};
  feed_all(g, from_hex("ff 00 00 00 00 00 00 00 01 7e"));
  EXPECT_EQ(g.result().check.state, status::failed) << "reserved flag bits in byte 9";
}

TEST(LegacyGreeting, RevisionTwoIsRefused) {
  greeting_exchange g{null_plan()};
  feed_all(g, from_hex("ff 00 00 00 00 00 00 00 01 7f 02"));
  EXPECT_EQ(g.result().check.state, status::failed);
  EXPECT_NE(g.result().check.error.find("0x02"), std::string::npos);
}

// CVE-2014-9721: a downgrade would skip PLAIN/CURVE (or the ZAP check), so it is refused as early
// as the bytes show it, with the reason.
TEST(LegacyGreeting, SecureSocketRefusesDowngradeCve20149721) {
  struct peer_case {
    std::vector<uint8_t> bytes;
    size_t decided_after;
    const char* says;
  };
  const peer_case cases[] = {
    {v2_greeting, 11, "ZMTP 2.0 (revision 0x01)"},
    {from_hex("ff 00 00 00 00 00 00 00 01 7f 00 08"), 11, "ZMTP 1.0 (revision 0x00)"},
    {from_hex("ff 00 00 00 00 00 00 01 00 00"), 10, "ZMTP 1.0 (unversioned signature)"},
    {from_hex("03 00 41 42"), 1, "ZMTP 1.0"},
  };
  for (const char* mechanism : {"PLAIN", "CURVE"}) {
    for (const auto& c : cases) {
      greeting_exchange g{secure_plan(mechanism)};
      for (size_t i = 0; i < c.bytes.size() && g.wanted() > 0; ++i)
        g.feed(c.bytes.data() + i, 1);
      const auto& check = g.result().check;
      ASSERT_EQ(check.state, status::failed) << c.says;
      EXPECT_EQ(g.peer_bytes().size(), c.decided_after) << c.says;
      EXPECT_NE(check.error.find("CVE-2014-9721"), std::string::npos) << check.error;
      EXPECT_NE(check.error.find("downgrade"), std::string::npos) << check.error;
      EXPECT_NE(check.error.find(c.says), std::string::npos) << check.error;
      EXPECT_NE(check.error.find(mechanism), std::string::npos) << check.error;
      EXPECT_EQ(check.code, event_reason::protocol);
    }
  }
}

TEST(LegacyGreeting, NullWithZapDomainRefusesDowngrade) {
  auto plan = null_plan();
  plan.no_downgrade_because = "this socket has a ZAP domain";
  greeting_exchange g{plan};
  EXPECT_EQ(g.take_due().size(), greeting_size);
  feed_all(g, v2_greeting);
  EXPECT_EQ(g.result().check.state, status::failed);
  EXPECT_NE(g.result().check.error.find("ZAP domain"), std::string::npos);
}

TEST(LegacyGreeting, ByteByByteEqualsWhole) {
  for (auto peer : {v3_greeting(), v2_greeting, from_hex("05 00 61 62 63 64")}) {
    greeting_exchange whole{null_plan("me")};
    greeting_exchange bytewise{null_plan("me")};
    auto a = feed_all(whole, peer);
    size_t b = 0;
    std::vector<uint8_t> sent;
    while (b < peer.size() && bytewise.wanted() > 0) {
      bytewise.feed(peer.data() + b++, 1);
      auto due = bytewise.take_due();
      sent.insert(sent.end(), due.begin(), due.end());
    }
    EXPECT_EQ(a, b);
    EXPECT_EQ(whole.take_due(), sent);
    EXPECT_EQ(whole.result().version, bytewise.result().version);
    EXPECT_EQ(whole.result().check.state, bytewise.result().check.state);
  }
}

TEST(LegacyGreeting, SocketTypeNames) {
  EXPECT_EQ(legacy_socket_type_name(0), "PAIR");
  EXPECT_EQ(legacy_socket_type_name(8), "PUSH");
  EXPECT_EQ(legacy_socket_type_name(10), "XSUB");
  EXPECT_TRUE(legacy_socket_type_name(11).empty()) << "STREAM has no ZMTP peer";
  EXPECT_TRUE(legacy_socket_type_name(-1).empty());
  EXPECT_THROW(greeting_exchange{null_plan(std::string(256, 'x'))}, std::invalid_argument);
}
