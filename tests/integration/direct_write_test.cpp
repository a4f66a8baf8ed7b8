// The direct-write path (the user thread writes a message to the socket itself while the engine
// sleeps) against the I/O thread's writes: spaced sends take the direct path, and a peer that
// stops reading makes them fall short or block, so the engine must finish what a direct write
// started. Whatever the mix, the peer must read every frame intact and in order.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmtp = test::zmtp;

// Busy-waits `gap` so consecutive sends find the engine asleep (the direct path needs 20 us
// between writes). Pacing only: nothing waits on another thread here.
void pace(std::chrono::microseconds gap) {
  auto until = test::clock::now() + gap;
  while (test::clock::now() < until) {
  }
}

struct direct_write_case {
  size_t size;      ///< bytes per message
  size_t count;     ///< messages
  bool peer_stalls; ///< the peer reads nothing until every send returned
};

class DirectWrites : public ::testing::TestWithParam<direct_write_case> {};

TEST_P(DirectWrites, EveryFrameArrivesIntactAndInOrder) {
  auto [size, count, stalls] = GetParam();
  context ctx;
  socket_options o = test::no_linger();
  o.sndhwm = count;  // every message fits in the queue: sends never wait on the stalled peer
  socket push{ctx, socket_type::push, o};
  push.bind("tcp://127.0.0.1:*");
  auto peer = zmtp::handshake_as(push.last_endpoint(), "PULL", 5000ms);

  size_t next_read = 0;
  auto read_one = [&] {
    auto f = zmtp::read_frame(peer, 10000ms);
    ASSERT_TRUE(f.has_value()) << "frame " << next_read << " missing";
    ASSERT_FALSE(f->is_command()) << "frame " << next_read;
    ASSERT_EQ(f->body.size(), size) << "frame " << next_read;
    auto expected = test::sequenced(next_read, size);
    ASSERT_EQ(std::memcmp(f->body.data(), expected[0].data(), size), 0)
      << "frame " << next_read << " corrupted";
    ++next_read;
  };

  for (size_t i = 0; i < count; ++i) {
    ASSERT_TRUE(push.send(test::sequenced(i, size), 10000ms)) << "send " << i;
    pace(30us);
    if (!stalls)
      read_one();
  }
  while (next_read < count && !::testing::Test::HasFatalFailure())
    read_one();
  EXPECT_EQ(next_read, count);
}

INSTANTIATE_TEST_SUITE_P(
  Mixes, DirectWrites,
  ::testing::Values(direct_write_case{64, 2000, false},       // lock-step: all direct
                    direct_write_case{64, 5000, true},        // direct while the kernel takes it
                    direct_write_case{12000, 1500, true},     // 18 MB: direct writes fall short
                    direct_write_case{20000, 300, true}),     // above the direct-write limit
  [](const auto& info) {
    return std::to_string(info.param.size) + "B_x" + std::to_string(info.param.count)
           + (info.param.peer_stalls ? "_PeerStalls" : "_LockStep");
  });

} // namespace
} // namespace cafmq
