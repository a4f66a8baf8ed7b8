// Bad CURVE handshakes against a cafmq CURVE server, on the wire (RFC 26, protocol-reference
// §2.2 layouts): a raw client whose legitimate bytes come from cafmq's own curve_client sends a
// malformed, truncated or forged HELLO or INITIATE, a data frame too early, or an oversized
// frame. Each time that connection alone ends with handshake_failed and the reason, the server
// closes it, nothing is delivered, the authenticator is never asked, and a legitimate cafmq
// CURVE client on the same server keeps flowing.
#include "support/raw_curve.hpp"
#include "support/secured_server.hpp"
#include "support/zmtp_wire.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
using test::raw_curve_client;
using test::secured_by;
using test::secured_pull;

constexpr auto budget = secured_pull::budget;

// The legitimate client flows first; then a raw CURVE client connects and is greeted.
raw_curve_client after_flow(secured_pull& s) {
  s.expect_flow("before the bad peer");
  return raw_curve_client::connect(s.endpoint(), budget);
}

// A server with its legitimate client flowing, and a raw CURVE client greeted by it.
struct curve_case {
  secured_pull s{secured_by::curve};
  raw_curve_client raw = after_flow(s);
  std::string remote = test::local_endpoint_of(raw.wire());

  // The raw connection failed its handshake with `code` and a reason mentioning `text`, and
  // nothing else happened to the server; only the legitimate client was ever authenticated.
  void expect_handshake_failed(event_reason code, const std::string& text) {
    test::expect_closed_by_server(raw.wire());
    s.expect_failed(remote, event_kind::handshake_failed, code, text);
    EXPECT_EQ(s.judge->asked.load(), 1) << "the authenticator was asked about the bad peer";
  }

  // The WELCOME the server answers our legitimate HELLO with.
  bytes welcome() {
    EXPECT_TRUE(raw.send_command(raw.hello()));
    auto w = raw.read_command(budget);
    if (!w)
      throw std::runtime_error("no WELCOME");
    return *w;
  }
};

TEST(CurveServerBadInput, HelloOneByteTooLongFailsAsMalformed) {
  curve_case c;
  auto hello = c.raw.hello();
  hello.push_back(0);
  c.raw.send_command(hello);
  c.expect_handshake_failed(event_reason::protocol, "malformed CURVE HELLO (201 bytes, not 200)");
}

TEST(CurveServerBadInput, HelloOneByteTooShortFailsAsMalformed) {
  curve_case c;
  auto hello = c.raw.hello();
  hello.pop_back();
  c.raw.send_command(hello);
  c.expect_handshake_failed(event_reason::protocol, "malformed CURVE HELLO (199 bytes, not 200)");
}

TEST(CurveServerBadInput, HelloOfJustItsNameFailsAsMalformedWithoutReadingPastIt) {
  // libzmq's invalid_hello_wrong_length case: 04 06 05 'HELLO'. The 6-byte body has no version
  // field, so the reason must not report one (which would be read from beyond the command).
  curve_case c;
  c.raw.send_command(bytes{5, 'H', 'E', 'L', 'L', 'O'});
  c.expect_handshake_failed(event_reason::protocol, "malformed CURVE HELLO (6 bytes, not 200)");
}

TEST(CurveServerBadInput, HelloWithVersionTwoFailsAsMalformed) {
  curve_case c;
  auto hello = c.raw.hello();
  hello[6] = 2;  // version 2.0: RFC 26 knows only 1.0
  c.raw.send_command(hello);
  c.expect_handshake_failed(event_reason::protocol, "malformed CURVE HELLO (version 2.0, not 1.0)");
}

TEST(CurveServerBadInput, HelloCutOffMidFrameThenClosedFailsAsIo) {
  curve_case c;
  auto frame = test::command_frame(c.raw.hello());
  frame.resize(frame.size() / 2);  // the header announces 200 bytes; 99 of them come
  ASSERT_TRUE(c.raw.wire().send_all(frame));
  c.raw.wire().close();
  c.s.expect_failed(c.remote, event_kind::handshake_failed, event_reason::io,
                    "connection closed by peer");
  EXPECT_EQ(c.s.judge->asked.load(), 1);
}

