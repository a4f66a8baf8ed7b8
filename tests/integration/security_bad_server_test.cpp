// A cafmq CURVE client facing a bad server, on the wire (RFC 26, protocol-reference §2.2): a
// fake server on a raw listener answers with bytes from cafmq's own curve_server, tampered: a
// WELCOME of the wrong size or that does not open, a READY that is short or does not open, an
// ERROR "400", a ZMTP 2.0 greeting. The client ends that connection with handshake_failed and the
// reason, stops reconnecting to it (its connector reports `closed`: a server that failed or
// refused us is not hammered), delivers nothing from it, and keeps receiving from a legitimate
// cafmq CURVE server it is also connected to.
#include "support/raw_curve.hpp"
#include "support/secured_server.hpp"
#include "support/zmtp_wire.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
using test::raw_curve_server;
using test::secured_by;

constexpr auto budget = test::secured_pull::budget;

// A CURVE PULL client connected to a legitimate cafmq CURVE PUSH server and to a fake server.
struct bad_server_case {
  bad_server_case() {
    legit.bind("tcp://127.0.0.1:*");
    client.connect(legit.last_endpoint());
    expect_flow("before the bad server");
    client.connect(fake.endpoint());
  }

  // The legitimate server's message reaches the client, alone.
  void expect_flow(const std::string& tag) {
    ASSERT_TRUE(legit.send(message{tag}, budget));
    auto m = client.recv(budget);
    ASSERT_TRUE(m.has_value()) << "the legitimate server's '" << tag << "' did not arrive";
    EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{tag});
  }

  // The next event of `kind` about the fake server (its connection or its connector).
  std::optional<monitor_event> fake_event(event_kind kind) {
    test::deadline d{budget};
    while (!d.expired()) {
      auto e = events.next(d.remaining());
      if (!e)
        break;
      seen.push_back(*e);
      bool about_fake = e->remote_endpoint == fake.endpoint() || e->endpoint == fake.endpoint();
      if (e->kind == kind && about_fake)
        return e;
    }
    return std::nullopt;
  }

  // The client dropped the fake server with `code` and a reason mentioning `text`, its connector
  // stopped for good, nothing of the fake server arrived, and the legitimate one still flows.
  void expect_refused(raw_curve_server& srv, event_reason code, const std::string& text) {
    EXPECT_TRUE(srv.wire().wait_closed(budget)) << "the client kept the bad server connected";
    expect_stopped(code, text);
  }

  void expect_stopped(event_reason code, const std::string& text) {
    auto failed = fake_event(event_kind::handshake_failed);
    ASSERT_TRUE(failed) << "no handshake_failed; events:\n" << test::describe(seen);
    EXPECT_EQ(failed->reason_code, code) << failed->reason;
    EXPECT_NE(failed->reason.find(text), std::string::npos)
      << "reason '" << failed->reason << "' does not mention '" << text << "'";
    auto closed = fake_event(event_kind::closed);
    ASSERT_TRUE(closed) << "the connector did not stop; events:\n" << test::describe(seen);
    EXPECT_EQ(closed->reason_code, code) << closed->reason;
    // Stopped before dialling again: no second connection is waiting (checked without waiting).
    EXPECT_THROW(fake.accept(0ms), std::runtime_error) << "the client dialled the bad server again";
    EXPECT_FALSE(client.recv(0ms).has_value()) << "something of the bad server arrived";
    expect_flow("after the bad server");
  }

  context ctx;
  socket legit{ctx, socket_type::push, test::server_options(secured_by::curve, nullptr)};
  test::raw_listener fake;
  socket client{ctx, socket_type::pull, test::client_options(secured_by::curve)};
  event_stream events{client.monitor()};
  std::vector<monitor_event> seen;
};

// The fake server has accepted the client and read its HELLO.
struct greeted {
  raw_curve_server srv;
  bytes hello;
};

greeted accept_hello(bad_server_case& c) {
  auto srv = raw_curve_server::accept(c.fake, budget);
  auto hello = srv.read_command(budget);
  if (!hello)
    throw std::runtime_error("no HELLO from the client");
  return {std::move(srv), std::move(*hello)};
}

// ...and answered with an honest WELCOME, and read the client's INITIATE.
bytes initiate_after_welcome(greeted& g) {
  EXPECT_TRUE(g.srv.send_command(g.srv.welcome_for(g.hello)));
  auto initiate = g.srv.read_command(budget);
  if (!initiate)
    throw std::runtime_error("no INITIATE from the client");
  return *initiate;
}

const bytes error_400 = {5, 'E', 'R', 'R', 'O', 'R', 3, '4', '0', '0'};

TEST(CurveClientBadServer, HonestFakeServerIsServedSoTheTamperedOnesAreReal) {
  // Control: untampered, the fake server's READY and MESSAGE are accepted and delivered.
  bad_server_case c;
  auto g = accept_hello(c);
  auto ready = g.srv.ready_for(initiate_after_welcome(g));
  ASSERT_TRUE(g.srv.send_command(ready));
  ASSERT_TRUE(g.srv.send_data(g.srv.message("from the fake server")));
  auto m = c.client.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{"from the fake server"});
  ASSERT_TRUE(c.fake_event(event_kind::handshake_succeeded));
}

