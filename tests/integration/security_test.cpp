// PLAIN and CURVE between cafmq sockets, end to end over TCP: messages flow only after the
// handshake, each failure (wrong key, bad password, no authenticator, an identity the socket does
// not authorize, a mechanism mismatch) ends that connection with a handshake_failed event whose
// reason code says why, while a legitimate peer of the same socket carries on.
#include "support/curve_test_keys.hpp"
#include "support/events.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include "runtime/cafmq.hpp"
#include "security/socket_authenticator.hpp"
#include "security/zap_codec.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;

constexpr auto budget = 5000ms;

socket_options curve_server_options() {
  auto o = test::no_linger();
  o.curve_server = true;
  o.curve_secretkey = test::server_secret;
  return o;
}

socket_options curve_client_options(const char* server_key = test::server_public) {
  auto o = test::no_linger();
  o.curve_serverkey = server_key;
  o.curve_publickey = test::client_public;
  o.curve_secretkey = test::client_secret;
  return o;
}

socket_options curve_client_options_with(const char* pub, const char* sec) {
  auto o = curve_client_options();
  o.curve_publickey = pub;
  o.curve_secretkey = sec;
  return o;
}

socket_options plain_client_options(std::string user, std::string password) {
  auto o = test::no_linger();
  o.plain_username = std::move(user);
  o.plain_password = std::move(password);
  return o;
}

// Accepts one user name and password; records what it was asked.
class password_authenticator final : public authenticator {
public:
  void authenticate(const auth_request& r, std::function<void(const auth_reply&)> done) override {
    ++asked;
    last = r;
    if (r.mechanism == "PLAIN" && r.credentials.size() == 2 && r.credentials[0] == "admin"
        && r.credentials[1] == "secret")
      return done({200, "OK", "admin-user"});
    done({400, "bad user name or password", {}});
  }
  std::atomic<int> asked{0};
  auth_request last;
};

std::optional<monitor_event> handshake_failed(event_stream& events) {
  return test::next_event(events, event_kind::handshake_failed, budget);
}

TEST(Curve, ClientAndServerExchangeMultipartMessagesBothWays) {
  context ctx;
  socket server{ctx, socket_type::pair, curve_server_options()};
  auto server_events = server.monitor();
  server.bind("tcp://127.0.0.1:*");
  socket client{ctx, socket_type::pair, curve_client_options()};
  client.connect(server.last_endpoint());

  ASSERT_TRUE(client.send(message{"hello", "", std::string(70000, 'x')}));
  auto got = server.recv(budget);
  ASSERT_TRUE(got);
  EXPECT_EQ(frames_of(*got), (std::vector<std::string>{"hello", "", std::string(70000, 'x')}));
  ASSERT_TRUE(server.send(message{"world"}));
  auto back = client.recv(budget);
  ASSERT_TRUE(back);
  EXPECT_EQ(frames_of(*back), std::vector<std::string>{"world"});

  auto ok = test::next_event(server_events, event_kind::handshake_succeeded, budget);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->mechanism, "CURVE");
  EXPECT_EQ(ok->identity, test::client_public);  // no authenticator: the client's key
}

TEST(Curve, ClientWithoutKeysUsesAFreshPair) {
  context ctx;
  socket server{ctx, socket_type::pull, curve_server_options()};
  auto events = server.monitor();
  server.bind("tcp://127.0.0.1:*");
  auto o = test::no_linger();
  o.curve_serverkey = test::server_public;
  socket client{ctx, socket_type::push, o};
  client.connect(server.last_endpoint());
  ASSERT_TRUE(client.send(message{"anonymous"}));
  ASSERT_TRUE(server.recv(budget));
  auto ok = test::next_event(events, event_kind::handshake_succeeded, budget);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->identity.size(), 40u);
  EXPECT_NE(ok->identity, test::client_public);
}

TEST(Curve, WrongServerKeyFailsThatConnectionOnlyAndNothingIsDelivered) {
  context ctx;
  socket server{ctx, socket_type::pull, curve_server_options()};
  auto events = server.monitor();
  server.bind("tcp://127.0.0.1:*");
  // The client believes in another server key (the client's own public key, say).
  socket impostor{ctx, socket_type::push, curve_client_options(test::client_public)};
  impostor.connect(server.last_endpoint());
  ASSERT_TRUE(impostor.send(message{"must not arrive"}));
  auto failed = handshake_failed(events);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->reason_code, event_reason::auth) << failed->reason;

  socket good{ctx, socket_type::push, curve_client_options()};
  good.connect(server.last_endpoint());
  ASSERT_TRUE(good.send(message{"welcome"}));
  auto got = server.recv(budget);
  ASSERT_TRUE(got);
  EXPECT_EQ(frames_of(*got), std::vector<std::string>{"welcome"});
}

