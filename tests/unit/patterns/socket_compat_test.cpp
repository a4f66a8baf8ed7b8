// The Socket-Type compatibility table (RFC 23 §The Socket-Type Property, protocol-reference
// §1.5), checked for every pair of socket types, plus the handshake validator built on it.
#include "patterns/socket_compat.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

using namespace cafmq;
using patterns::compatible;
using patterns::socket_type_validator;

namespace {

const socket_type all_types[] = {socket_type::pair,   socket_type::pub,    socket_type::sub,
                                 socket_type::req,    socket_type::rep,    socket_type::dealer,
                                 socket_type::router, socket_type::pull,   socket_type::push,
                                 socket_type::xpub,   socket_type::xsub,   socket_type::stream};

// protocol-reference §1.5, written out independently of the implementation.
const std::set<std::pair<std::string, std::string>> allowed = {
  {"REQ", "REP"},      {"REQ", "ROUTER"},    {"REP", "REQ"},     {"REP", "DEALER"},
  {"DEALER", "REP"},   {"DEALER", "DEALER"}, {"DEALER", "ROUTER"}, {"ROUTER", "REQ"},
  {"ROUTER", "DEALER"}, {"ROUTER", "ROUTER"}, {"PUB", "SUB"},    {"PUB", "XSUB"},
  {"XPUB", "SUB"},     {"XPUB", "XSUB"},     {"SUB", "PUB"},     {"SUB", "XPUB"},
  {"XSUB", "PUB"},     {"XSUB", "XPUB"},     {"PUSH", "PULL"},   {"PULL", "PUSH"},
  {"PAIR", "PAIR"},
};

metadata with_type(std::string type) {
  metadata md;
  md.add("Socket-Type", std::move(type));
  return md;
}

} // namespace

TEST(SocketCompat, EveryPairFollowsTheTable) {
  for (auto ours : all_types) {
    for (auto peer : all_types) {
      std::string a(zmtp_name(ours)), b(zmtp_name(peer));
      EXPECT_EQ(compatible(ours, b), allowed.count({a, b}) == 1) << a << " <- " << b;
    }
  }
}

TEST(SocketCompat, TableIsSymmetric) {
  for (auto a : all_types)
    for (auto b : all_types)
      EXPECT_EQ(compatible(a, zmtp_name(b)), compatible(b, zmtp_name(a)))
        << zmtp_name(a) << " / " << zmtp_name(b);
}

TEST(SocketCompat, StreamTalksToNothingOverZmtp) {
  for (auto peer : all_types)
    EXPECT_FALSE(compatible(socket_type::stream, zmtp_name(peer)));
}

TEST(SocketCompat, PeerNamesCompareExactly) {
  EXPECT_TRUE(compatible(socket_type::dealer, "ROUTER"));
  EXPECT_FALSE(compatible(socket_type::dealer, "router"));
  EXPECT_FALSE(compatible(socket_type::dealer, "Router"));
  EXPECT_FALSE(compatible(socket_type::dealer, "ROUTER "));
  EXPECT_FALSE(compatible(socket_type::dealer, "ROUTE"));
  EXPECT_FALSE(compatible(socket_type::dealer, std::string_view("ROUTER\0", 7)));
  EXPECT_FALSE(compatible(socket_type::dealer, ""));
}

TEST(SocketCompat, DraftTypesAreNotAcceptedByClassicSockets) {
  for (auto draft : {"CLIENT", "SERVER", "RADIO", "DISH", "SCATTER", "GATHER", "PEER", "CHANNEL"})
    for (auto ours : all_types)
      EXPECT_FALSE(compatible(ours, draft)) << zmtp_name(ours) << " <- " << draft;
}

TEST(SocketTypeValidator, CompatiblePeerPasses) {
  EXPECT_FALSE(socket_type_validator(socket_type::push)(with_type("PULL")));
  EXPECT_FALSE(socket_type_validator(socket_type::router)(with_type("DEALER")));
}

TEST(SocketTypeValidator, MissingSocketTypeIsToleratedLikeLibzmq) {
  EXPECT_FALSE(socket_type_validator(socket_type::push)(metadata{}));
  metadata identity_only;
  identity_only.add("Identity", "abc");
  EXPECT_FALSE(socket_type_validator(socket_type::router)(identity_only));
}

TEST(SocketTypeValidator, IncompatiblePeerIsRejectedSayingWhich) {
  auto push = socket_type_validator(socket_type::push)(with_type("PUB"));
  ASSERT_TRUE(push);
  EXPECT_EQ(push->code, event_reason::incompatible_socket_type);
  EXPECT_TRUE(push->permanent);
  EXPECT_EQ(push->detail, "incompatible Socket-Type: PUSH socket cannot talk to a \"PUB\" peer");
  auto req = socket_type_validator(socket_type::req)(with_type("REQ"));
  ASSERT_TRUE(req);
  EXPECT_EQ(req->code, event_reason::incompatible_socket_type);
  EXPECT_EQ(req->detail, "incompatible Socket-Type: REQ socket cannot talk to a \"REQ\" peer");
}

TEST(SocketTypeValidator, PropertyNameMatchesAnyCase) {
  metadata md;
  md.add("socket-TYPE", "PUB");
  EXPECT_TRUE(socket_type_validator(socket_type::push)(md));
  metadata ok;
  ok.add("SOCKET-TYPE", "SUB");
  EXPECT_FALSE(socket_type_validator(socket_type::pub)(ok));
}

TEST(SocketTypeValidator, HostilePeerValueIsEscaped) {
  auto why = socket_type_validator(socket_type::push)(with_type("PU\nB\x1b"));
  ASSERT_TRUE(why);
  EXPECT_EQ(why->detail.find('\n'), std::string::npos);
  EXPECT_EQ(why->detail.find('\x1b'), std::string::npos);
  EXPECT_EQ(why->code, event_reason::incompatible_socket_type);
}
