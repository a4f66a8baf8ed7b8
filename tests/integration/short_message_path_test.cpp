// The engine takes runs of whole short one-frame messages straight into the receive ring and
// hands everything else to the general decoder (net/zmtp_engine_read.cpp, take_short_messages). These
// tests mix the two paths in single TCP writes: the limits, order and message boundaries must be
// exactly those of the general path.
#include "support/guarded_pull.hpp"
#include "support/messages.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
namespace zmtp = test::zmtp;

std::vector<std::string> recv_frames(socket& s) {
  auto m = s.recv(2000ms);
  if (!m)
    return {"<nothing within 2 s>"};
  return test::frames_of(*m);
}

// maxmsgsize below the short-message size: a short frame over it drops the peer, as any other.
TEST(ShortMessagePath, MaxMsgSizeBelowTheInlineSizeStillDropsThePeer) {
  socket_options o = test::no_linger();
  o.maxmsgsize = 10;
  test::guarded_pull g{o};
  auto c = zmtp::handshake_as(g.endpoint(), "PUSH", 5000ms);
  ASSERT_TRUE(c.send_all(zmtp::concat({zmtp::message_frame("tiny"),
                                       zmtp::message_frame(std::string(10, 't')),
                                       zmtp::message_frame(""),
                                       zmtp::message_frame("ab", true),
                                       zmtp::message_frame("cd"),
                                       zmtp::message_frame(std::string(11, 'o')),
                                       zmtp::message_frame("never")})));
  EXPECT_EQ(recv_frames(g.pull), std::vector<std::string>{"tiny"});
  EXPECT_EQ(recv_frames(g.pull), std::vector<std::string>{std::string(10, 't')});
  EXPECT_EQ(recv_frames(g.pull), std::vector<std::string>{""});
  EXPECT_EQ(recv_frames(g.pull), (std::vector<std::string>{"ab", "cd"}));
  EXPECT_TRUE(c.wait_closed(2000ms)) << "peer not dropped after an 11-byte frame (maxmsgsize 10)";
  EXPECT_FALSE(g.pull.recv(50ms).has_value()) << "data from the oversize frame on was delivered";
  g.expect_flow("after");
}

// A receive ring of two messages fills many times within one read: short messages, a multipart
// one, a long-form header and a 31-byte body (one past inline) arrive whole and in order.
TEST(ShortMessagePath, FullRingMidReadLosesAndReordersNothing) {
  socket_options o = test::no_linger();
  o.rcvhwm = 2;
  context ctx;
  socket pull{ctx, socket_type::pull, o};
  pull.bind("tcp://127.0.0.1:*");
  auto c = zmtp::handshake_as(pull.last_endpoint(), "PUSH", 5000ms);
  std::vector<std::vector<std::string>> sent;
  std::vector<bytes> wire;
  for (int i = 0; i < 300; ++i) {
    std::string body = "m" + std::to_string(i);
    if (i % 50 == 7) {
      wire.push_back(zmtp::message_frame(body, true));
      wire.push_back(zmtp::message_frame("tail"));
      sent.push_back({body, "tail"});
    } else if (i % 50 == 23) {
      body += std::string(31 - body.size(), '.');
      wire.push_back(zmtp::message_frame(body));
      sent.push_back({body});
    } else if (i % 50 == 41) {
      body += std::string(300, 'L');  // a long-form (9-byte) header
      wire.push_back(zmtp::message_frame(body));
      sent.push_back({body});
    } else {
      wire.push_back(zmtp::message_frame(body));
      sent.push_back({body});
    }
  }
  bytes all;
  for (auto& w : wire)
    all.insert(all.end(), w.begin(), w.end());
  ASSERT_TRUE(c.send_all(all));
  for (size_t i = 0; i < sent.size(); ++i)
    ASSERT_EQ(recv_frames(pull), sent[i]) << "message " << i;
  EXPECT_FALSE(pull.recv(20ms).has_value());
}

} // namespace
} // namespace cafmq
