// High-water marks (protocol-reference §5.4): a PUSH whose PULL does not read blocks once its
// queue, the TCP buffers and the PULL's queue are full; memory stays bounded; nothing is lost or
// duplicated when the PULL drains; send with a timeout never blocks forever.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"
#include "support/rss.hpp"
#include "support/sanitizers.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr size_t big = 64 * 1024;

TEST(Rfc30Push, ShallBlockAtTheHwmAndNotDiscardTheBoundedBacklog) {
  socket_options o;
  o.sndhwm = 100;
  o.rcvhwm = 100;
  o.linger_ms = 0;
  context ctx;
  socket pull{ctx, socket_type::pull, o};
  pull.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, o};
  push.connect(pull.last_endpoint());
  // First message through: the connection is up, so the backlog below spans both queues.
  ASSERT_TRUE(push.send(test::sequenced(0, big), 5000ms));
  auto first = pull.recv(5000ms);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(test::sequence_of(*first), 0u);

  auto rss_before = test::resident_bytes();
  uint64_t sent = 1;
  int misses = 0;
  test::deadline d{30000ms};
  while (misses < 3 && !d.expired()) {
    if (push.send(test::sequenced(sent, big), 0ms) || push.send(test::sequenced(sent, big), 100ms)) {
      ++sent;
      misses = 0;
    } else {
      ++misses;  // blocked for 100 ms; three in a row means the pipeline is full
    }
  }
  ASSERT_EQ(misses, 3) << "the PUSH never blocked: " << sent << " messages accepted";
  auto rss_after = test::resident_bytes();
  size_t backlog = sent - 1;
  size_t bound = o.sndhwm + o.rcvhwm + test::max_tcp_buffering() / big + 4;
  RecordProperty("backlog", static_cast<int>(backlog));
  RecordProperty("bound", static_cast<int>(bound));
  RecordProperty("rss_growth_kib", static_cast<int>((rss_after - rss_before) >> 10));
  EXPECT_GE(backlog, o.sndhwm + o.rcvhwm) << "the queues held less than SNDHWM + RCVHWM";
  EXPECT_LE(backlog, bound) << "more accepted than HWMs and TCP buffers can hold";
  if (test::rss_is_meaningful) {
    EXPECT_LT(rss_after, rss_before + (64u << 20))
        << "RSS grew by " << ((rss_after - rss_before) >> 20) << " MiB for a " << backlog
        << "-message backlog";
  }

  // Still full: a bounded send gives up on time.
  auto t0 = test::clock::now();
  EXPECT_FALSE(push.send(test::sequenced(sent, big), 50ms));
  auto waited = test::elapsed_ms(t0);
  EXPECT_GE(waited, 40);
  EXPECT_LT(waited, 2000);

  for (uint64_t i = 1; i < sent; ++i) {
    auto m = pull.recv(d.remaining());
    ASSERT_TRUE(m.has_value()) << "message " << i << " of " << sent - 1 << " lost";
    ASSERT_EQ(test::sequence_of(*m), i) << "out of order or duplicated";
    ASSERT_TRUE(test::pattern_intact(*m)) << "payload of message " << i << " corrupted";
  }
  EXPECT_FALSE(pull.recv(50ms).has_value()) << "an extra (duplicated) message arrived";
  // Drained: the PUSH flows again.
  ASSERT_TRUE(push.send(test::sequenced(sent, big), 5000ms));
  auto after = pull.recv(5000ms);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(test::sequence_of(*after), sent);
}

TEST(Rfc30Push, ShallReturnWouldBlockInsteadOfWaitingWhenAskedTo) {
  socket_options o;
  o.sndhwm = 5;
  o.linger_ms = 0;
  context ctx;
  socket push{ctx, socket_type::push, o};
  push.connect(test::local_endpoint(test::free_tcp_port()));
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(push.send(message{"queued"}, 0ms)) << "send " << i;
  auto t0 = test::clock::now();
  EXPECT_FALSE(push.send(message{"sixth"}, 0ms));
  EXPECT_LT(test::elapsed_ms(t0), 50);
  t0 = test::clock::now();
  EXPECT_FALSE(push.send(message{"sixth"}, 50ms));
  auto waited = test::elapsed_ms(t0);
  EXPECT_GE(waited, 40);
  EXPECT_LT(waited, 2000);
  EXPECT_EQ(push.close(), 5u);
}

TEST(SendTimeout, SndtimeoOptionBoundsABlockedSend) {
  socket_options o;
  o.sndtimeo_ms = 50;
  o.linger_ms = 0;
  context ctx;
  socket push{ctx, socket_type::push, o};
  push.bind("tcp://127.0.0.1:*");  // bound, no peer: there is no queue to send into
  auto t0 = test::clock::now();
  EXPECT_FALSE(push.send(message{"nobody"}));
  auto waited = test::elapsed_ms(t0);
  EXPECT_GE(waited, 40);
  EXPECT_LT(waited, 2000);
}

TEST(RecvTimeout, RcvtimeoOptionBoundsAnIdleRecv) {
  socket_options o;
  o.rcvtimeo_ms = 50;
  o.linger_ms = 0;
  context ctx;
  socket pull{ctx, socket_type::pull, o};
  pull.bind("tcp://127.0.0.1:*");
  auto t0 = test::clock::now();
  EXPECT_FALSE(pull.recv().has_value());
  auto waited = test::elapsed_ms(t0);
  EXPECT_GE(waited, 40);
  EXPECT_LT(waited, 2000);
  EXPECT_FALSE(pull.recv(0ms).has_value());
}

} // namespace
} // namespace cafmq