TEST(Curve, AuthorizationRefusesAnIdentityItDoesNotList) {
  context ctx;
  auto o = curve_server_options();
  auto rules = std::make_shared<authorization>();
  rules->allow_identity("someone-else");
  o.authorization = rules;
  socket server{ctx, socket_type::pull, o};
  auto events = server.monitor();
  server.bind("tcp://127.0.0.1:*");
  socket client{ctx, socket_type::push, curve_client_options()};
  auto client_events = client.monitor();
  client.connect(server.last_endpoint());
  ASSERT_TRUE(client.send(message{"must not arrive"}));

  auto failed = handshake_failed(events);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->reason_code, event_reason::auth) << failed->reason;
  EXPECT_NE(failed->reason.find("not authorized"), std::string::npos) << failed->reason;
  auto refused = handshake_failed(client_events);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->reason_code, event_reason::auth) << refused->reason;
  // The server said ERROR: the client stops reconnecting instead of hammering it.
  auto closed = test::next_event(client_events, event_kind::closed, budget);
  ASSERT_TRUE(closed);
  EXPECT_FALSE(server.recv(0ms));
}

TEST(Curve, ZapEnforceDomainWithoutAuthenticatorRefusesClients) {
  context ctx;
  auto o = curve_server_options();
  o.zap_enforce_domain = true;
  socket server{ctx, socket_type::pull, o};
  auto events = server.monitor();
  server.bind("tcp://127.0.0.1:*");
  socket client{ctx, socket_type::push, curve_client_options()};
  client.connect(server.last_endpoint());
  auto failed = handshake_failed(events);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->reason_code, event_reason::auth) << failed->reason;
}

TEST(Curve, PublisherDeliversOnlyTheTopicsAnIdentityIsAuthorizedFor) {
  context ctx;
  auto o = curve_server_options();
  auto rules = std::make_shared<authorization>();
  rules->allow_topic(test::client_public, "weather.");
  o.authorization = rules;
  socket pub{ctx, socket_type::pub, o};
  pub.bind("tcp://127.0.0.1:*");
  socket sub{ctx, socket_type::sub, curve_client_options()};
  sub.subscribe("weather.paris");
  sub.subscribe("secrets.");
  sub.subscribe("");  // everything: broader than its topic, refused
  sub.connect(pub.last_endpoint());
  ASSERT_TRUE(pub.wait_subscribers(1, budget));
  test::deadline d{budget};
  while (pub.stats().refused_subscriptions < 2 && !d.expired())
    pub.wait_subscribers(1, 10ms);
  EXPECT_EQ(pub.stats().refused_subscriptions, 2u);

  ASSERT_TRUE(pub.send(message{"secrets.launch-codes"}));
  ASSERT_TRUE(pub.send(message{"weather.paris sunny"}));
  auto got = sub.recv(budget);
  ASSERT_TRUE(got);
  EXPECT_EQ(frames_of(*got), std::vector<std::string>{"weather.paris sunny"});
  EXPECT_FALSE(sub.recv(0ms));
}

TEST(Plain, AuthenticatorAcceptsTheRightPasswordAndVouchesForTheUser) {
  context ctx;
  auto judge = std::make_shared<password_authenticator>();
  auto o = test::no_linger();
  o.plain_server = true;
  o.zap_domain = "global";
  o.authenticator = judge;
  socket server{ctx, socket_type::rep, o};
  auto events = server.monitor();
  server.bind("tcp://127.0.0.1:*");
  socket client{ctx, socket_type::req, plain_client_options("admin", "secret")};
  client.connect(server.last_endpoint());
  ASSERT_TRUE(client.send(message{"ping"}));
  auto got = server.recv(budget);
  ASSERT_TRUE(got);
  EXPECT_EQ(frames_of(*got), std::vector<std::string>{"ping"});
  ASSERT_TRUE(server.send(message{"pong"}));
  auto reply = client.recv(budget);
  ASSERT_TRUE(reply);
  EXPECT_EQ(frames_of(*reply), std::vector<std::string>{"pong"});
  auto ok = test::next_event(events, event_kind::handshake_succeeded, budget);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->mechanism, "PLAIN");
  EXPECT_EQ(ok->identity, "admin-user");
  EXPECT_EQ(judge->last.domain, "global");
  EXPECT_EQ(judge->last.address, "127.0.0.1");
}

