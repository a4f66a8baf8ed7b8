// The reason code of each way a connection ends, through a real engine on loopback: a raw peer
// misbehaves against a bound PULL (or a cafmq client with wrong settings connects), and the
// monitor event's reason_code is the code set where the failure happened. Peer-chosen bytes
// (a command named "ZAP" or "heartbeat", an ERROR text) never steer the code.
#include "support/curve_test_keys.hpp"
#include "support/events.hpp"
#include "support/guarded_pull.hpp"
#include "support/raw_curve.hpp"
#include "support/raw_tcp.hpp"
#include "support/secured_server.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
using test::raw_client;
namespace zmtp = test::zmtp;

constexpr auto budget = 5000ms;

// A PULL with a legitimate PUSH, watched by its monitor.
struct watched_pull : test::guarded_pull {
  event_stream events{pull.monitor()};
  std::vector<monitor_event> seen;

  // The connection from `remote` ended with a `kind` event of code `code` whose reason mentions
  // `text`; the legitimate peer still flows.
  void expect_end(const std::string& remote, event_kind kind, event_reason code,
                  const std::string& text) {
    test::deadline d{budget};
    std::optional<monitor_event> found;
    while (!found && !d.expired()) {
      auto e = events.next(d.remaining());
      if (!e)
        break;
      seen.push_back(*e);
      if (e->kind == kind && e->remote_endpoint == remote)
        found = e;
    }
    ASSERT_TRUE(found) << "no " << to_string(kind) << " event for " << remote << "; events:\n"
                       << test::describe(seen);
    EXPECT_EQ(found->reason_code, code) << found->reason;
    EXPECT_NE(found->reason.find(text), std::string::npos)
      << "reason '" << found->reason << "' does not mention '" << text << "'";
    expect_flow("after the bad peer");
  }
};

// A raw peer sends `wire` (greeting and whatever follows) and is dropped with `code`.
void expect_handshake_end(const bytes& wire, event_reason code, const std::string& text) {
  watched_pull w;
  w.expect_flow("before the bad peer");
  auto c = raw_client::connect(w.endpoint(), budget);
  auto remote = test::local_endpoint_of(c);
  c.send_all(wire);  // may fail part-way: the server closes as soon as it can tell
  EXPECT_TRUE(c.wait_closed(budget));
  w.expect_end(remote, event_kind::handshake_failed, code, text);
}

TEST(ConnectionEndCodes, CommandNamedZapDuringTheHandshakeIsAProtocolError) {
  expect_handshake_end(zmtp::concat({zmtp::greeting(), zmtp::command("ZAP")}),
                       event_reason::protocol, "\"ZAP\"");
}

TEST(ConnectionEndCodes, CommandNamedHeartbeatDuringTheHandshakeIsAProtocolError) {
  expect_handshake_end(zmtp::concat({zmtp::greeting(), zmtp::command("heartbeat")}),
                       event_reason::protocol, "\"heartbeat\"");
}

TEST(ConnectionEndCodes, Zmtp20PeerOfAnIncompatibleTypeIsSaidSo) {
  // A NULL socket downgrades for a ZMTP 2.0 peer, and judges the socket type of its greeting.
  expect_handshake_end(bytes{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, 0x07, 0x00, 0x00},
                       event_reason::incompatible_socket_type, "\"PULL\"");
}

TEST(ConnectionEndCodes, Zmtp20ReservedFlagBitsAreAProtocolError) {
  expect_handshake_end(bytes{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, 0x08, 0x04, 0x00},
                       event_reason::protocol, "reserved flag bits");
}

TEST(ConnectionEndCodes, AnotherMechanismIsAMechanismMismatch) {
  expect_handshake_end(zmtp::greeting("PLAIN"), event_reason::mechanism_mismatch,
                       "peer uses \"PLAIN\"");
}

TEST(ConnectionEndCodes, IncompatibleSocketTypeIsSaidSo) {
  expect_handshake_end(zmtp::concat({zmtp::greeting(), zmtp::ready_socket_type("PULL")}),
                       event_reason::incompatible_socket_type, "\"PULL\"");
}

