// Linger and shutdown guarantees (docs/reliability.md "Linger and shutdown", protocol-reference
// §5.1, §5.2, §5.6): close() never waits past linger, not even when the context goes meanwhile,
// and reports what it discarded; a message cut off by a dying connection is never delivered in
// part; nothing is delivered twice across a peer's death and restart.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"
#include "support/raw_tcp.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmtp = test::zmtp;

// Five messages queued for a peer that is not there.
std::unique_ptr<socket> push_with_five_queued(context& ctx, int linger_ms) {
  socket_options o;
  o.linger_ms = linger_ms;
  auto push = std::make_unique<socket>(ctx, socket_type::push, o);
  push->connect(test::local_endpoint(test::free_tcp_port()));
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(push->send(message{"queued"}, 0ms));
  return push;
}

TEST(LingerOnContextEnd, CloseAfterTheContextIsGoneReturnsAtOnceWithTheCountForEveryLinger) {
  for (int linger : {-1, 0, 60000}) {
    auto ctx = std::make_unique<context>();
    auto push = push_with_five_queued(*ctx, linger);
    ctx->close(0ms);  // the context itself does not linger for it (context_linger_test does)
    ctx.reset();
    auto t0 = test::clock::now();
    EXPECT_EQ(push->close(), 5u) << "linger " << linger;
    EXPECT_LT(test::elapsed_ms(t0), 1000) << "linger " << linger << ": no I/O thread is left to wait for";
    EXPECT_EQ(push->stats().discarded_on_close, 5u);
  }
}

TEST(LingerOnContextEnd, AnEndlessLingerEndsWhenAnotherThreadClosesTheContextWithoutLingering) {
  auto ctx = std::make_unique<context>();
  auto push = push_with_five_queued(*ctx, -1);
  auto closing = std::async(std::launch::async, [&] { return push->close(); });
  // close() may be lingering already or not yet: both must end.
  EXPECT_EQ(closing.wait_for(100ms), std::future_status::timeout) << "linger -1 gave up by itself";
  EXPECT_EQ(ctx->close(0ms), 5u);  // a plain ~context would linger -1 for it too
  ASSERT_EQ(closing.wait_for(10s), std::future_status::ready) << "close() hung after the context went";
  EXPECT_EQ(closing.get(), 5u);
}

TEST(Linger, FiniteLingerWithAPeerThatStopsReadingReturnsOnTimeAndCounts) {
  context ctx;
  socket_options po = test::no_linger();
  po.rcvhwm = 10;
  socket pull{ctx, socket_type::pull, po};
  pull.bind("tcp://127.0.0.1:*");
  socket_options o;
  o.sndhwm = 50;
  o.linger_ms = 300;
  socket push{ctx, socket_type::push, o};
  push.connect(pull.last_endpoint());
  ASSERT_TRUE(push.send(message{"first"}, 5000ms));
  ASSERT_TRUE(pull.recv(5000ms).has_value());
  // Fill the PULL's queue, the TCP buffers and our queue: the peer is there but never reads.
  int misses = 0;
  while (misses < 3)
    misses = push.send(test::sequenced(0, 64 * 1024), 100ms) ? 0 : misses + 1;
  auto t0 = test::clock::now();
  size_t discarded = push.close();
  auto waited = test::elapsed_ms(t0);
  EXPECT_GE(waited, 250) << "returned before linger";
  EXPECT_LT(waited, 1500) << "overran linger = 300 ms";
  EXPECT_GT(discarded, 0u);
  EXPECT_LE(discarded, o.sndhwm);
}

// A PULL and a raw ZMTP PUSH peer that has completed its handshake.
struct raw_pusher {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  raw_pusher() { pull.bind("tcp://127.0.0.1:*"); }
  test::raw_client connect() { return zmtp::handshake_as(pull.last_endpoint(), "PUSH", 5000ms); }
};