// A dual-stack bind sees an IPv4 client as ::ffff:127.0.0.1 at the socket level; an address rule
// written for IPv4 (pyzmq's zmq.auth deny lists, ZAP handlers) must see 127.0.0.1.
TEST(Plain, AnIpv4ClientOfADualStackBindIsJudgedByItsIpv4Address) {
  context ctx;
  auto judge = std::make_shared<password_authenticator>();
  auto o = test::no_linger();
  o.plain_server = true;
  o.authenticator = judge;
  socket server{ctx, socket_type::rep, o};
  server.bind("tcp://*:*");
  auto port = server.last_endpoint().substr(server.last_endpoint().rfind(':'));
  socket client{ctx, socket_type::req, plain_client_options("admin", "secret")};
  client.connect("tcp://127.0.0.1" + port);
  ASSERT_TRUE(client.send(message{"ping"}));
  auto got = server.recv(budget);
  ASSERT_TRUE(got);
  EXPECT_EQ(judge->last.address, "127.0.0.1");
  EXPECT_EQ(server.last_peer()->peer_address(), "127.0.0.1");
}

TEST(Plain, WrongPasswordIsRefusedWithAnAuthReasonAndNoReconnectLoop) {
  context ctx;
  auto judge = std::make_shared<password_authenticator>();
  auto o = test::no_linger();
  o.plain_server = true;
  o.authenticator = judge;
  socket server{ctx, socket_type::pull, o};
  auto server_events = server.monitor();
  server.bind("tcp://127.0.0.1:*");
  socket intruder{ctx, socket_type::push, plain_client_options("admin", "guess")};
  auto events = intruder.monitor();
  intruder.connect(server.last_endpoint());
  ASSERT_TRUE(intruder.send(message{"must not arrive"}));

  auto failed = handshake_failed(events);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->reason_code, event_reason::auth) << failed->reason;
  ASSERT_TRUE(test::next_event(events, event_kind::closed, budget));  // stopped reconnecting
  auto refused = handshake_failed(server_events);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->reason_code, event_reason::auth) << refused->reason;
  EXPECT_EQ(judge->asked.load(), 1);

  socket user{ctx, socket_type::push, plain_client_options("admin", "secret")};
  user.connect(server.last_endpoint());
  ASSERT_TRUE(user.send(message{"let me in"}));
  auto got = server.recv(budget);
  ASSERT_TRUE(got);
  EXPECT_EQ(frames_of(*got), std::vector<std::string>{"let me in"});
}

TEST(Plain, ServerWithoutAnyAuthenticatorRefusesClients) {
  context ctx;
  auto o = test::no_linger();
  o.plain_server = true;
  socket server{ctx, socket_type::pull, o};
  auto events = server.monitor();
  server.bind("tcp://127.0.0.1:*");
  socket client{ctx, socket_type::push, plain_client_options("admin", "secret")};
  client.connect(server.last_endpoint());
  auto failed = handshake_failed(events);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->reason_code, event_reason::auth) << failed->reason;
}

TEST(Plain, TheContextAuthenticatorServesSocketsWithoutTheirOwn) {
  context ctx;
  auto judge = std::make_shared<password_authenticator>();
  ctx.set_authenticator(judge);
  auto o = test::no_linger();
  o.plain_server = true;
  socket server{ctx, socket_type::pull, o};
  server.bind("tcp://127.0.0.1:*");
  socket client{ctx, socket_type::push, plain_client_options("admin", "secret")};
  client.connect(server.last_endpoint());
  ASSERT_TRUE(client.send(message{"via the context"}));
  ASSERT_TRUE(server.recv(budget));
  EXPECT_EQ(judge->asked.load(), 1);
}

TEST(Security, MechanismMismatchEndsTheHandshakeOnBothSides) {
  context ctx;
  socket server{ctx, socket_type::pull, curve_server_options()};
  auto server_events = server.monitor();
  server.bind("tcp://127.0.0.1:*");
  socket null_client{ctx, socket_type::push, test::no_linger()};
  auto client_events = null_client.monitor();
  null_client.connect(server.last_endpoint());
  auto a = handshake_failed(server_events);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->reason_code, event_reason::mechanism_mismatch) << a->reason;
  auto b = handshake_failed(client_events);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->reason_code, event_reason::mechanism_mismatch) << b->reason;
}

TEST(Security, BadKeyOptionsAreRefusedWithTheOptionName) {
  context ctx;
  auto o = test::no_linger();
  o.curve_serverkey = "too short";
  try {
    socket s{ctx, socket_type::push, o};
    FAIL() << "a 9-byte key was accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("curve_serverkey"), std::string::npos) << e.what();
  }
  auto both = curve_server_options();
  both.plain_username = "admin";
  EXPECT_THROW((socket{ctx, socket_type::push, both}), error);
  auto mismatch = curve_client_options();
  mismatch.curve_publickey = test::server_public;  // not the secret key's public key
  EXPECT_THROW((socket{ctx, socket_type::push, mismatch}), error);
}