TEST(CurveServerBadInput, HelloWhoseBoxDoesNotOpenFailsAsAuth) {
  curve_case c;
  auto hello = c.raw.hello();
  hello[150] ^= 0x01;  // inside Box[64 zeros](C'->S): its MAC no longer checks
  c.raw.send_command(hello);
  c.expect_handshake_failed(event_reason::auth, "CURVE HELLO does not open");
}

TEST(CurveServerBadInput, HelloWithAnAllZeroTransientKeyFailsAsAuth) {
  // C' = 0 is a point of small order: no box opens under it, none may be made to it.
  curve_case c;
  auto hello = c.raw.hello();
  std::fill(hello.begin() + 80, hello.begin() + 112, 0);
  c.raw.send_command(hello);
  c.expect_handshake_failed(event_reason::auth, "CURVE HELLO does not open");
}

TEST(CurveServerBadInput, InitiateShorterThan257BytesFailsAsMalformed) {
  curve_case c;
  auto initiate = c.raw.initiate_for(c.welcome());
  initiate.resize(256);
  c.raw.send_command(initiate);
  c.expect_handshake_failed(event_reason::protocol, "malformed CURVE INITIATE (256 bytes)");
}

TEST(CurveServerBadInput, InitiateWithAForgedCookieFailsAsAuth) {
  curve_case c;
  auto initiate = c.raw.initiate_for(c.welcome());
  initiate[30] ^= 0x01;  // inside the cookie's SecretBox, which only the server's K opens
  c.raw.send_command(initiate);
  c.expect_handshake_failed(event_reason::auth, "cookie that does not open");
}

TEST(CurveServerBadInput, InitiateReplayedFromAnotherConnectionFailsTheCookie) {
  curve_case c;
  // A first raw connection completes HELLO/WELCOME and its INITIATE is captured, unsent.
  auto first = raw_curve_client::connect(c.s.endpoint(), budget);
  ASSERT_TRUE(first.send_command(first.hello()));
  auto first_welcome = first.read_command(budget);
  ASSERT_TRUE(first_welcome);
  auto captured = first.initiate_for(*first_welcome);
  // The second connection says HELLO, then replays the captured INITIATE: its cookie was sealed
  // under the first connection's cookie key.
  c.welcome();
  c.raw.send_command(captured);
  c.expect_handshake_failed(event_reason::auth, "cookie that does not open");
}

TEST(CurveServerBadInput, InitiateWhoseVouchNamesAnotherTransientKeyFailsAsAuth) {
  curve_case c;
  auto w = c.raw.open_welcome(c.welcome());
  ASSERT_TRUE(w);
  // The client's real permanent key vouches, but for some other connection's transient key.
  auto client = security::curve_key::from_z85(test::client_public).bytes();
  auto client_secret = security::curve_key::from_z85(test::client_secret).bytes();
  auto other = security::generate_keypair().public_key.bytes();
  c.raw.send_command(c.raw.forge_initiate(*w, client, other, client_secret));
  c.expect_handshake_failed(event_reason::auth, "vouch does not match");
}

TEST(CurveServerBadInput, InitiateClaimingAKeyWhoseSecretItLacksFailsAsAuth) {
  curve_case c;
  auto w = c.raw.open_welcome(c.welcome());
  ASSERT_TRUE(w);
  // An impostor claims the client's permanent key C but can only sign with a key of its own.
  auto client = security::curve_key::from_z85(test::client_public).bytes();
  auto impostor = security::generate_keypair().secret_key.bytes();
  c.raw.send_command(c.raw.forge_initiate(*w, client, c.raw.transient_public(), impostor));
  c.expect_handshake_failed(event_reason::auth, "vouch does not match");
}

TEST(CurveServerBadInput, InitiateClaimingTheAllZeroClientKeyFailsAsAuth) {
  // zmq_curve(7)'s null_client_public_key case, forged on the wire.
  curve_case c;
  auto w = c.raw.open_welcome(c.welcome());
  ASSERT_TRUE(w);
  auto client_secret = security::curve_key::from_z85(test::client_secret).bytes();
  auto zero = test::key32{};
  c.raw.send_command(c.raw.forge_initiate(*w, zero, c.raw.transient_public(), client_secret));
  c.expect_handshake_failed(event_reason::auth, "vouch does not match");
}

