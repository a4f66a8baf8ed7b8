// A slow consumer (issue 4, item 8): a PUSH blocks and loses nothing; a PUB never blocks, drops
// for the slow subscriber only, and counts every drop exactly (what was not dropped arrives); the
// memory of both stays bounded by the byte limits, whatever the sender pushes.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"
#include "support/rss.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr size_t big = 64 * 1024;

TEST(SlowConsumer, PubNeverBlocksDropsForTheSlowSubscriberCountsExactlyAndStaysBounded) {
  context ctx;
  socket pub{ctx, socket_type::pub, test::byte_bounded()};
  pub.bind("tcp://127.0.0.1:*");
  socket sub{ctx, socket_type::sub, test::byte_bounded()};
  sub.connect(pub.last_endpoint());
  sub.subscribe("");
  ASSERT_TRUE(pub.wait_subscribers(1, 5000ms));

  auto rss_before = test::resident_bytes();
  constexpr uint64_t n = 2000;  // 128 MiB offered to a subscriber that does not read yet
  auto t0 = test::clock::now();
  for (uint64_t i = 0; i < n; ++i)
    ASSERT_TRUE(pub.send(test::sequenced(i, big), 0ms)) << "PUB must never block";
  auto rss_after = test::resident_bytes();
  EXPECT_LT(test::elapsed_ms(t0), 20000);
  auto s = pub.stats();
  EXPECT_EQ(s.sent, n);
  EXPECT_GT(s.dropped_hwm, 0u) << "the slow subscriber never filled its queue";
  ASSERT_EQ(s.peers.size(), 1u);
  EXPECT_EQ(s.peers[0].dropped, s.dropped_hwm) << "every drop is this peer's";
  EXPECT_LE(s.peers[0].queued_out_bytes, (1u << 20) + big) << "the byte limit did not hold";
  RecordProperty("dropped", static_cast<int>(s.dropped_hwm));
  RecordProperty("rss_growth_kib", static_cast<int>((rss_after - rss_before) >> 10));
  EXPECT_LT(rss_after, rss_before + (48u << 20))
    << "RSS grew by " << ((rss_after - rss_before) >> 20) << " MiB: the queues are not bounded";

  // What was not dropped was queued, and arrives, in order, exactly once.
  uint64_t expected = n - s.dropped_hwm, got = 0, last = 0;
  test::deadline d{30000ms};
  while (got < expected) {
    auto m = sub.recv(d.remaining());
    ASSERT_TRUE(m.has_value()) << "got " << got << " of the " << expected << " not dropped";
    auto seq = test::sequence_of(*m);
    ASSERT_TRUE(got == 0 || seq > last) << "out of order or duplicated: " << seq << " after " << last;
    ASSERT_TRUE(test::pattern_intact(*m));
    last = seq;
    ++got;
  }
  EXPECT_FALSE(sub.recv(100ms).has_value()) << "more arrived than sent minus dropped";
  EXPECT_EQ(sub.stats().received, expected);
}

TEST(SlowConsumer, PushBlocksWithinItsByteLimitsAndTheBacklogArrivesWhole) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::byte_bounded()};
  pull.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, test::byte_bounded()};
  push.connect(pull.last_endpoint());
  ASSERT_TRUE(push.send(test::sequenced(0, big), 5000ms));
  ASSERT_TRUE(pull.recv(5000ms).has_value());

  auto rss_before = test::resident_bytes();
  uint64_t sent = 1;
  int misses = 0;
  test::deadline d{30000ms};
  while (misses < 3 && !d.expired()) {
    if (push.send(test::sequenced(sent, big), 100ms)) {
      ++sent;
      misses = 0;
    } else {
      ++misses;
    }
  }
  ASSERT_EQ(misses, 3) << "the PUSH never blocked";
  auto rss_after = test::resident_bytes();
  size_t bound = (2u << 20) / big + test::max_tcp_buffering() / big + 4;
  EXPECT_LE(sent - 1, bound) << "more accepted than byte limits and TCP buffers hold";
  EXPECT_LT(rss_after, rss_before + (48u << 20));
  EXPECT_EQ(push.stats().dropped_hwm, 0u) << "PUSH never drops";
  for (uint64_t i = 1; i < sent; ++i) {
    auto m = pull.recv(d.remaining());
    ASSERT_TRUE(m.has_value()) << "message " << i << " lost";
    ASSERT_EQ(test::sequence_of(*m), i);
  }
  EXPECT_FALSE(pull.recv(50ms).has_value());
}

} // namespace
} // namespace cafmq
