// The NULL handshake on bytes (RFC 23 §The NULL Security Mechanism, §Error Handling; RFC 37):
// READY out at once, READY or ERROR in, every other input a defined failure.
#include "security/null_mechanism.hpp"
#include "hex.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace cafmq;
using security::null_mechanism;
using status = mechanism::status;

using cafmq::test::from_hex;

namespace {


// Command bodies of the protocol-reference vectors (frame header stripped).
const bytes dealer_ready = from_hex(
  "05 52 45 41 44 59 0b 53 6f 63 6b 65 74 2d 54 79 70 65 00 00 00 06 44 45 41 4c 45 52 08 49 64 65"
  " 6e 74 69 74 79 00 00 00 00");
const bytes router_ready =
  from_hex("05 52 45 41 44 59 0b 53 6f 63 6b 65 74 2d 54 79 70 65 00 00 00 06 52 4f 55 54 45 52");
const bytes error_400 = from_hex("05 45 52 52 4f 52 03 34 30 30");

metadata dealer_md() {
  metadata md;
  md.add("Socket-Type", "DEALER");
  md.add("Identity", "");
  return md;
}

metadata router_md() {
  metadata md;
  md.add("Socket-Type", "ROUTER");
  return md;
}

// A started mechanism for a DEALER that accepts everyone.
struct started {
  null_mechanism mech{dealer_md(), nullptr};
  std::vector<bytes> out;
  started() { mech.start(out); }
  status feed(const bytes& body) { return mech.on_command(body.data(), body.size(), out); }
};

} // namespace

TEST(NullMechanism, NameIsNullAndNeverServer) {
  null_mechanism m{{}, nullptr};
  EXPECT_EQ(m.name(), "NULL");
  EXPECT_FALSE(m.as_server());
}

TEST(NullMechanism, SendsReadyWithItsMetadataRightAway) {
  null_mechanism m{dealer_md(), nullptr};
  std::vector<bytes> out;
  EXPECT_EQ(m.start(out), status::handshaking);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], dealer_ready);
}

TEST(NullMechanism, RouterReadyCarriesOnlySocketType) {
  null_mechanism m{router_md(), nullptr};
  std::vector<bytes> out;
  m.start(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], router_ready);
}

TEST(NullMechanism, StartSendsReadyOnlyOnce) {
  started s;
  s.mech.start(s.out);
  EXPECT_EQ(s.out.size(), 1u);
}

TEST(NullMechanism, PeerReadyCompletesTheHandshake) {
  started s;
  EXPECT_EQ(s.feed(router_ready), status::ready);
  EXPECT_EQ(s.mech.peer_metadata().find("socket-type"), std::optional<std::string_view>{"ROUTER"});
  EXPECT_EQ(s.out.size(), 1u);  // nothing more to send
}

TEST(NullMechanism, ReadyBeforeStartWaitsForOurReady) {
  null_mechanism m{dealer_md(), nullptr};
  std::vector<bytes> out;
  EXPECT_EQ(m.on_command(router_ready.data(), router_ready.size(), out), status::handshaking);
  EXPECT_EQ(m.start(out), status::ready);
  EXPECT_EQ(out.size(), 1u);
}

TEST(NullMechanism, ReadyWithoutPropertiesIsAccepted) {
  started s;
  EXPECT_EQ(s.feed(make_command("READY")), status::ready);
  EXPECT_TRUE(s.mech.peer_metadata().properties.empty());
}

TEST(NullMechanism, TwoPeersHandshakeWithEachOther) {
  null_mechanism dealer{dealer_md(), nullptr};
  null_mechanism router{router_md(), nullptr};
  std::vector<bytes> to_router, to_dealer;
  dealer.start(to_router);
  router.start(to_dealer);
  EXPECT_EQ(router.on_command(to_router[0].data(), to_router[0].size(), to_dealer),
            status::ready);
  EXPECT_EQ(dealer.on_command(to_dealer[0].data(), to_dealer[0].size(), to_router),
            status::ready);
  EXPECT_EQ(router.peer_metadata().find("Identity"), std::optional<std::string_view>{""});
}

TEST(NullMechanism, PeerErrorIsFatalAndNotAnswered) {
  started s;
  EXPECT_EQ(s.feed(error_400), status::failed);
  auto& f = s.mech.failure();
  EXPECT_EQ(f.reason, "peer sent ERROR: \"400\"");
  EXPECT_EQ(f.code, event_reason::auth);  // a ZAP status code: the server refused us
  EXPECT_TRUE(f.peer_said_error);
  EXPECT_FALSE(f.send_error);
  EXPECT_EQ(s.out.size(), 1u);
}

TEST(NullMechanism, MalformedErrorStillCountsAsPeerError) {
  started s;
  EXPECT_EQ(s.feed(from_hex("05 45 52 52 4f 52 09 34")), status::failed);
  EXPECT_EQ(s.mech.failure().code, event_reason::peer_error);
  EXPECT_TRUE(s.mech.failure().peer_said_error);
  EXPECT_FALSE(s.mech.failure().send_error);
}