TEST(Rfc23Atomicity, ShallNotDeliverAMessageWhoseConnectionDiedBeforeItsLastFrame) {
  raw_pusher t;
  {
    auto c = t.connect();
    ASSERT_TRUE(c.send_all(zmtp::concat({zmtp::message_frame("whole", false),
                                         zmtp::message_frame("part 1", true),
                                         zmtp::message_frame("part 2", true)})));
    c.close();  // dies before the last frame
  }
  auto m = t.pull.recv(5000ms);
  ASSERT_TRUE(m.has_value()) << "the complete message before the cut was lost";
  EXPECT_EQ(test::frames_of(*m), (std::vector<std::string>{"whole"}));
  // A later peer's message arrives whole, and nothing of the cut one ever does.
  auto c2 = t.connect();
  ASSERT_TRUE(c2.send_all(zmtp::concat({zmtp::message_frame("next a", true),
                                        zmtp::message_frame("next b", false)})));
  auto n = t.pull.recv(5000ms);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(test::frames_of(*n), (std::vector<std::string>{"next a", "next b"}));
  EXPECT_FALSE(t.pull.recv(100ms).has_value()) << "a part of the cut message was delivered";
}

TEST(Rfc23Atomicity, ShallNotDeliverALargeMultipartCutInsideAFrameBody) {
  raw_pusher t;
  {
    auto c = t.connect();
    auto body = std::string(100'000, 'b');
    auto frame = zmtp::message_frame(body, false);
    frame.resize(frame.size() / 2);  // half of the last frame's body
    ASSERT_TRUE(c.send_all(zmtp::concat({zmtp::message_frame(std::string(50'000, 'a'), true), frame})));
    c.close();
  }
  EXPECT_FALSE(t.pull.recv(300ms).has_value()) << "a message cut inside its last frame was delivered";
  auto c2 = t.connect();
  ASSERT_TRUE(c2.send_all(zmtp::message_frame("after")));
  auto m = t.pull.recv(5000ms);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(test::frames_of(*m), (std::vector<std::string>{"after"}));
}

// RFC 23: "A message SHALL NOT be delivered more than once." The PULL's whole context dies (its
// connections cut as by a crash) while the PUSH streams, and a new one binds the same port.
TEST(Rfc23NoDuplicates, PushToAKilledAndRestartedPullDeliversEachSequenceNumberAtMostOnceInOrder) {
  socket_options o = test::no_linger();
  o.reconnect_ivl_ms = 20;
  o.sndhwm = 200;
  context ctx;
  auto port = test::free_tcp_port();
  auto ep = test::local_endpoint(port);
  socket push{ctx, socket_type::push, o};
  push.connect(ep);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> sent{0};
  std::thread sender([&] {
    uint64_t seq = 0;
    while (!stop) {
      if (push.send(test::sequenced(seq, 512), 10ms))
        sent = ++seq;
    }
  });
  std::vector<uint64_t> got;
  auto receive = [&](socket& pull, size_t count) {
    test::deadline d{10000ms};
    while (count > 0 && !d.expired()) {
      if (auto m = pull.recv(50ms)) {
        got.push_back(test::sequence_of(*m));
        --count;
      }
    }
    return count == 0;
  };
  for (int life = 0; life < 3; ++life) {
    auto victim = std::make_unique<context>();
    socket pull{*victim, socket_type::pull, test::no_linger()};
    bool bound = test::eventually([&] {
      try {
        pull.bind(ep);
        return true;
      } catch (const error&) {
        return false;
      }
    }, 5000ms, 10ms);
    ASSERT_TRUE(bound) << "life " << life << ": port not free again";
    EXPECT_TRUE(receive(pull, 300)) << "life " << life << ": the stream did not resume";
    victim.reset();  // killed mid-stream: queued and in-flight messages are lost, never resent
  }
  stop = true;
  sender.join();
  ASSERT_GE(got.size(), 900u);
  for (size_t i = 1; i < got.size(); ++i)
    ASSERT_LT(got[i - 1], got[i]) << "at " << i << ": delivered twice or out of order";
  EXPECT_LE(got.back(), sent.load());
}

} // namespace
} // namespace cafmq