TEST(ConnectionEndCodes, PeerErrorWithAZapStatusIsAuth) {
  expect_handshake_end(zmtp::concat({zmtp::greeting(), zmtp::command("ERROR", {3, '4', '0', '0'})}),
                       event_reason::auth, "peer sent ERROR: \"400\"");
}

TEST(ConnectionEndCodes, PeerErrorWithOtherTextIsAPeerError) {
  const bytes go_away = {7, 'g', 'o', ' ', 'a', 'w', 'a', 'y'};  // a length-prefixed reason
  expect_handshake_end(zmtp::concat({zmtp::greeting(), zmtp::command("ERROR", go_away)}),
                       event_reason::peer_error, "peer sent ERROR: \"go away\"");
}

TEST(ConnectionEndCodes, MessageBeforeTheHandshakeIsAProtocolError) {
  expect_handshake_end(zmtp::concat({zmtp::greeting(), zmtp::message_frame("sneaky")}),
                       event_reason::protocol, "before the handshake");
}

TEST(ConnectionEndCodes, PeerClosingAfterTheHandshakeIsIo) {
  watched_pull w;
  w.expect_flow("before the peer");
  auto c = zmtp::handshake_as(w.endpoint(), "PUSH", budget);
  auto remote = test::local_endpoint_of(c);
  c.close();
  w.expect_end(remote, event_kind::disconnected, event_reason::io, "closed by peer");
}

TEST(ConnectionEndCodes, UnknownCommandAfterTheHandshakeIsIgnoredLikeLibzmq) {
  watched_pull w;
  auto c = zmtp::handshake_as(w.endpoint(), "PUSH", budget);
  ASSERT_TRUE(c.send_all(zmtp::concat({zmtp::command("ZAP"), zmtp::message_frame("still here")})));
  auto m = w.pull.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{"still here"});
}

TEST(ConnectionEndCodes, WrongCurveServerKeyIsAuthOnTheServer) {
  test::secured_pull s{test::secured_by::curve};
  s.expect_flow("before the wrong client");
  auto o = test::client_options(test::secured_by::curve);
  o.curve_serverkey = test::client_public;  // a valid key, but not the server's
  socket wrong{s.ctx, socket_type::push, o};
  wrong.connect(s.endpoint());
  auto e = test::next_event(s.events, event_kind::handshake_failed, budget, &s.seen);
  ASSERT_TRUE(e) << test::describe(s.seen);
  EXPECT_EQ(e->reason_code, event_reason::auth) << e->reason;
  EXPECT_NE(e->reason.find("another server key"), std::string::npos) << e->reason;
  s.expect_flow("after the wrong client");
}

TEST(ConnectionEndCodes, MechanismMismatchBetweenCafmqSocketsStopsTheConnector) {
  test::secured_pull s{test::secured_by::curve};
  socket plain_null{s.ctx, socket_type::push, test::no_linger()};
  auto client_events = plain_null.monitor();
  plain_null.connect(s.endpoint());
  std::vector<monitor_event> seen;
  auto e = test::next_event(client_events, event_kind::handshake_failed, budget, &seen);
  ASSERT_TRUE(e) << test::describe(seen);
  EXPECT_EQ(e->reason_code, event_reason::mechanism_mismatch) << e->reason;
  auto stopped = test::next_event(client_events, event_kind::closed, budget, &seen);
  ASSERT_TRUE(stopped) << "the connector did not stop\n" << test::describe(seen);
  EXPECT_EQ(stopped->reason_code, event_reason::mechanism_mismatch) << stopped->reason;
  s.expect_flow("after the mismatch");
}

TEST(ConnectionEndCodes, IncompatibleCafmqSocketIsRefusedWithItsCode) {
  watched_pull w;
  socket pull2{w.ctx, socket_type::pull, test::no_linger()};
  auto client_events = pull2.monitor();
  pull2.connect(w.endpoint());
  std::vector<monitor_event> seen;
  auto e = test::next_event(client_events, event_kind::handshake_failed, budget, &seen);
  ASSERT_TRUE(e) << test::describe(seen);
  EXPECT_EQ(e->reason_code, event_reason::incompatible_socket_type) << e->reason;
  w.expect_flow("after the incompatible peer");
}

} // namespace
} // namespace cafmq