TEST(MessageProperties, RouterSeesWhoSentEachMessage) {
  context ctx;
  auto judge = std::make_shared<password_authenticator>();
  auto o = test::no_linger();
  o.plain_server = true;
  o.authenticator = judge;
  socket router{ctx, socket_type::router, o};
  router.bind("tcp://127.0.0.1:*");
  auto co = plain_client_options("admin", "secret");
  co.routing_id = "dealer-1";
  socket dealer{ctx, socket_type::dealer, co};
  dealer.connect(router.last_endpoint());
  ASSERT_TRUE(dealer.send(message{"hi"}));
  ASSERT_TRUE(router.recv(budget));
  auto peer = router.last_peer();
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->user_id(), "admin-user");
  EXPECT_EQ(peer->peer_address(), "127.0.0.1");
  EXPECT_EQ(peer->socket_type(), "DEALER");
  EXPECT_EQ(peer->identity(), "dealer-1");
  EXPECT_EQ(peer->get("User-Id"), "admin-user");
}

TEST(MessageProperties, CurveServerSeesTheClientKeyAndClientTheServerKey) {
  context ctx;
  socket server{ctx, socket_type::pair, curve_server_options()};
  server.bind("tcp://127.0.0.1:*");
  socket client{ctx, socket_type::pair, curve_client_options()};
  client.connect(server.last_endpoint());
  ASSERT_TRUE(client.send(message{"a"}));
  ASSERT_TRUE(server.recv(budget));
  ASSERT_TRUE(server.last_peer());
  EXPECT_EQ(server.last_peer()->curve_public_key(), test::client_public);
  EXPECT_EQ(server.last_peer()->user_id(), test::client_public);
  ASSERT_TRUE(server.send(message{"b"}));
  ASSERT_TRUE(client.recv(budget));
  ASSERT_TRUE(client.last_peer());
  EXPECT_EQ(client.last_peer()->curve_public_key(), test::server_public);
  EXPECT_EQ(client.last_peer()->socket_type(), "PAIR");
}

TEST(MessageProperties, NullConnectionsHaveAddressAndSocketTypeButNoUser) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(pull.last_endpoint());
  ASSERT_TRUE(push.send(message{"x"}));
  ASSERT_TRUE(pull.recv(budget));
  auto peer = pull.last_peer();
  ASSERT_TRUE(peer);
  EXPECT_EQ(peer->socket_type(), "PUSH");
  EXPECT_EQ(peer->user_id(), "");
  EXPECT_EQ(peer->peer_address(), "127.0.0.1");
}

TEST(ZapHandler, ACafmqRepServesZapRequestsOfACafmqServer) {
  context ctx;
  socket handler{ctx, socket_type::rep, test::no_linger()};
  handler.bind("tcp://127.0.0.1:*");
  std::atomic<int> served{0};
  std::thread serve([&] {  // two requests: a stranger's key, then the known client's
    for (int i = 0; i < 2; ++i) {
      auto m = handler.recv(budget);
      if (!m)
        return;
      auto req = security::parse_zap_request(*m, security::zap_envelope::none);
      if (!req)
        return;
      bool known = security::authenticated_identity(req.value->request, {}) == test::client_public;
      auth_reply verdict = known ? auth_reply{200, "OK", "alice"} : auth_reply{400, "unknown key", {}};
      handler.send(security::make_zap_reply(req.value->request_id, verdict, {},
                                            security::zap_envelope::none));
      ++served;
    }
  });
  struct joiner {
    std::thread& t;
    ~joiner() {
      if (t.joinable())
        t.join();  // also when an assertion returns early: recv is bounded
    }
  } join_serve{serve};
  auto o = curve_server_options();
  o.zap_domain = "test";
  o.authenticator = std::make_shared<zap_client>(ctx, handler.last_endpoint());
  socket server{ctx, socket_type::pull, o};
  auto events = server.monitor();
  server.bind("tcp://127.0.0.1:*");

  socket stranger{ctx, socket_type::push,
                  curve_client_options_with("{{k*81)yMWEF{/BxdMd[5RL^qRFxBgoL<8m.D^KD",
                                            "N?Gmik8R[2ACw{b7*[-$S6[4}aO#?DB?#=<OQPc7")};
  stranger.connect(server.last_endpoint());
  auto refused = handshake_failed(events);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->reason_code, event_reason::auth) << refused->reason;

  socket client{ctx, socket_type::push, curve_client_options()};
  client.connect(server.last_endpoint());
  ASSERT_TRUE(client.send(message{"hello"}));
  ASSERT_TRUE(server.recv(budget));
  ASSERT_TRUE(server.last_peer());
  EXPECT_EQ(server.last_peer()->user_id(), "alice");
  serve.join();
  EXPECT_EQ(served.load(), 2);
}

} // namespace
} // namespace cafmq
