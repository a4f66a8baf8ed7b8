// full_policy drop_oldest over TCP with a slow consumer (docs/reliability.md "Full policy"): the
// sender never blocks, the newest messages arrive, the oldest are counted as dropped (per peer
// and per socket) exactly, what arrives is whole, in order and once, and memory stays bounded.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/rss.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr size_t big = 64 * 1024;
constexpr uint64_t offered = 2000;  // 128 MiB: more than the TCP buffers and queues can take
constexpr size_t sndhwm = 20;

socket_options sender_options() {
  socket_options o = test::no_linger();
  o.sndhwm = sndhwm;
  o.full_policy = full_policy::drop_oldest;
  return o;
}

socket_options slow_receiver() {
  socket_options o = test::no_linger();
  o.rcvhwm = 10;
  return o;
}

// Sends `offered` sequenced messages without ever blocking; checks the sender stayed bounded.
void flood(socket& sender, size_t rss_before) {
  auto sent_before = sender.stats().sent;
  for (uint64_t i = 0; i < offered; ++i)
    ASSERT_TRUE(sender.send(test::sequenced(i, big), 0ms)) << "drop_oldest must never block";
  auto s = sender.stats();
  EXPECT_EQ(s.sent - sent_before, offered);
  EXPECT_GT(s.dropped_hwm, 0u) << "the slow consumer never filled the queue";
  ASSERT_EQ(s.peers.size(), 1u);
  EXPECT_EQ(s.peers[0].dropped, s.dropped_hwm) << "every drop is this peer's";
  EXPECT_LE(s.peers[0].queued_out, sndhwm) << "the queue passed its HWM";
  EXPECT_EQ(sender.messages_dropped(), s.dropped_hwm);
  auto rss_after = test::resident_bytes();
  EXPECT_LT(rss_after, rss_before + (48u << 20))
    << "RSS grew by " << ((rss_after - rss_before) >> 20) << " MiB: the queue is not bounded";
}

// Reads until the newest message arrived; returns the sequence numbers in arrival order.
std::vector<uint64_t> drain(socket& receiver) {
  std::vector<uint64_t> got;
  test::deadline d{30000ms};
  while (got.empty() || got.back() != offered - 1) {
    auto m = receiver.recv(d.remaining());
    if (!m) {
      ADD_FAILURE() << "the newest message never arrived; got " << got.size();
      break;
    }
    EXPECT_TRUE(test::pattern_intact(*m)) << "message " << test::sequence_of(*m) << " damaged";
    got.push_back(test::sequence_of(*m));
  }
  EXPECT_FALSE(receiver.recv(100ms).has_value()) << "something arrived after the newest";
  return got;
}

// What arrived is in order, once, ends with the sndhwm newest, and with the drops adds up to
// everything sent.
void check_delivery(const std::vector<uint64_t>& got, uint64_t dropped) {
  for (size_t i = 1; i < got.size(); ++i)
    ASSERT_LT(got[i - 1], got[i]) << "out of order or delivered twice at " << i;
  ASSERT_GE(got.size(), sndhwm);
  for (size_t k = 0; k < sndhwm; ++k)
    EXPECT_EQ(got[got.size() - sndhwm + k], offered - sndhwm + k) << "one of the newest was dropped";
  EXPECT_EQ(got.size() + dropped, offered) << "each message is delivered or counted as dropped";
}

TEST(DropOldestOverTcp, PushToASlowPullNeverBlocksTheNewestArriveTheOldestAreCounted) {
  context ctx;
  socket pull{ctx, socket_type::pull, slow_receiver()};
  pull.bind("tcp://127.0.0.1:*");
  socket push{ctx, socket_type::push, sender_options()};
  push.connect(pull.last_endpoint());
  ASSERT_TRUE(push.send(message{"hello"}, 5000ms));
  ASSERT_TRUE(pull.recv(5000ms).has_value());  // connected: every later message has a taker

  auto rss_before = test::resident_bytes();
  flood(push, rss_before);
  auto dropped = push.stats().dropped_hwm;
  auto got = drain(pull);
  check_delivery(got, dropped);
}

TEST(DropOldestOverTcp, PubToASlowSubscriberKeepsTheNewestForIt) {
  context ctx;
  socket pub{ctx, socket_type::pub, sender_options()};
  pub.bind("tcp://127.0.0.1:*");
  socket sub{ctx, socket_type::sub, slow_receiver()};
  sub.connect(pub.last_endpoint());
  sub.subscribe("");
  ASSERT_TRUE(pub.wait_subscribers(1, 5000ms));

  auto rss_before = test::resident_bytes();
  flood(pub, rss_before);
  auto dropped = pub.stats().dropped_hwm;
  auto got = drain(sub);
  check_delivery(got, dropped);
}

} // namespace
} // namespace cafmq
