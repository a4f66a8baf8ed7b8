// RFC 30 PIPELINE between cafmq sockets: one-frame and multipart round trips in both bind/connect
// roles, PUSH round-robin, PULL fair-queueing, frame sizes across the inline/shared and the
// short/long-size boundaries, and zero-copy frames whose deleter runs exactly once.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <map>
#include <memory>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;

constexpr auto recv_budget = 5000ms;

// A PUSH and a PULL joined over tcp, with either side binding.
struct linked_pair {
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  socket pull{ctx, socket_type::pull, test::no_linger()};

  explicit linked_pair(bool pull_binds) {
    if (pull_binds) {
      pull.bind("tcp://127.0.0.1:*");
      push.connect(pull.last_endpoint());
    } else {
      push.bind("tcp://127.0.0.1:*");
      pull.connect(push.last_endpoint());
    }
  }
};

class PushPullRoles : public ::testing::TestWithParam<bool> {};

TEST_P(PushPullRoles, OneFrameMessageArrivesIntact) {
  linked_pair p{GetParam()};
  ASSERT_TRUE(p.push.send(message{"hello"}, recv_budget));
  auto m = p.pull.recv(recv_budget);
  ASSERT_TRUE(m.has_value()) << "no message within " << recv_budget.count() << " ms";
  EXPECT_EQ(frames_of(*m), std::vector<std::string>{"hello"});
}

TEST_P(PushPullRoles, MultipartMessageKeepsFramesAndOrder) {
  linked_pair p{GetParam()};
  message sent{"first", "", "third frame", std::string(300, 'x')};
  ASSERT_TRUE(p.push.send(sent, recv_budget));
  auto m = p.pull.recv(recv_budget);
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->size(), 4u);
  EXPECT_EQ(*m, sent);
}

TEST_P(PushPullRoles, ManyMessagesArriveOnceInOrder) {
  linked_pair p{GetParam()};
  constexpr uint64_t n = 5000;
  uint64_t next_expected = 0;
  test::deadline d{10000ms};
  for (uint64_t i = 0; i < n; ++i) {
    // Send, and drain whatever is ready so the default HWMs never stall a single thread.
    while (!p.push.send(test::sequenced(i, 16), 0ms)) {
      auto m = p.pull.recv(100ms);
      ASSERT_FALSE(d.expired()) << "stalled at message " << i;
      if (m) {
        ASSERT_EQ(test::sequence_of(*m), next_expected++);
      }
    }
    while (auto m = p.pull.recv(0ms))
      ASSERT_EQ(test::sequence_of(*m), next_expected++);
  }
  while (next_expected < n) {
    auto m = p.pull.recv(d.remaining());
    ASSERT_TRUE(m.has_value()) << "only " << next_expected << " of " << n << " arrived";
    ASSERT_EQ(test::sequence_of(*m), next_expected++);
  }
  EXPECT_FALSE(p.pull.recv(20ms).has_value()) << "a message arrived twice";
}

INSTANTIATE_TEST_SUITE_P(BothRoles, PushPullRoles, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "PullBinds" : "PushBinds"; });

// Drains the three pulls until 3 * per_puller messages arrived (or `d` expires) and checks that
// round-robin gave each one its share, within one message.
void expect_even_shares(const std::vector<std::unique_ptr<socket>>& pulls, int per_puller,
                        const test::deadline& d) {
  std::array<int, 3> got{};
  int total = 0;
  while (total < 3 * per_puller && !d.expired())
    for (int i = 0; i < 3; ++i)
      while (auto m = pulls[i]->recv(1ms)) {
        ++got[i];
        ++total;
      }
  ASSERT_EQ(total, 3 * per_puller);
  for (int i = 0; i < 3; ++i)
    EXPECT_NEAR(got[i], per_puller, 1) << "puller " << i;
}

