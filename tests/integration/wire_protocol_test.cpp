// What cafmq puts on the wire, checked byte by byte against ZMTP 3.1 (RFC 23/37, protocol-
// reference §1): the greeting in both roles, READY metadata, PING/PONG, and the greeting
// variants a conforming peer may send (3.0, as-server = 1) being accepted.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
using test::read_status;
namespace zmtp = test::zmtp;

bytes text(const std::string& s) {
  return bytes(s.begin(), s.end());
}

// Checks the 64 greeting bytes field by field (protocol-reference §1.1).
void expect_null_31_greeting(const bytes& g) {
  ASSERT_EQ(g.size(), 64u);
  EXPECT_EQ(g[0], 0xFF) << "signature start";
  // Bytes 1..8 are padding that must not be interpreted (RFC 23 §Version Negotiation).
  EXPECT_EQ(g[9], 0x7F) << "signature end (LSB set: versioned peer)";
  EXPECT_EQ(g[10], 0x03) << "version major";
  EXPECT_EQ(g[11], 0x01) << "version minor (3.1)";
  EXPECT_EQ(bytes(g.begin() + 12, g.begin() + 16), text("NULL")) << "mechanism";
  for (size_t i = 16; i < 32; ++i)
    EXPECT_EQ(g[i], 0x00) << "mechanism NUL padding at offset " << i;
  EXPECT_EQ(g[32], 0x00) << "as-server must be 0 for NULL";
  for (size_t i = 33; i < 64; ++i)
    EXPECT_EQ(g[i], 0x00) << "filler at offset " << i;
}

// A NULL socket greets in steps, as libzmq 4.3 does (RFC 23 §Version Negotiation, and ZMTP 2.0/1.0
// downgrade): the 10-byte signature at once, without waiting for the peer; the rest once the
// peer's signature and revision show a 3.x peer.
void expect_stepwise_null_31_greeting(test::raw_client& c) {
  auto signature = c.read_exact(10, 2000ms);  // we send nothing yet: it comes all the same
  ASSERT_EQ(signature.status, read_status::ok)
    << "signature not sent within 2 s (got " << signature.data.size() << " bytes)";
  auto peer = zmtp::greeting();
  ASSERT_TRUE(c.send_all(bytes(peer.begin(), peer.begin() + 10)));
  auto major = c.read_exact(1, 2000ms);
  ASSERT_EQ(major.status, read_status::ok) << "no major version after our signature";
  ASSERT_TRUE(c.send_all(bytes(peer.begin() + 10, peer.end())));
  auto rest = c.read_exact(53, 2000ms);
  ASSERT_EQ(rest.status, read_status::ok) << "the rest of the greeting did not follow";
  expect_null_31_greeting(zmtp::concat({signature.data, major.data, rest.data}));
}

TEST(Greeting, BoundSocketSendsAByteExactNull31GreetingSignatureFirst) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  auto c = test::raw_client::connect(pull.last_endpoint(), 2000ms);
  expect_stepwise_null_31_greeting(c);
}

TEST(Greeting, ConnectingSocketSendsAByteExactNull31Greeting) {
  test::raw_listener listener;
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(listener.endpoint());
  auto c = listener.accept(5000ms);
  expect_stepwise_null_31_greeting(c);
}

TEST(Ready, PullAnswersAGreetingWithReadyCarryingExactlyItsSocketType) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  auto c = test::raw_client::connect(pull.last_endpoint(), 2000ms);
  ASSERT_TRUE(c.send_all(zmtp::greeting()));
  ASSERT_EQ(c.read_exact(64, 2000ms).status, read_status::ok);
  auto ready = c.read_exact(28, 2000ms);
  ASSERT_EQ(ready.status, read_status::ok);
  auto expected = zmtp::ready_socket_type("PULL");  // 04 1a 05 READY 0b Socket-Type 00000004 PULL
  ASSERT_EQ(expected.size(), 28u);
  EXPECT_EQ(ready.data, expected);
}

