// The reason codes of dial error texts (net/close_reason). Connection ends carry their code from
// where they failed (connection_end); see the codec, greeting, mechanism and engine tests.
#include "net/close_reason.hpp"

#include <gtest/gtest.h>

namespace cafmq::net {
namespace {

TEST(CloseReason, DialErrors) {
  EXPECT_EQ(classify_dial_error("connect to tcp://127.0.0.1:1 failed: Connection refused"),
            event_reason::refused);
  EXPECT_EQ(classify_dial_error("cannot resolve tcp://nowhere.invalid:1: Host not found"),
            event_reason::unreachable);
  EXPECT_EQ(classify_dial_error("connect to tcp://10.0.0.1:1 failed: No route to host"),
            event_reason::unreachable);
  EXPECT_EQ(classify_dial_error("connect to x failed: Connection timed out"), event_reason::timeout);
}

} // namespace
} // namespace cafmq::net
