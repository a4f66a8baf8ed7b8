// PLAIN (RFC 24) on bytes: the reference HELLO and WELCOME hex, the full client/server exchange,
// the authenticator round trip (allowed, denied with the ZAP status code as ERROR reason), and
// malformed HELLOs rejected as libzmq rejects them.
#include "hex.hpp"

#include "security/plain_mechanism.hpp"

#include <gtest/gtest.h>

namespace cafmq::security {
namespace {

using status = mechanism::status;

metadata socket_type(const char* t) {
  metadata md;
  md.add("Socket-Type", t);
  return md;
}

TEST(PlainHello, MatchesTheReferenceBytes) {
  auto hello = make_plain_hello("admin", "password");
  ASSERT_TRUE(hello.has_value());
  // frame header 04 15 aside: 05 HELLO 05 admin 08 password
  EXPECT_EQ(*hello, test::from_hex("05 48 45 4c 4c 4f 05 61 64 6d 69 6e 08 70 61 73 73 77 6f 72 64"));
  EXPECT_FALSE(make_plain_hello(std::string(256, 'u'), "p").has_value());
}

// Runs client and server against each other, answering the server's request with `reply`.
struct exchange {
  plain_client client{"admin", "secret", socket_type("DEALER"), nullptr};
  plain_server server{"global", socket_type("ROUTER"), nullptr};
  std::vector<bytes> to_server, to_client;
};

TEST(PlainExchange, AllowedClientAndServerBothBecomeReadyWithUserId) {
  exchange x;
  ASSERT_EQ(x.client.start(x.to_server), status::handshaking);
  ASSERT_EQ(x.server.start(x.to_client), status::handshaking);
  ASSERT_EQ(x.to_server.size(), 1u);
  ASSERT_EQ(x.server.on_command(x.to_server[0].data(), x.to_server[0].size(), x.to_client),
            status::handshaking);
  auto req = x.server.take_auth_request();
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->mechanism, "PLAIN");
  EXPECT_EQ(req->domain, "global");
  EXPECT_EQ(req->credentials, (std::vector<std::string>{"admin", "secret"}));
  EXPECT_FALSE(x.server.take_auth_request().has_value()) << "asked once";
  ASSERT_EQ(x.server.on_auth_reply({200, "OK", "admin-user"}, x.to_client), status::handshaking);
  ASSERT_EQ(x.to_client.size(), 1u);
  EXPECT_EQ(x.to_client[0], test::from_hex("07 57 45 4c 43 4f 4d 45"));  // WELCOME
  x.to_server.clear();
  ASSERT_EQ(x.client.on_command(x.to_client[0].data(), x.to_client[0].size(), x.to_server),
            status::handshaking);
  ASSERT_EQ(x.to_server.size(), 1u);  // INITIATE
  x.to_client.clear();
  ASSERT_EQ(x.server.on_command(x.to_server[0].data(), x.to_server[0].size(), x.to_client),
            status::ready);
  EXPECT_EQ(x.server.peer_metadata().find("Socket-Type"), "DEALER");
  EXPECT_EQ(x.server.user_id(), "admin-user");
  ASSERT_EQ(x.to_client.size(), 1u);  // READY
  std::vector<bytes> none;
  ASSERT_EQ(x.client.on_command(x.to_client[0].data(), x.to_client[0].size(), none), status::ready);
  EXPECT_EQ(x.client.peer_metadata().find("Socket-Type"), "ROUTER");
  EXPECT_TRUE(none.empty());
}

TEST(PlainExchange, DeniedClientGetsAnErrorCarryingTheStatusCode) {
  exchange x;
  x.client.start(x.to_server);
  x.server.on_command(x.to_server[0].data(), x.to_server[0].size(), x.to_client);
  ASSERT_TRUE(x.server.take_auth_request().has_value());
  EXPECT_EQ(x.server.on_auth_reply({400, "bad password", ""}, x.to_client), status::failed);
  EXPECT_TRUE(x.server.failure().send_error);
  EXPECT_EQ(x.server.failure().error_reason, "400");
  EXPECT_NE(x.server.failure().reason.find("bad password"), std::string::npos);
  EXPECT_EQ(x.server.failure().code, event_reason::auth);
  // The client hears ERROR and gives up for good.
  auto error = make_error_command("400");
  EXPECT_EQ(x.client.on_command(error.data(), error.size(), x.to_server), status::failed);
  EXPECT_TRUE(x.client.failure().peer_said_error);
  EXPECT_FALSE(x.client.failure().send_error);
  EXPECT_EQ(x.client.failure().code, event_reason::auth);
}

TEST(PlainServer, MalformedHellosAreRefusedWithAnError) {
  const char* bad[] = {
    "05 48 45 4c 4c 4f",                          // no user name length
    "05 48 45 4c 4c 4f 05 61 64",                 // user name runs past the end
    "05 48 45 4c 4c 4f 01 61",                    // no password length
    "05 48 45 4c 4c 4f 01 61 03 70 70",           // password shorter than its length
    "05 48 45 4c 4c 4f 01 61 01 70 70",           // bytes after the password
  };
  for (auto hex : bad) {
    plain_server s{"", socket_type("REP"), nullptr};
    std::vector<bytes> out;
    auto body = test::from_hex(hex);
    EXPECT_EQ(s.on_command(body.data(), body.size(), out), status::failed) << hex;
    EXPECT_TRUE(s.failure().send_error) << hex;
    EXPECT_EQ(s.failure().code, event_reason::protocol) << hex;
    EXPECT_FALSE(s.take_auth_request().has_value()) << hex;
  }
}

TEST(PlainServer, CommandsOutOfOrderEndTheHandshake) {
  plain_server s{"", socket_type("REP"), nullptr};
  std::vector<bytes> out;
  bytes md;
  auto initiate = make_command("INITIATE", md.data(), md.size());
  EXPECT_EQ(s.on_command(initiate.data(), initiate.size(), out), status::failed);
  EXPECT_NE(s.failure().reason.find("INITIATE"), std::string::npos);
  EXPECT_EQ(s.failure().code, event_reason::protocol);
}

TEST(PlainClient, IncompatiblePeerTypeIsRefused) {
  auto only_rep = [](const metadata& md) -> std::optional<connection_end> {
    if (md.find("Socket-Type") == "REP")
      return std::nullopt;
    return permanent_end(event_reason::incompatible_socket_type, "wrong");
  };
  plain_client c{"u", "p", socket_type("REQ"), only_rep};
  std::vector<bytes> out;
  c.start(out);
  auto welcome = make_command("WELCOME");
  ASSERT_EQ(c.on_command(welcome.data(), welcome.size(), out), status::handshaking);
  bytes md;
  encode_metadata(socket_type("PUB"), md);
  auto ready = make_command("READY", md.data(), md.size());
  EXPECT_EQ(c.on_command(ready.data(), ready.size(), out), status::failed);
  EXPECT_EQ(c.failure().reason, "wrong");
  EXPECT_EQ(c.failure().code, event_reason::incompatible_socket_type);
}

TEST(PlainClient, ReadsTheStatusOutOfLibzmq43sMalformedError) {
  plain_client client{"admin", "guess", socket_type("DEALER"), nullptr};
  std::vector<bytes> out;
  ASSERT_EQ(client.start(out), status::handshaking);
  auto quirk = test::from_hex("5e 52 52 4f 52 03 34 30 30");  // 5E "RROR" 03 "400"
  EXPECT_EQ(client.on_command(quirk.data(), quirk.size(), out), status::failed);
  EXPECT_EQ(client.failure().reason, "peer sent ERROR: \"400\"");
  EXPECT_EQ(client.failure().code, event_reason::auth);
  EXPECT_TRUE(client.failure().peer_said_error);
  EXPECT_FALSE(client.failure().send_error);
}

TEST(PlainServer, TemporaryFailure300ClosesWithoutError) {
  exchange x;
  x.client.start(x.to_server);
  x.server.start(x.to_client);
  x.server.on_command(x.to_server[0].data(), x.to_server[0].size(), x.to_client);
  ASSERT_TRUE(x.server.take_auth_request().has_value());
  EXPECT_EQ(x.server.on_auth_reply({300, "try later", {}}, x.to_client), status::failed);
  EXPECT_FALSE(x.server.failure().send_error);  // RFC 27 / libzmq: the client may come back
  EXPECT_EQ(x.server.failure().code, event_reason::auth);
}

} // namespace
} // namespace cafmq::security