TEST(Rfc30Push, ShallRouteOutgoingMessagesRoundRobinAmongThreeConnectedPulls) {
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  push.bind("tcp://127.0.0.1:*");
  std::vector<std::unique_ptr<socket>> pulls;
  for (int i = 0; i < 3; ++i) {
    pulls.push_back(std::make_unique<socket>(ctx, socket_type::pull, test::no_linger()));
    pulls.back()->connect(push.last_endpoint());
  }
  // Warm up one message at a time until every puller got one: then all three are attached.
  std::array<int, 3> warm{};
  test::deadline d{10000ms};
  while (std::min({warm[0], warm[1], warm[2]}) == 0) {
    ASSERT_FALSE(d.expired()) << "pullers never all connected: " << warm[0] << "/" << warm[1]
                              << "/" << warm[2];
    ASSERT_TRUE(push.send(message{"warm-up"}, 1000ms));
    bool got = false;
    while (!got && !d.expired())
      for (int i = 0; i < 3 && !got; ++i)
        if (pulls[i]->recv(1ms)) {
          ++warm[i];
          got = true;
        }
    ASSERT_TRUE(got) << "a warm-up message was lost";
  }
  constexpr int per_puller = 100;
  for (int i = 0; i < 3 * per_puller; ++i)
    ASSERT_TRUE(push.send(test::sequenced(static_cast<uint64_t>(i)), 1000ms));
  expect_even_shares(pulls, per_puller, d);
}

TEST(Rfc30Push, ShallRouteOutgoingMessagesRoundRobinAmongThreeBoundPulls) {
  context ctx;
  std::vector<std::unique_ptr<socket>> pulls;
  socket push{ctx, socket_type::push, test::no_linger()};
  for (int i = 0; i < 3; ++i) {
    pulls.push_back(std::make_unique<socket>(ctx, socket_type::pull, test::no_linger()));
    pulls.back()->bind("tcp://127.0.0.1:*");
    push.connect(pulls.back()->last_endpoint());
  }
  // A connecting socket owns one queue per endpoint from connect() on (libzmq semantics), so
  // round-robin is exact even before the connections are up.
  constexpr int per_puller = 100;
  for (int i = 0; i < 3 * per_puller; ++i)
    ASSERT_TRUE(push.send(test::sequenced(static_cast<uint64_t>(i)), 1000ms));
  test::deadline d{10000ms};
  expect_even_shares(pulls, per_puller, d);
}

// Sends 64 KiB messages until the PUSH has stayed blocked for 200 ms: its queue, the TCP
// buffers and the receiver's queue for this peer are then all full. Returns the count sent.
uint64_t fill_until_blocked(socket& push, uint64_t first_seq, test::deadline& d) {
  uint64_t seq = first_seq;
  while (!d.expired()) {
    if (push.send(test::sequenced(seq, 64 * 1024), 0ms) || push.send(test::sequenced(seq, 64 * 1024), 200ms))
      ++seq;
    else
      break;
  }
  return seq - first_seq;
}

