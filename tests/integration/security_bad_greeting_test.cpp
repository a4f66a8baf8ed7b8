// Bad PLAIN HELLOs (RFC 24, protocol-reference §2.1) and downgrade greetings against secured
// cafmq servers, on the wire. A PLAIN HELLO whose user name or password does not fit the command
// exactly is answered with ERROR and closed without asking the authenticator; a ZMTP 1.0 or 2.0
// peer, or a 3.x peer announcing another mechanism, is closed right after the greeting
// (RFC 23 §Security Considerations, CVE-2014-9721, CVE-2014-7202). Each ends with a
// handshake_failed event and its reason; nothing is delivered; the legitimate client flows on.
#include "support/raw_curve.hpp"
#include "support/secured_server.hpp"
#include "support/zmtp_wire.hpp"

#include <gtest/gtest.h>

#include <tuple>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
using test::raw_client;
using test::secured_by;
using test::secured_pull;
namespace zmtp = test::zmtp;

constexpr auto budget = secured_pull::budget;

bytes text(const std::string& s) {
  return bytes(s.begin(), s.end());
}

// A raw client that has exchanged PLAIN greetings with the server.
raw_client plain_greeted(secured_pull& s) {
  s.expect_flow("before the bad peer");
  auto c = raw_client::connect(s.endpoint(), budget);
  EXPECT_TRUE(c.send_all(zmtp::greeting("PLAIN")));
  auto g = c.read_exact(64, budget);
  EXPECT_EQ(g.status, test::read_status::ok);
  return c;
}

// Sends a HELLO carrying `data` and expects ERROR, then the close, then a handshake_failed
// event whose reason mentions `why`, with the authenticator asked only about the good client.
void expect_hello_refused(const bytes& data, const std::string& why) {
  secured_pull s{secured_by::plain};
  auto c = plain_greeted(s);
  auto remote = test::local_endpoint_of(c);
  ASSERT_TRUE(c.send_all(zmtp::command("HELLO", data)));
  auto error = zmtp::read_frame(c, budget);
  ASSERT_TRUE(error) << "no ERROR before the close";
  EXPECT_EQ(error->command_name(), "ERROR");
  auto reason = error->command_data();
  EXPECT_NE(std::string(reason.begin(), reason.end()).find(why), std::string::npos);
  test::expect_closed_by_server(c);
  s.expect_failed(remote, event_kind::handshake_failed, event_reason::protocol, why);
  EXPECT_EQ(s.judge->asked.load(), 1) << "a malformed HELLO reached the authenticator";
}

TEST(PlainServerBadInput, HelloWithoutAnyFieldsIsRefused) {
  expect_hello_refused({}, "user name runs past the command");
}

TEST(PlainServerBadInput, HelloWhoseUserNameRunsPastTheEndIsRefused) {
  expect_hello_refused({16, 'a', 'd', 'm'}, "user name runs past the command");
}

TEST(PlainServerBadInput, HelloWithNoRoomForThePasswordLengthIsRefused) {
  expect_hello_refused({5, 'a', 'd', 'm', 'i', 'n'}, "user name runs past the command");
}

TEST(PlainServerBadInput, HelloWhosePasswordRunsPastTheEndIsRefused) {
  expect_hello_refused({5, 'a', 'd', 'm', 'i', 'n', 9, 's', 'e', 'c'},
                       "the password does not end the command");
}

TEST(PlainServerBadInput, RightPasswordFollowedByMoreBytesIsRefusedNotAuthenticated) {
  auto data = zmtp::concat({{5}, text("admin"), {6}, text("secret"), text("x")});
  expect_hello_refused(data, "the password does not end the command");
}

TEST(PlainServerBadInput, InitiateInsteadOfHelloIsRefused) {
  secured_pull s{secured_by::plain};
  auto c = plain_greeted(s);
  auto remote = test::local_endpoint_of(c);
  ASSERT_TRUE(c.send_all(zmtp::command("INITIATE", {})));
  test::expect_closed_by_server(c);
  s.expect_failed(remote, event_kind::handshake_failed, event_reason::protocol,
                  "unexpected command \"INITIATE\"");
  EXPECT_EQ(s.judge->asked.load(), 1);
}

// -- greetings a secured server must refuse --

enum class bad_greeting { zmtp10, zmtp20, null31, other_mechanism };

struct greeting_case {
  bytes wire;
  event_reason code;
  std::string reason;
};

greeting_case make_case(secured_by server, bad_greeting g) {
  switch (g) {
    case bad_greeting::zmtp10:  // anonymous identity frame, then a message frame "sneaky"
      return {zmtp::concat({{0x01, 0x00, 0x07, 0x00}, text("sneaky")}), event_reason::protocol,
              "ZMTP 1.0, whose downgrade is refused (CVE-2014-9721)"};
    case bad_greeting::zmtp20:  // signature, revision 1, PUSH, empty identity, then "sneaky"
      return {zmtp::concat({{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, 0x08, 0x00, 0x00},
                            {0x00, 0x06}, text("sneaky")}),
              event_reason::protocol,
              "ZMTP downgrade refused (CVE-2014-9721): peer speaks ZMTP 2.0 (revision 0x01)"};
    case bad_greeting::null31:  // a downgrade to NULL, with READY and a message behind it
      return {zmtp::concat({zmtp::greeting("NULL"), zmtp::ready_socket_type("PUSH"),
                            zmtp::message_frame("sneaky")}),
              event_reason::mechanism_mismatch, "peer uses \"NULL\""};
    case bad_greeting::other_mechanism:
      return {zmtp::greeting(server == secured_by::curve ? "PLAIN" : "CURVE"),
              event_reason::mechanism_mismatch, "mechanism mismatch"};
  }
  return {};
}

class SecuredServerGreeting
  : public ::testing::TestWithParam<std::tuple<secured_by, bad_greeting>> {};

TEST_P(SecuredServerGreeting, IsRefusedWithoutAskingTheAuthenticatorOrDeliveringAnything) {
  auto [kind, greeting] = GetParam();
  auto expected = make_case(kind, greeting);
  secured_pull s{kind};
  s.expect_flow("before the bad peer");
  auto c = raw_client::connect(s.endpoint(), budget);
  auto remote = test::local_endpoint_of(c);
  c.send_all(expected.wire);  // may fail part-way: the server closes as soon as it can tell
  test::expect_closed_by_server(c);
  s.expect_failed(remote, event_kind::handshake_failed, expected.code, expected.reason);
  EXPECT_EQ(s.judge->asked.load(), 1);
}

std::string greeting_name(const ::testing::TestParamInfo<std::tuple<secured_by, bad_greeting>>& i) {
  static const char* const names[] = {"Zmtp10", "Zmtp20", "Null31", "OtherMechanism"};
  return std::string(std::get<0>(i.param) == secured_by::curve ? "Curve" : "Plain") + "Server"
         + names[static_cast<int>(std::get<1>(i.param))];
}

INSTANTIATE_TEST_SUITE_P(
  Downgrades, SecuredServerGreeting,
  ::testing::Combine(::testing::Values(secured_by::curve, secured_by::plain),
                     ::testing::Values(bad_greeting::zmtp10, bad_greeting::zmtp20,
                                       bad_greeting::null31, bad_greeting::other_mechanism)),
  greeting_name);

} // namespace
} // namespace cafmq