TEST(NullMechanism, MalformedReadyMetadataFailsWithError) {
  for (size_t cut = 7; cut < router_ready.size(); ++cut) {
    started s;
    bytes body(router_ready.begin(), router_ready.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_EQ(s.feed(body), status::failed) << cut;
    EXPECT_TRUE(s.mech.failure().send_error);
    EXPECT_FALSE(s.mech.failure().peer_said_error);
    EXPECT_EQ(s.mech.failure().reason.rfind("malformed READY metadata: ", 0), 0u)
      << s.mech.failure().reason;
    EXPECT_EQ(s.mech.failure().code, event_reason::protocol);
  }
}

TEST(NullMechanism, ValidatorRejectionFailsWithItsReason) {
  null_mechanism m{dealer_md(), [](const metadata& peer) -> std::optional<connection_end> {
                     if (peer.find("Socket-Type") != "ROUTER")
                       return std::nullopt;
                     return permanent_end(event_reason::incompatible_socket_type,
                                          "no routers here");
                   }};
  std::vector<bytes> out;
  m.start(out);
  EXPECT_EQ(m.on_command(router_ready.data(), router_ready.size(), out), status::failed);
  EXPECT_EQ(m.failure().reason, "no routers here");
  EXPECT_EQ(m.failure().code, event_reason::incompatible_socket_type);
  EXPECT_TRUE(m.failure().send_error);
  EXPECT_TRUE(m.peer_metadata().properties.empty());
}

TEST(NullMechanism, ValidatorSeesThePeerMetadata) {
  std::string seen;
  null_mechanism m{dealer_md(), [&](const metadata& peer) -> std::optional<connection_end> {
                     seen = std::string(peer.find("Socket-Type").value_or("?"));
                     return std::nullopt;
                   }};
  std::vector<bytes> out;
  m.start(out);
  EXPECT_EQ(m.on_command(dealer_ready.data(), dealer_ready.size(), out), status::ready);
  EXPECT_EQ(seen, "DEALER");
}

TEST(NullMechanism, UnexpectedCommandFailsNamingIt) {
  started s;
  EXPECT_EQ(s.feed(make_command("HELLO")), status::failed);
  EXPECT_TRUE(s.mech.failure().send_error);
  EXPECT_NE(s.mech.failure().reason.find("HELLO"), std::string::npos);
  EXPECT_EQ(s.mech.failure().code, event_reason::protocol);
}

// Command names a peer chooses never steer the code: only the mechanism decides it.
TEST(NullMechanism, CommandsNamedLikeOtherCausesAreProtocolErrors) {
  for (const char* name :
       {"ZAP", "heartbeat", "ERROR-ish", "authentication", "closed by the socket"}) {
    started s;
    EXPECT_EQ(s.feed(make_command(name)), status::failed) << name;
    EXPECT_EQ(s.mech.failure().code, event_reason::protocol) << name;
    EXPECT_NE(s.mech.failure().reason.find(std::string("\"") + name + "\""), std::string::npos)
      << s.mech.failure().reason;
  }
}

TEST(NullMechanism, PeerErrorWithOtherTextIsAPeerError) {
  started s;
  auto error = make_error_command("go away");
  EXPECT_EQ(s.feed(error), status::failed);
  EXPECT_EQ(s.mech.failure().code, event_reason::peer_error);
  EXPECT_EQ(s.mech.failure().reason, "peer sent ERROR: \"go away\"");
}

TEST(NullMechanism, CommandNamesAreCaseSensitive) {
  started s;
  auto body = router_ready;
  body[1] = 'r';  // "rEADY"
  EXPECT_EQ(s.feed(body), status::failed);
}

TEST(NullMechanism, MalformedCommandBodyFails) {
  for (auto hex : {"", "00", "06 52 45 41 44 59"}) {
    started s;
    EXPECT_EQ(s.feed(from_hex(hex)), status::failed) << hex;
    EXPECT_TRUE(s.mech.failure().send_error);
  }
}

TEST(NullMechanism, SecondReadyIsAProtocolError) {
  started s;
  ASSERT_EQ(s.feed(router_ready), status::ready);
  EXPECT_EQ(s.feed(router_ready), status::failed);
  EXPECT_TRUE(s.mech.failure().send_error);
}

TEST(NullMechanism, StaysFailedAfterAFailure) {
  started s;
  ASSERT_EQ(s.feed(make_command("PING")), status::failed);
  auto reason = s.mech.failure().reason;
  EXPECT_EQ(s.feed(router_ready), status::failed);
  EXPECT_EQ(s.mech.failure().reason, reason);
  EXPECT_EQ(s.mech.start(s.out), status::failed);
}

TEST(NullMechanism, HostileNamesAreEscapedInTheReason) {
  started s;
  EXPECT_EQ(s.feed(make_command(std::string("X\n\x1b[31m", 7))), status::failed);
  EXPECT_EQ(s.mech.failure().reason.find('\n'), std::string::npos);
  EXPECT_EQ(s.mech.failure().reason.find('\x1b'), std::string::npos);
}
