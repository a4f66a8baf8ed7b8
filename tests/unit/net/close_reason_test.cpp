// The reason codes of the texts engines close with (net/close_reason): each text the
// code base produces maps to the code monitor events carry.
#include "net/close_reason.hpp"

#include <gtest/gtest.h>

namespace cafmq::net {
namespace {

TEST(CloseReason, HandshakeFailuresByCause) {
  EXPECT_EQ(classify_close("handshake failed: incompatible Socket-Type: PUSH socket cannot talk "
                           "to a PUSH peer", false),
            event_reason::incompatible_socket_type);
  EXPECT_EQ(classify_close("handshake failed: mechanism mismatch: peer uses PLAIN, this socket "
                           "uses NULL", false),
            event_reason::mechanism_mismatch);
  EXPECT_EQ(classify_close("handshake failed: peer sent ERROR: go away", false),
            event_reason::peer_error);
  EXPECT_EQ(classify_close("peer sent ERROR: bye", false), event_reason::peer_error);
  EXPECT_EQ(classify_close("handshake not finished within 100 ms (handshake_ivl)", true),
            event_reason::timeout);
  EXPECT_EQ(classify_close("handshake failed: peer speaks ZMTP 2.0 (revision 0x01), which cafmq "
                           "does not support", false),
            event_reason::protocol);
}

TEST(CloseReason, ConnectionFailuresByCause) {
  EXPECT_EQ(classify_close("connection closed by peer", true), event_reason::io);
  EXPECT_EQ(classify_close("read failed: Connection reset by peer", true), event_reason::io);
  EXPECT_EQ(classify_close("write failed: Broken pipe", true), event_reason::io);
  EXPECT_EQ(classify_close("protocol error: malformed command", false), event_reason::protocol);
  EXPECT_EQ(classify_close("closed by the socket", false), event_reason::local);
  EXPECT_EQ(classify_close("cannot allocate 1000000 bytes for a frame", false),
            event_reason::resource);
  EXPECT_EQ(classify_close("evicted: 256 handshakes pending (max_pending_handshakes), the oldest "
                           "closed to admit a new connection",
                           false),
            event_reason::resource);
}

} // namespace
} // namespace cafmq::net
