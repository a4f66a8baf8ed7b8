// The NULL handshake with a ZAP domain (RFC 27, as libzmq 4.3): nothing goes out before the
// authenticator's verdict; 200 sends READY and keeps the User-Id; a refusal fails with auth and
// an ERROR carrying the status code (none for 300).
#include "security/null_mechanism.hpp"

#include <gtest/gtest.h>

using namespace cafmq;
using security::null_mechanism;
using status = mechanism::status;

namespace {

metadata pull_md() {
  metadata md;
  md.add("Socket-Type", "PULL");
  return md;
}

bytes peer_ready() {
  metadata md;
  md.add("Socket-Type", "PUSH");
  bytes body;
  encode_metadata(md, body);
  return make_command("READY", body.data(), body.size());
}

} // namespace

TEST(NullZapMechanism, WithADomainStartAsksBeforeSendingAnything) {
  null_mechanism m{pull_md(), nullptr, "global"};
  std::vector<bytes> out;
  EXPECT_EQ(m.start(out), status::handshaking);
  EXPECT_TRUE(out.empty());
  auto req = m.take_auth_request();
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->domain, "global");
  EXPECT_EQ(req->mechanism, "NULL");
  EXPECT_TRUE(req->credentials.empty());
  EXPECT_FALSE(m.take_auth_request().has_value()) << "asked twice";
}

TEST(NullZapMechanism, AllowedAfterThePeersReadySendsReadyAndIsReadyWithTheUserId) {
  null_mechanism m{pull_md(), nullptr, "global"};
  std::vector<bytes> out;
  m.start(out);
  auto ready = peer_ready();
  EXPECT_EQ(m.on_command(ready.data(), ready.size(), out), status::handshaking);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(m.on_auth_reply({200, "OK", "host-a"}, out), status::ready);
  ASSERT_EQ(out.size(), 1u);
  auto cmd = parse_command(out[0].data(), out[0].size());
  ASSERT_TRUE(cmd.has_value());
  EXPECT_EQ(cmd->name, "READY");
  EXPECT_EQ(m.user_id(), "host-a");
  EXPECT_EQ(m.peer_metadata().find("Socket-Type").value_or(""), "PUSH");
}

TEST(NullZapMechanism, AllowedBeforeThePeersReadyWaitsForIt) {
  null_mechanism m{pull_md(), nullptr, "global"};
  std::vector<bytes> out;
  m.start(out);
  EXPECT_EQ(m.on_auth_reply({200, "OK", {}}, out), status::handshaking);
  EXPECT_EQ(out.size(), 1u);
  auto ready = peer_ready();
  EXPECT_EQ(m.on_command(ready.data(), ready.size(), out), status::ready);
}

TEST(NullZapMechanism, ARefusalFailsWithAuthAndAnErrorCarryingTheStatusCode) {
  null_mechanism m{pull_md(), nullptr, "global"};
  std::vector<bytes> out;
  m.start(out);
  EXPECT_EQ(m.on_auth_reply({400, "address denied", {}}, out), status::failed);
  EXPECT_EQ(m.failure().code, event_reason::auth);
  EXPECT_TRUE(m.failure().send_error);
  EXPECT_EQ(m.failure().error_reason, "400");
  EXPECT_NE(m.failure().reason.find("NULL authentication denied (400 address denied)"),
            std::string::npos)
    << m.failure().reason;
}

TEST(NullZapMechanism, ATemporaryFailureClosesWithoutAnError) {
  null_mechanism m{pull_md(), nullptr, "global"};
  std::vector<bytes> out;
  m.start(out);
  EXPECT_EQ(m.on_auth_reply({300, "try later", {}}, out), status::failed);
  EXPECT_FALSE(m.failure().send_error);
}

TEST(NullZapMechanism, WithoutADomainNothingIsAsked) {
  null_mechanism m{pull_md(), nullptr};
  std::vector<bytes> out;
  m.start(out);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_FALSE(m.take_auth_request().has_value());
}
