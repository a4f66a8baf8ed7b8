// Closing or destroying a context with sockets still open honours each socket's linger
// (docs/reliability.md "Destroying the context"): what was queued still reaches a live peer, linger
// 0 returns at once, a dead peer holds the context at most its linger, several sockets linger at
// the same time, -1 waits until delivered or the peer is gone, and the discards are reported.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

constexpr size_t big = 64 * 1024;

std::unique_ptr<socket> push_to_nobody(context& ctx, int linger_ms, int queued = 5) {
  socket_options o;
  o.linger_ms = linger_ms;
  auto push = std::make_unique<socket>(ctx, socket_type::push, o);
  push->connect(test::local_endpoint(test::free_tcp_port()));
  for (int i = 0; i < queued; ++i)
    EXPECT_TRUE(push->send(message{"queued"}, 0ms));
  return push;
}

// A context destroyed right after the sends: more than the peer's queue and the TCP buffers can
// hold is still queued in the PUSH, and all of it arrives (the peer, in its own context, reads
// only once the destruction has begun).
void delivers_everything_to_a_live_peer(int linger_ms) {
  const uint64_t n = test::max_tcp_buffering() / big + 64;
  context receiver_ctx;
  socket_options ro = test::no_linger();
  ro.rcvhwm = 1;
  socket pull{receiver_ctx, socket_type::pull, ro};
  pull.bind("tcp://127.0.0.1:*");

  auto ctx = std::make_unique<context>();
  socket_options so;
  so.linger_ms = linger_ms;
  so.sndhwm = static_cast<size_t>(n);
  socket push{*ctx, socket_type::push, so};
  push.connect(pull.last_endpoint());
  for (uint64_t i = 0; i < n; ++i)
    ASSERT_TRUE(push.send(test::sequenced(i, big), 0ms));
  ASSERT_EQ(push.stats().peers.size(), 1u);
  EXPECT_GT(push.stats().peers[0].queued_out, 0u) << "nothing left to linger for";

  auto reader = std::async(std::launch::async, [&] {
    for (uint64_t i = 0; i < n; ++i) {
      auto m = pull.recv(30000ms);
      if (!m || test::sequence_of(*m) != i || !test::pattern_intact(*m))
        return i;
    }
    return n;
  });
  auto t0 = test::clock::now();
  EXPECT_EQ(ctx->close(), 0u) << "linger " << linger_ms << ": messages discarded";
  EXPECT_LT(test::elapsed_ms(t0), 20000);
  ASSERT_EQ(reader.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(reader.get(), n) << "linger " << linger_ms << ": the live peer did not get everything";
  EXPECT_EQ(push.close(), 0u) << "the socket reports no discards either";
}

// A socket closed right after a stream of sends, while its engine is still taking batches from
// the ring, delivers all of them, round after round. (The lingering close must count a batch the
// engine took from the ring and has not written yet: pipe::unsent(). That window is about a
// microsecond wide and the loss also needs the peer's buffers full at that instant, so this test
// guards the path end to end but cannot show that particular race on demand.)
TEST(ContextLinger, ACloseRightAfterAStreamLosesNothingTheEngineTookFromTheRing) {
  constexpr int rounds = 40;
  constexpr uint64_t per_round = 20000;
  context receiver_ctx;
  socket pull{receiver_ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  for (int round = 0; round < rounds; ++round) {
    {
      context ctx;
      socket push{ctx, socket_type::push};  // linger -1: close waits until all is written
      push.connect(pull.last_endpoint());
      for (uint64_t i = 0; i < per_round; ++i)
        ASSERT_TRUE(push.send(test::sequenced(i)));
      EXPECT_EQ(push.close(), 0u) << "round " << round;
    }
    for (uint64_t i = 0; i < per_round; ++i) {
      auto m = pull.recv(10000ms);
      ASSERT_TRUE(m) << "round " << round << ": message " << i << " of " << per_round << " lost";
      ASSERT_EQ(test::sequence_of(*m), i) << "round " << round;
    }
  }
}

TEST(ContextLinger, AFiniteLingerStillDeliversWhatWasQueuedToALivePeer) {
  delivers_everything_to_a_live_peer(20000);
}

TEST(ContextLinger, AnEndlessLingerWaitsUntilEverythingIsDelivered) {
  delivers_everything_to_a_live_peer(-1);
}

TEST(ContextLinger, ZeroReturnsAtOnceAndReportsTheDiscards) {
  auto ctx = std::make_unique<context>();
  auto push = push_to_nobody(*ctx, 0);
  auto t0 = test::clock::now();
  EXPECT_EQ(ctx->close(), 5u);
  EXPECT_LT(test::elapsed_ms(t0), 500) << "linger 0 must not wait";
  EXPECT_EQ(push->close(), 5u) << "close() after the context reports the same discards";
  EXPECT_EQ(push->stats().discarded_on_close, 5u);
}

TEST(ContextLinger, ADeadPeerHoldsTheContextForItsLingerAndNoLonger) {
  auto ctx = std::make_unique<context>();
  auto push = push_to_nobody(*ctx, 300);
  auto t0 = test::clock::now();
  ctx.reset();  // the destructor lingers as close() does
  auto waited = test::elapsed_ms(t0);
  EXPECT_GE(waited, 290) << "returned before linger = 300 ms";
  EXPECT_LT(waited, 300 + 700) << "overran linger = 300 ms";
  EXPECT_EQ(push->close(), 5u);
}

TEST(ContextLinger, SocketsLingerAtTheSameTimeSoTheLongestLingerBoundsTheWait) {
  auto ctx = std::make_unique<context>();
  auto a = push_to_nobody(*ctx, 300);
  auto b = push_to_nobody(*ctx, 500);
  auto c = push_to_nobody(*ctx, 0);
  auto t0 = test::clock::now();
  EXPECT_EQ(ctx->close(), 15u);
  auto waited = test::elapsed_ms(t0);
  EXPECT_GE(waited, 490);
  EXPECT_LT(waited, 500 + 700) << "the lingers were waited for one after the other";
}

TEST(ContextLinger, SocketsClosedBeforeAreNotWaitedForAgain) {
  auto ctx = std::make_unique<context>();
  auto push = push_to_nobody(*ctx, 60000);
  push->set_linger(0ms);
  EXPECT_EQ(push->close(), 5u);
  auto t0 = test::clock::now();
  EXPECT_EQ(ctx->close(), 0u);
  EXPECT_LT(test::elapsed_ms(t0), 500);
  EXPECT_EQ(ctx->close(), 0u) << "a second close is harmless";
}

TEST(ContextLinger, SetLingerChangesWhatTheContextWaitsFor) {
  auto ctx = std::make_unique<context>();
  auto push = push_to_nobody(*ctx, -1);
  push->set_linger(100ms);
  auto t0 = test::clock::now();
  EXPECT_EQ(ctx->close(), 5u);
  auto waited = test::elapsed_ms(t0);
  EXPECT_GE(waited, 90);
  EXPECT_LT(waited, 100 + 700);
}

TEST(ContextLinger, ACapBoundsEveryLingerEvenAnEndlessOne) {
  auto ctx = std::make_unique<context>();
  auto push = push_to_nobody(*ctx, -1);
  auto t0 = test::clock::now();
  EXPECT_EQ(ctx->close(200ms), 5u);
  auto waited = test::elapsed_ms(t0);
  EXPECT_GE(waited, 190);
  EXPECT_LT(waited, 200 + 700);
}

// Linger -1 on a bound socket: the context waits while the accepted peer is there and not
// reading, and stops waiting once that peer is gone (its queue is then discarded).
TEST(ContextLinger, AnEndlessLingerEndsWhenTheAcceptedPeerGoes) {
  auto ctx = std::make_unique<context>();
  socket push{*ctx, socket_type::push};  // linger -1
  push.bind("tcp://127.0.0.1:*");
  auto peer_ctx = std::make_unique<context>();
  socket_options ro = test::no_linger();
  ro.rcvhwm = 1;
  auto pull = std::make_unique<socket>(*peer_ctx, socket_type::pull, ro);
  pull->connect(push.last_endpoint());
  ASSERT_TRUE(push.send(message{"hello"}, 5000ms));
  ASSERT_TRUE(pull->recv(5000ms).has_value());
  const uint64_t n = test::max_tcp_buffering() / big + 64;
  for (uint64_t i = 0; i < n; ++i)
    if (!push.send(test::sequenced(i, big), 0ms))
      break;  // the queue is full: enough is pending

  auto closing = std::async(std::launch::async, [&] { return ctx->close(); });
  EXPECT_EQ(closing.wait_for(200ms), std::future_status::timeout)
    << "linger -1 gave up while the peer was there";
  pull.reset();
  peer_ctx.reset();  // the peer goes: its connection closes, the pipe is detached
  ASSERT_EQ(closing.wait_for(10s), std::future_status::ready) << "still waiting for a gone peer";
  EXPECT_GT(closing.get(), 0u) << "what the gone peer never took is reported";
}

} // namespace
} // namespace cafmq
