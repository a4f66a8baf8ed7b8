// cafmq against a real libzmq 4.3 peer (C API), PUSH/PULL both ways and with cafmq binding or
// connecting: one-frame and multipart messages (with an empty and a 100 KiB frame), and 100 000
// small messages arriving in order with none lost.
#include "interop/zmq_peer.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmq = test::zmq;

struct link_shape {
  bool cafmq_sends;  // cafmq PUSH -> libzmq PULL, else libzmq PUSH -> cafmq PULL
  bool cafmq_binds;
};

std::string shape_name(const link_shape& s) {
  return std::string(s.cafmq_sends ? "CafmqPushToLibzmqPull" : "LibzmqPushToCafmqPull")
         + (s.cafmq_binds ? "_CafmqBinds" : "_CafmqConnects");
}

class LibzmqPushPull : public ::testing::TestWithParam<link_shape> {
protected:
  void SetUp() override {
    auto s = GetParam();
    ours = std::make_unique<socket>(cctx, s.cafmq_sends ? socket_type::push : socket_type::pull,
                                    test::no_linger());
    theirs = std::make_unique<zmq::socket>(zctx, s.cafmq_sends ? ZMQ_PULL : ZMQ_PUSH);
    theirs->set(ZMQ_SNDTIMEO, 10000);  // a stuck peer fails the test instead of hanging it
    if (s.cafmq_binds) {
      ours->bind("tcp://127.0.0.1:*");
      theirs->connect(ours->last_endpoint());
    } else {
      theirs->bind("tcp://127.0.0.1:*");
      ours->connect(theirs->last_endpoint());
    }
  }
  void TearDown() override {
    ours.reset();
    theirs.reset();
  }

  bool send(const std::vector<std::string>& frames) {
    if (!GetParam().cafmq_sends)
      return theirs->send(frames);
    message m;
    for (auto& f : frames)
      m.add(frame{f});
    return ours->send(std::move(m), 10000ms);
  }

  std::optional<std::vector<std::string>> recv(std::chrono::milliseconds timeout) {
    if (GetParam().cafmq_sends)
      return theirs->recv(timeout);
    auto m = ours->recv(timeout);
    if (!m)
      return std::nullopt;
    return test::frames_of(*m);
  }

  zmq::context zctx;
  context cctx;
  std::unique_ptr<socket> ours;
  std::unique_ptr<zmq::socket> theirs;
};

TEST_P(LibzmqPushPull, OneFrameMessageArrivesIntact) {
  ASSERT_TRUE(send({"hello libzmq"}));
  auto m = recv(5000ms);
  ASSERT_TRUE(m.has_value()) << "nothing arrived within 5 s";
  EXPECT_EQ(*m, std::vector<std::string>{"hello libzmq"});
}

TEST_P(LibzmqPushPull, MultipartWithEmptyAndLargeFramesArrivesIntact) {
  std::vector<std::string> frames = {"head", "", test::patterned(100 * 1024, 5)};
  ASSERT_TRUE(send(frames));
  auto m = recv(5000ms);
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[0], "head");
  EXPECT_EQ((*m)[1], "");
  EXPECT_TRUE((*m)[2] == frames[2]) << "100 KiB frame corrupted (size " << (*m)[2].size() << ")";
}

TEST_P(LibzmqPushPull, HundredThousandSmallMessagesArriveInOrderWithNoneLost) {
  constexpr uint64_t n = 100000;
  bool sender_ok = true;
  uint64_t sender_stopped_at = n;
  std::thread sender([&] {
    for (uint64_t i = 0; i < n; ++i) {
      std::string body(16, '\0');
      std::memcpy(body.data(), &i, 8);
      if (!send({body})) {
        sender_ok = false;
        sender_stopped_at = i;
        return;
      }
    }
  });
  test::deadline d{60000ms};
  uint64_t next = 0;
  for (; next < n && !d.expired(); ++next) {
    auto m = recv(10000ms);
    if (!m || m->size() != 1 || (*m)[0].size() != 16)
      break;
    uint64_t seq = 0;
    std::memcpy(&seq, (*m)[0].data(), 8);
    if (seq != next) {
      ADD_FAILURE() << "expected message " << next << ", got " << seq;
      break;
    }
  }
  sender.join();
  EXPECT_TRUE(sender_ok) << "sender blocked for 10 s at message " << sender_stopped_at;
  ASSERT_EQ(next, n) << "received " << next << " of " << n << " in order";
  EXPECT_FALSE(recv(20ms).has_value()) << "an extra message arrived";
}

INSTANTIATE_TEST_SUITE_P(AllShapes, LibzmqPushPull,
                         ::testing::Values(link_shape{false, true}, link_shape{false, false},
                                           link_shape{true, true}, link_shape{true, false}),
                         [](const auto& info) { return shape_name(info.param); });

TEST(LibzmqRoundRobin, CafmqPushSharesEquallyBetweenTwoLibzmqPulls) {
  zmq::context zctx;
  context cctx;
  zmq::socket a{zctx, ZMQ_PULL};
  zmq::socket b{zctx, ZMQ_PULL};
  a.bind("tcp://127.0.0.1:*");
  b.bind("tcp://127.0.0.1:*");
  socket push{cctx, socket_type::push, test::no_linger()};
  push.connect(a.last_endpoint());
  push.connect(b.last_endpoint());
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE(push.send(message{"m"}, 5000ms));
  int got_a = 0;
  int got_b = 0;
  test::deadline d{10000ms};
  while (got_a + got_b < 200 && !d.expired()) {
    while (a.recv(1ms))
      ++got_a;
    while (b.recv(1ms))
      ++got_b;
  }
  EXPECT_EQ(got_a + got_b, 200);
  EXPECT_NEAR(got_a, 100, 1);
  EXPECT_NEAR(got_b, 100, 1);
}

TEST(LibzmqFairQueue, CafmqPullReceivesFromTwoLibzmqPushesInPerPeerOrder) {
  zmq::context zctx;
  context cctx;
  socket pull{cctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  zmq::socket a{zctx, ZMQ_PUSH};
  zmq::socket b{zctx, ZMQ_PUSH};
  a.set(ZMQ_SNDTIMEO, 10000);
  b.set(ZMQ_SNDTIMEO, 10000);
  a.connect(pull.last_endpoint());
  b.connect(pull.last_endpoint());
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(a.send({"a", std::to_string(i)}));
    ASSERT_TRUE(b.send({"b", std::to_string(i)}));
  }
  int next_a = 0;
  int next_b = 0;
  test::deadline d{10000ms};
  while (next_a + next_b < 600) {
    auto m = pull.recv(d.remaining());
    ASSERT_TRUE(m.has_value()) << "received " << next_a + next_b << " of 600";
    auto f = test::frames_of(*m);
    ASSERT_EQ(f.size(), 2u);
    int& next = f[0] == "a" ? next_a : next_b;
    ASSERT_EQ(f[1], std::to_string(next)) << "from " << f[0];
    ++next;
  }
  EXPECT_EQ(next_a, 300);
  EXPECT_EQ(next_b, 300);
}

} // namespace
} // namespace cafmq