TEST(Ready, ConnectingPushSendsReadyWithSocketTypePush) {
  test::raw_listener listener;
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(listener.endpoint());
  auto c = listener.accept(5000ms);
  ASSERT_TRUE(c.send_all(zmtp::greeting()));
  ASSERT_EQ(c.read_exact(64, 2000ms).status, read_status::ok);
  auto ready = zmtp::read_frame(c, 2000ms);
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->flags, 0x04);
  EXPECT_EQ(ready->command_name(), "READY");
  auto md = ready->command_data();
  bytes expected = {0x0b};
  auto name = text("Socket-Type");
  expected.insert(expected.end(), name.begin(), name.end());
  expected.insert(expected.end(), {0, 0, 0, 4, 'P', 'U', 'S', 'H'});
  EXPECT_EQ(md, expected);
}

// A raw peer that has completed the handshake with a bound PULL as a PUSH.
struct raw_push_peer {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  test::raw_client c;
  raw_push_peer()
    : c((pull.bind("tcp://127.0.0.1:*"), zmtp::handshake_as(pull.last_endpoint(), "PUSH", 5000ms))) {}
};

TEST(Heartbeat, PingIsAnsweredWithPongEchoingTheContext) {
  raw_push_peer p;
  // RFC 37 vector: PING ttl 0 context "LOL" -> PONG "LOL".
  ASSERT_TRUE(p.c.send_all(bytes{0x04, 0x0a, 0x04, 'P', 'I', 'N', 'G', 0x00, 0x00, 'L', 'O', 'L'}));
  auto pong = p.c.read_exact(10, 2000ms);
  ASSERT_EQ(pong.status, read_status::ok);
  EXPECT_EQ(pong.data, (bytes{0x04, 0x08, 0x04, 'P', 'O', 'N', 'G', 'L', 'O', 'L'}));
}

TEST(Heartbeat, PongContextIsTruncatedTo16Bytes) {
  raw_push_peer p;
  std::string ctx = "LOL" + std::string(55, 'z');  // 58-byte context
  bytes data(2 + ctx.size(), 0);  // TTL 0, then the context
  std::copy(ctx.begin(), ctx.end(), data.begin() + 2);
  ASSERT_TRUE(p.c.send_all(zmtp::command("PING", data)));
  auto pong = zmtp::read_frame(p.c, 2000ms);
  ASSERT_TRUE(pong.has_value());
  EXPECT_EQ(pong->command_name(), "PONG");
  EXPECT_EQ(pong->command_data(), text("LOL" + std::string(13, 'z')));
}

TEST(Heartbeat, PingTooShortForATtlNeverEchoesStaleBytes) {
  raw_push_peer p;
  // A full PING first, so any stale buffer holds context bytes a buggy echo would leak.
  ASSERT_TRUE(p.c.send_all(zmtp::command("PING", bytes{0, 0, 'S', 'E', 'C', 'R', 'E', 'T'})));
  auto first = zmtp::read_frame(p.c, 2000ms);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(p.c.send_all(bytes{0x04, 0x05, 0x04, 'P', 'I', 'N', 'G'}));  // no TTL at all
  // Either a PONG with an empty context or a dropped connection is acceptable; stale bytes not.
  auto second = zmtp::read_frame(p.c, 2000ms);
  if (second) {
    EXPECT_EQ(second->command_name(), "PONG");
    EXPECT_TRUE(second->command_data().empty()) << "PONG echoed " << second->command_data().size()
                                                << " bytes the PING did not carry";
  }
}

