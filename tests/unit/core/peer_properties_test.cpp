// Message properties: what the handshake established wins over what the peer claims.
#include "runtime/core/peer_properties.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

TEST(PeerProperties, HandshakeFactsCannotBeClaimedByThePeer) {
  metadata said;
  said.add("Socket-Type", "DEALER");
  said.add("User-Id", "root");  // a peer's claim
  said.add("Peer-Address", "10.0.0.1");
  said.add("X-Custom", "value");
  peer_properties p{said, "alice", "127.0.0.1", ""};
  EXPECT_EQ(p.get("User-Id"), "alice");
  EXPECT_EQ(p.get("user-id"), "alice");
  EXPECT_EQ(p.get("Peer-Address"), "127.0.0.1");
  EXPECT_EQ(p.get("Curve-Public-Key"), std::nullopt);
  EXPECT_EQ(p.get("socket-type"), "DEALER");
  EXPECT_EQ(p.get("X-Custom"), "value");
  EXPECT_EQ(p.get("Missing"), std::nullopt);
  EXPECT_EQ(p.identity(), "");
}

} // namespace
} // namespace cafmq