TEST(Rfc30Pull, ShallReceiveFromItsPeersFairQueued) {
  context ctx;
  socket_options small;
  small.sndhwm = 10;
  small.rcvhwm = 10;
  small.linger_ms = 0;
  socket pull{ctx, socket_type::pull, small};
  pull.bind("tcp://127.0.0.1:*");
  socket a{ctx, socket_type::push, small};
  socket b{ctx, socket_type::push, small};
  a.connect(pull.last_endpoint());
  b.connect(pull.last_endpoint());
  test::deadline d{30000ms};
  constexpr uint64_t a_base = 0;
  constexpr uint64_t b_base = 1'000'000;
  uint64_t a_sent = fill_until_blocked(a, a_base, d);
  uint64_t b_sent = fill_until_blocked(b, b_base, d);
  ASSERT_FALSE(d.expired());
  ASSERT_GE(a_sent, 20u);
  ASSERT_GE(b_sent, 20u);
  // Both peers have a full queue at the PULL: fair queueing must interleave them.
  std::map<char, int> first20;
  uint64_t a_next = a_base;
  uint64_t b_next = b_base;
  for (uint64_t i = 0; i < a_sent + b_sent; ++i) {
    auto m = pull.recv(d.remaining());
    ASSERT_TRUE(m.has_value()) << "message " << i << " of " << a_sent + b_sent << " missing";
    ASSERT_TRUE(test::pattern_intact(*m));
    auto seq = test::sequence_of(*m);
    bool from_a = seq < b_base;
    if (i < 20)
      ++first20[from_a ? 'a' : 'b'];
    ASSERT_EQ(seq, from_a ? a_next++ : b_next++) << "per-peer order broken";
  }
  EXPECT_EQ(a_next - a_base, a_sent);
  EXPECT_EQ(b_next - b_base, b_sent);
  EXPECT_GE(first20['a'], 8) << "PULL did not fair-queue: " << first20['a'] << " from a, "
                             << first20['b'] << " from b in the first 20";
  EXPECT_GE(first20['b'], 8) << "PULL did not fair-queue: " << first20['a'] << " from a, "
                             << first20['b'] << " from b in the first 20";
}

TEST(Rfc30Pull, ShallDeliverEveryMessageFromConcurrentPushes) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  socket a{ctx, socket_type::push, test::no_linger()};
  socket b{ctx, socket_type::push, test::no_linger()};
  a.connect(pull.last_endpoint());
  b.connect(pull.last_endpoint());
  constexpr uint64_t n = 500;
  for (uint64_t i = 0; i < n; ++i) {
    ASSERT_TRUE(a.send(test::sequenced(i), 1000ms));
    ASSERT_TRUE(b.send(test::sequenced(1'000'000 + i), 1000ms));
  }
  uint64_t a_next = 0;
  uint64_t b_next = 1'000'000;
  test::deadline d{10000ms};
  for (uint64_t i = 0; i < 2 * n; ++i) {
    auto m = pull.recv(d.remaining());
    ASSERT_TRUE(m.has_value()) << "only " << i << " of " << 2 * n << " arrived";
    auto seq = test::sequence_of(*m);
    ASSERT_EQ(seq, seq < 1'000'000 ? a_next++ : b_next++);
  }
  EXPECT_FALSE(pull.recv(20ms).has_value());
}

class FrameSizes : public ::testing::TestWithParam<size_t> {};

TEST_P(FrameSizes, ArriveIntact) {
  linked_pair p{true};
  auto body = test::patterned(GetParam(), 3);
  ASSERT_TRUE(p.push.send(message{body}, recv_budget));
  auto m = p.pull.recv(recv_budget);
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->size(), 1u);
  ASSERT_EQ((*m)[0].size(), body.size());
  EXPECT_TRUE((*m)[0].view() == body) << "payload corrupted";
}

// 30/31: the frame's inline/shared storage boundary; 255/256: ZMTP short/long size boundary.
INSTANTIATE_TEST_SUITE_P(Boundaries, FrameSizes,
                         ::testing::Values(0, 1, 29, 30, 31, 255, 256, 16 * 1024, 64 * 1024 - 1,
                                           64 * 1024, 64 * 1024 + 1, 1024 * 1024,
                                           4 * 1024 * 1024));