TEST(Heartbeat, PongEchoesOnlyTheContextOfItsOwnPing) {
  raw_push_peer p;
  // A long context first (truncated to 16), then a shorter one: the second PONG must carry
  // exactly the second context, none of the first's bytes behind it.
  std::string long_ctx = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  bytes first(2 + long_ctx.size(), 0);
  std::copy(long_ctx.begin(), long_ctx.end(), first.begin() + 2);
  ASSERT_TRUE(p.c.send_all(zmtp::command("PING", first)));
  ASSERT_TRUE(p.c.send_all(zmtp::command("PING", bytes{0, 0, 'x', 'y'})));
  ASSERT_TRUE(p.c.send_all(zmtp::command("PING", bytes{0, 0})));
  auto a = zmtp::read_frame(p.c, 2000ms);
  auto b = zmtp::read_frame(p.c, 2000ms);
  auto c = zmtp::read_frame(p.c, 2000ms);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->command_data(), text("ABCDEFGHIJKLMNOP"));
  EXPECT_EQ(b->command_name(), "PONG");
  EXPECT_EQ(b->command_data(), text("xy"));
  EXPECT_EQ(c->command_name(), "PONG");
  EXPECT_TRUE(c->command_data().empty());
}

TEST(Heartbeat, DataStillFlowsAfterPings) {
  raw_push_peer p;
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(p.c.send_all(zmtp::command("PING", bytes{0, 10, static_cast<uint8_t>('0' + i)})));
  ASSERT_TRUE(p.c.send_all(zmtp::message_frame("payload")));
  auto m = p.pull.recv(2000ms);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)[0].to_string(), "payload");
  for (int i = 0; i < 3; ++i) {
    auto pong = zmtp::read_frame(p.c, 2000ms);
    ASSERT_TRUE(pong.has_value());
    EXPECT_EQ(pong->command_name(), "PONG");
    EXPECT_EQ(pong->command_data(), (bytes{static_cast<uint8_t>('0' + i)}));
  }
}

class AcceptedGreetings : public ::testing::TestWithParam<std::pair<uint8_t, uint8_t>> {};

TEST_P(AcceptedGreetings, PeerIsAcceptedAndItsMessagesDelivered) {
  auto [minor, as_server] = GetParam();
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  auto c = test::raw_client::connect(pull.last_endpoint(), 2000ms);
  ASSERT_TRUE(c.send_all(zmtp::concat({zmtp::greeting("NULL", 3, minor, as_server),
                                       zmtp::ready_socket_type("PUSH"),
                                       zmtp::message_frame("part-1", true),
                                       zmtp::message_frame("", true),
                                       zmtp::message_frame(std::string(300, 'L'))})));
  auto m = pull.recv(2000ms);
  ASSERT_TRUE(m.has_value()) << "peer with version 3." << int(minor) << ", as-server "
                             << int(as_server) << " was not accepted";
  EXPECT_EQ(test::frames_of(*m), (std::vector<std::string>{"part-1", "", std::string(300, 'L')}));
}

// 3.0 peers must be accepted (RFC 23); libzmq never sets as-server, others may: never reject it.
INSTANTIATE_TEST_SUITE_P(VersionAndRole, AcceptedGreetings,
                         ::testing::Values(std::make_pair(uint8_t{1}, uint8_t{0}),
                                           std::make_pair(uint8_t{0}, uint8_t{0}),
                                           std::make_pair(uint8_t{1}, uint8_t{1})),
                         [](const auto& info) {
                           return "Zmtp3" + std::to_string(info.param.first) + "AsServer"
                                  + std::to_string(info.param.second);
                         });

TEST(Framing, LongSizeEncodingOfASmallFrameIsAccepted) {
  raw_push_peer p;
  auto f = zmtp::frame_header(0x00, 5, /*force_long=*/true);
  for (char ch : std::string("tiny"))
    f.push_back(static_cast<uint8_t>(ch));
  f.push_back('!');
  ASSERT_TRUE(p.c.send_all(f));
  auto m = p.pull.recv(2000ms);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)[0].to_string(), "tiny!");
}

TEST(Framing, MessageSplitIntoSingleBytesIsReassembled) {
  raw_push_peer p;
  auto wire = zmtp::concat({zmtp::message_frame("split", true),
                            zmtp::message_frame(std::string(1000, 's'))});
  for (auto b : wire)
    ASSERT_TRUE(p.c.send_all(bytes{b}));
  auto m = p.pull.recv(2000ms);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(test::frames_of(*m), (std::vector<std::string>{"split", std::string(1000, 's')}));
}

} // namespace
} // namespace cafmq