TEST(CurveServerBadInput, HandBuiltHonestInitiateIsAcceptedSoTheForgeriesAreReal) {
  // Control for the forgeries below: forge_initiate with the honest inputs passes, so what fails
  // there is what was forged, not the way the test builds INITIATE.
  curve_case c;
  auto w = c.raw.open_welcome(c.welcome());
  ASSERT_TRUE(w);
  c.raw.send_command(c.raw.honest_initiate(*w));
  auto ready = c.raw.read_command(budget);
  ASSERT_TRUE(ready) << "the honest hand-built INITIATE was refused";
  EXPECT_EQ(bytes(ready->begin(), ready->begin() + 6), bytes({5, 'R', 'E', 'A', 'D', 'Y'}));
  ASSERT_TRUE(c.s.event_of(c.remote, event_kind::handshake_succeeded));
}

TEST(CurveServerBadInput, InitiateReusingTheHelloNonceFailsAsProtocolError) {
  curve_case c;
  auto w = c.raw.open_welcome(c.welcome());
  ASSERT_TRUE(w);
  c.raw.send_command(c.raw.honest_initiate(*w, 1));  // HELLO's short nonce again
  c.expect_handshake_failed(event_reason::protocol, "INITIATE nonce not above HELLO's");
}

TEST(CurveServerBadInput, InitiateWithMalformedMetadataGetsErrorAndFailsAsProtocolError) {
  curve_case c;
  auto w = c.raw.open_welcome(c.welcome());
  ASSERT_TRUE(w);
  // Socket-Type's value claims 100 bytes; 4 follow.
  const bytes metadata = {11, 'S', 'o', 'c', 'k', 'e', 't', '-', 'T', 'y', 'p', 'e',
                          0,  0,   0,   100, 'P', 'U', 'S', 'H'};
  c.raw.send_command(c.raw.honest_initiate(*w, 2, &metadata));
  auto error = c.raw.read_command(budget);
  ASSERT_TRUE(error) << "no ERROR before the close";
  EXPECT_EQ(bytes(error->begin(), error->begin() + 6), bytes({5, 'E', 'R', 'R', 'O', 'R'}));
  c.expect_handshake_failed(event_reason::protocol, "malformed INITIATE metadata");
}

TEST(CurveServerBadInput, InitiateWithAnOversizedGarbageBoxFailsAsAuth) {
  // CVE-2019-13132: an unauthenticated INITIATE far larger than any metadata needs must be
  // refused by its MAC, not copied anywhere first.
  curve_case c;
  auto initiate = c.raw.initiate_for(c.welcome());
  initiate.resize(60000, 'x');  // cookie and nonce intact, then 60 KB of box that is not one
  c.raw.send_command(initiate);
  c.expect_handshake_failed(event_reason::auth, "CURVE INITIATE does not open");
}

TEST(CurveServerBadInput, DataFrameBeforeTheHandshakeEndsFailsAsProtocolError) {
  curve_case c;
  c.welcome();
  c.raw.send_data(bytes{'s', 'n', 'e', 'a', 'k', 'y'});  // instead of INITIATE
  c.expect_handshake_failed(event_reason::protocol, "message frame before the handshake");
}

TEST(CurveServerBadInput, OversizedCommandFrameBeforeTheHandshakeIsRefusedBeforeAllocating) {
  // Sizes just over the pre-handshake cap, of a gigabyte, and the largest legal one: each is
  // refused from its header alone ("exceeds the limit", not "cannot allocate"), then closed.
  for (uint64_t size : {uint64_t{64 * 1024 + 1}, uint64_t{1} << 30, (uint64_t{1} << 63) - 1}) {
    SCOPED_TRACE("declared size " + std::to_string(size));
    curve_case c;
    auto wire = test::zmtp::frame_header(0x04, size, true);
    wire.resize(wire.size() + 4096, 'x');  // a little of the body follows
    c.raw.wire().send_all(wire);  // may fail part-way: the server is allowed to close at once
    c.expect_handshake_failed(event_reason::protocol, "exceeds the limit");
  }
}

} // namespace
} // namespace cafmq