TEST(FrameSizes, MultipartMixOfLargeAndSmallFramesArrivesIntact) {
  linked_pair p{false};
  message sent;
  for (size_t size : {30u, 31u, 0u, 1024u * 1024u, 64u * 1024u, 5u})
    sent.add(frame{test::patterned(size, static_cast<uint8_t>(size))});
  ASSERT_TRUE(p.push.send(sent, recv_budget));
  auto m = p.pull.recv(recv_budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(*m, sent);
}

void count_free(void*, void* hint) {
  static_cast<std::atomic<int>*>(hint)->fetch_add(1);
}

TEST(ZeroCopy, DeleterRunsExactlyOnceAfterSendAndClose) {
  std::atomic<int> frees{0};
  std::string buffer = test::patterned(100 * 1024, 9);
  {
    context ctx;
    socket pull{ctx, socket_type::pull, test::no_linger()};
    pull.bind("tcp://127.0.0.1:*");
    socket push{ctx, socket_type::push};
    push.connect(pull.last_endpoint());
    ASSERT_TRUE(push.send(message{frame::zero_copy(buffer.data(), buffer.size(), count_free, &frees)},
                          recv_budget));
    auto m = pull.recv(recv_budget);
    ASSERT_TRUE(m.has_value());
    EXPECT_TRUE((*m)[0].view() == buffer);
    EXPECT_EQ(push.close(), 0u) << "the sent message was counted as discarded";
    // The frame is released once written; wait for that without a fixed sleep.
    EXPECT_TRUE(test::eventually([&] { return frees.load() >= 1; }, 5000ms))
      << "the zero-copy deleter never ran";
  }
  EXPECT_EQ(frees.load(), 1) << "the zero-copy deleter ran " << frees.load() << " times";
}

TEST(ZeroCopy, DeleterRunsOnceForAMessageDiscardedAtClose) {
  std::atomic<int> frees{0};
  std::string buffer = test::patterned(4096, 1);
  {
    context ctx;
    socket push{ctx, socket_type::push, test::no_linger()};
    push.connect(test::local_endpoint(test::free_tcp_port()));  // nobody listens: it stays queued
    ASSERT_TRUE(push.send(message{frame::zero_copy(buffer.data(), buffer.size(), count_free, &frees)},
                          0ms));
    EXPECT_EQ(frees.load(), 0) << "deleter ran while the message was still queued";
    EXPECT_EQ(push.close(), 1u);
  }
  EXPECT_EQ(frees.load(), 1) << "the zero-copy deleter ran " << frees.load() << " times";
}

} // namespace
} // namespace cafmq

namespace cafmq {
namespace {

// SNDHWM 0 is libzmq's "no limit": cafmq maps it to a large bound (options.hpp no_limit_hwm),
// never to a queue of one.
TEST(HighWaterMark, ZeroQueuesFarPastTheDefaultButStaysBounded) {
  context ctx;
  socket_options o = test::no_linger();
  o.sndhwm = 0;
  socket push{ctx, socket_type::push, o};
  push.connect(test::local_endpoint(test::free_tcp_port()));  // nobody there: sends queue up
  test::deadline d{10000ms};
  size_t queued = 0;
  while (queued < no_limit_hwm + 10 && !d.expired() && push.send(message{"q"}, 0ms))
    ++queued;
  ASSERT_FALSE(d.expired());
  EXPECT_EQ(queued, no_limit_hwm) << "SNDHWM 0 must queue exactly the no-limit bound";
}

} // namespace
} // namespace cafmq

namespace cafmq {
namespace {

TEST(TcpTransport, ConnectsToAHostNameResolvedThroughDns) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  auto port = pull.last_endpoint().substr(pull.last_endpoint().rfind(':') + 1);
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect("tcp://localhost:" + port);  // the resolver, not an address literal
  ASSERT_TRUE(push.send(message{"by name"}, 5000ms));
  auto m = pull.recv(5000ms);
  ASSERT_TRUE(m.has_value()) << "nothing arrived through tcp://localhost:" << port;
  EXPECT_EQ((*m)[0].to_string(), "by name");
}

TEST(TcpTransport, BindOnAllInterfacesReportsTheRealPortAndAcceptsLoopback) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("tcp://*:0");
  auto ep = pull.last_endpoint();
  auto port = ep.substr(ep.rfind(':') + 1);
  ASSERT_NE(port, "0") << ep;
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect("tcp://127.0.0.1:" + port);
  ASSERT_TRUE(push.send(message{"any interface"}, 5000ms));
  auto m = pull.recv(5000ms);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)[0].to_string(), "any interface");
}

} // namespace
} // namespace cafmq