TEST(CurveClientBadServer, WelcomeOneByteTooLongFailsAsMalformedAndStopsReconnecting) {
  bad_server_case c;
  auto g = accept_hello(c);
  auto welcome = g.srv.welcome_for(g.hello);
  welcome.push_back(0);
  g.srv.send_command(welcome);
  c.expect_refused(g.srv, event_reason::protocol, "malformed CURVE WELCOME (169 bytes");
}

TEST(CurveClientBadServer, WelcomeThatDoesNotOpenFailsAsAuthAndStopsReconnecting) {
  bad_server_case c;
  auto g = accept_hello(c);
  auto welcome = g.srv.welcome_for(g.hello);
  welcome[100] ^= 0x01;  // inside Box[S' + cookie](S->C')
  g.srv.send_command(welcome);
  c.expect_refused(g.srv, event_reason::auth, "CURVE WELCOME does not open");
}

// The scenario in a child process: before the fix, crypto_box threw on the I/O thread and the
// process died, which must show as this test failing rather than the suite vanishing.
int low_order_server_transient_key() {
  bad_server_case c;
  auto g = accept_hello(c);
  // S' = 0 is a point of small order: every crypto_box to it fails (no shared key).
  g.srv.send_command(g.srv.forge_welcome(g.hello, test::key32{}));
  c.expect_refused(g.srv, event_reason::protocol, "unusable server transient key");
  if (::testing::Test::HasFailure())
    return 2;
  std::cerr << "survived\n";
  return 0;
}

TEST(CurveClientBadServerDeathTest, WelcomeWithALowOrderTransientKeyFailsInsteadOfCrashing) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::exit(low_order_server_transient_key()), ::testing::ExitedWithCode(0),
              "survived");
}

// A client told to trust the all-zero server key (zmq_curve(7)'s null_server_key case): no box
// can be made to it, so its HELLO cannot be built.
int all_zero_server_key() {
  context ctx;
  socket server{ctx, socket_type::push, test::server_options(secured_by::curve, nullptr)};
  server.bind("tcp://127.0.0.1:*");
  auto o = test::client_options(secured_by::curve);
  o.curve_serverkey = std::string(40, '0');  // Z85 of 32 zero bytes
  socket client{ctx, socket_type::pull, o};
  auto events = client.monitor();
  client.connect(server.last_endpoint());
  auto failed = test::next_event(events, event_kind::handshake_failed, budget);
  EXPECT_TRUE(failed);
  if (failed) {
    EXPECT_EQ(failed->reason_code, event_reason::protocol) << failed->reason;
    EXPECT_NE(failed->reason.find("not a usable"), std::string::npos) << failed->reason;
  }
  EXPECT_TRUE(test::next_event(events, event_kind::closed, budget)) << "still reconnecting";
  if (::testing::Test::HasFailure())
    return 2;
  std::cerr << "survived\n";
  return 0;
}

TEST(CurveClientBadServerDeathTest, AllZeroServerKeyFailsTheHandshakeInsteadOfCrashing) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::exit(all_zero_server_key()), ::testing::ExitedWithCode(0), "survived");
}

TEST(CurveClientBadServer, ShortReadyFailsAsMalformedAndStopsReconnecting) {
  bad_server_case c;
  auto g = accept_hello(c);
  auto ready = g.srv.ready_for(initiate_after_welcome(g));
  ready.resize(29);  // under 14 bytes of name and nonce + 16 of MAC
  g.srv.send_command(ready);
  c.expect_refused(g.srv, event_reason::protocol, "malformed CURVE READY");
}

TEST(CurveClientBadServer, ReadyThatDoesNotOpenFailsAndTheMessageBehindItIsNotDelivered) {
  bad_server_case c;
  auto g = accept_hello(c);
  auto ready = g.srv.ready_for(initiate_after_welcome(g));
  ready[20] ^= 0x01;  // inside Box[metadata](S'->C')
  // A valid MESSAGE right behind it, in the same write: it must die with the connection.
  g.srv.wire().send_all(
    test::zmtp::concat({test::command_frame(ready), test::data_frame(g.srv.message("sneaky"))}));
  c.expect_refused(g.srv, event_reason::auth, "CURVE READY does not open");
}

TEST(CurveClientBadServer, Error400InsteadOfReadyFailsAsAuthAndNeverReconnects) {
  bad_server_case c;
  auto g = accept_hello(c);
  initiate_after_welcome(g);
  g.srv.send_command(error_400);  // what a server whose ZAP handler said 400 sends
  c.expect_refused(g.srv, event_reason::auth, "peer sent ERROR: \"400\"");
}

TEST(CurveClientBadServer, Error400InsteadOfWelcomeFailsAsAuthAndNeverReconnects) {
  bad_server_case c;
  auto g = accept_hello(c);
  g.srv.send_command(error_400);
  c.expect_refused(g.srv, event_reason::auth, "peer sent ERROR: \"400\"");
}

TEST(CurveClientBadServer, Zmtp20GreetingFromTheServerFailsAsProtocolAndStopsReconnecting) {
  bad_server_case c;
  auto wire = c.fake.accept(budget);
  // ZMTP 2.0: signature, revision 1, socket type PUSH, empty identity frame.
  wire.send_all(bytes{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, 0x08, 0x00, 0x00});
  EXPECT_TRUE(wire.wait_closed(budget)) << "the client kept a ZMTP 2.0 server's connection open";
  c.expect_stopped(event_reason::protocol, "ZMTP 2.0");
}

} // namespace
} // namespace cafmq
