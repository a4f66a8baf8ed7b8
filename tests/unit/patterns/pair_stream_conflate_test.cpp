// PAIR, STREAM and receive-side CONFLATE on in-memory pipes: the test plays the engines by
// writing the inbound rings and reading the outbound rings directly.
#include "patterns/conflate.hpp"
#include "patterns/pattern_factory.hpp"
#include "runtime/core/error.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

using namespace cafmq;
using patterns::send_result;

namespace {

pipe_ptr make_test_pipe(size_t hwm = 16, std::string routing_id = {}) {
  static uint64_t id = 0;
  auto p = std::make_shared<cafmq::pipe>(hwm, hwm, nullptr, ++id);
  p->routing_id = std::move(routing_id);
  return p;
}

// The engine side: a message arrives from the peer.
void deliver(const pipe_ptr& p, message m) {
  ASSERT_TRUE(p->inbound().try_push(m));
  p->inbound().flush();
}

// The engine side: what the socket queued for the peer, oldest first.
std::vector<std::string> sent_to(const pipe_ptr& p) {
  std::vector<std::string> out;
  message m;
  while (p->outbound().try_pop(m)) {
    std::string s;
    for (size_t i = 0; i < m.size(); ++i)
      s += (i ? "|" : "") + m[i].to_string();
    out.push_back(s);
  }
  return out;
}

socket_options conflating() {
  socket_options o;
  o.conflate = true;
  return o;
}

} // namespace

// -- PAIR --

TEST(PairPattern, SendsToAndReceivesFromItsOnePeer) {
  auto pair = patterns::make_pair({});
  auto a = make_test_pipe();
  pair->attach(a);
  message m{"ping"};
  ASSERT_EQ(pair->try_send(m), send_result::sent);
  EXPECT_EQ(sent_to(a), std::vector<std::string>{"ping"});
  deliver(a, message{"pong"});
  message in;
  ASSERT_TRUE(pair->try_recv(in));
  EXPECT_EQ(in[0].to_string(), "pong");
}

TEST(PairPattern, RefusesASecondPeerWhileOneIsAttached) {
  auto pair = patterns::make_pair({});
  auto first = make_test_pipe();
  auto second = make_test_pipe();
  pair->attach(first);
  pair->attach(second);
  EXPECT_TRUE(second->closed_by_user()) << "the second peer's connection must be closed";
  EXPECT_FALSE(first->closed_by_user());
  ASSERT_EQ(pair->pipes().size(), 1u);
  EXPECT_EQ(pair->pipes()[0], first);
  message m{"x"};
  ASSERT_EQ(pair->try_send(m), send_result::sent);
  EXPECT_EQ(sent_to(first).size(), 1u);
  EXPECT_TRUE(sent_to(second).empty());
  deliver(second, message{"from the refused one"});
  message in;
  EXPECT_FALSE(pair->try_recv(in)) << "nothing is received from a refused peer";
}

TEST(PairPattern, AcceptsALaterPeerOnceTheFirstIsGone) {
  auto pair = patterns::make_pair({});
  auto first = make_test_pipe();
  auto later = make_test_pipe();
  pair->attach(first);
  first->detach();
  pair->attach(later);
  EXPECT_FALSE(later->closed_by_user());
  message m{"to the later peer"};
  ASSERT_EQ(pair->try_send(m), send_result::sent);
  EXPECT_EQ(sent_to(later), std::vector<std::string>{"to the later peer"});
}

TEST(PairPattern, DeliversWhatAPeerSentBeforeItDisconnectedThenForgetsIt) {
  auto pair = patterns::make_pair({});
  auto a = make_test_pipe();
  pair->attach(a);
  deliver(a, message{"unread"});
  a->detach();
  auto later = make_test_pipe();
  pair->attach(later);
  EXPECT_FALSE(later->closed_by_user()) << "the gone peer's leftovers do not block a new peer";
  message in;
  ASSERT_TRUE(pair->try_recv(in));
  EXPECT_EQ(in[0].to_string(), "unread");
  EXPECT_FALSE(pair->try_recv(in));
  EXPECT_EQ(pair->pipes(), std::vector<pipe_ptr>{later}) << "drained: the gone peer is forgotten";
}

TEST(PairPattern, WouldBlockWithoutAPeerAndAtTheHwmLeavingTheMessageIntact) {
  auto pair = patterns::make_pair({});
  message m{"keep me"};
  EXPECT_EQ(pair->try_send(m), send_result::would_block);
  EXPECT_TRUE(pair->prepare_wait_send()) << "no peer: the sender sleeps until one attaches";
  auto a = make_test_pipe(2);
  pair->attach(a);
  message one{"1"}, two{"2"};
  ASSERT_EQ(pair->try_send(one), send_result::sent);
  ASSERT_EQ(pair->try_send(two), send_result::sent);
  EXPECT_EQ(pair->try_send(m), send_result::would_block);
  EXPECT_EQ(m[0].to_string(), "keep me");
  EXPECT_TRUE(pair->prepare_wait_send());
  EXPECT_EQ(sent_to(a), (std::vector<std::string>{"1", "2"}));
}

// -- CONFLATE --

TEST(Conflate, TakeNewestKeepsTheLastOfABurstAndEmptiesTheRing) {
  auto p = make_test_pipe();
  for (int i = 0; i < 10; ++i)
    deliver(p, message{std::to_string(i)});
  message out;
  ASSERT_TRUE(patterns::take_newest(p->inbound(), out));
  EXPECT_EQ(out[0].to_string(), "9");
  EXPECT_FALSE(patterns::take_newest(p->inbound(), out));
  EXPECT_EQ(out[0].to_string(), "9") << "an empty ring leaves `out` untouched";
}

// The reader can take a message the moment its slot is published, before the writer moves the
// ring's tail: a size() read then counts one less than was taken (it used to underflow, and
// take_newest popped an empty ring for ever). Concurrent: newest-only, in order, and it ends.
TEST(Conflate, TakeNewestStaysInOrderAndEndsWhileTheWriterPublishes) {
  auto p = make_test_pipe(64);
  constexpr uint64_t count = 500000;  // 2M took over 30 s on a loaded 2-core machine
  std::atomic<bool> done{false};
  std::atomic<bool> reader_gave_up{false};  // else a full ring holds the writer (and join) forever
  std::thread writer([&] {
    for (uint64_t i = 1; i <= count; ++i) {
      message m{frame{&i, sizeof i}};
      while (!p->inbound().try_push(m)) {
        if (reader_gave_up)
          return;
        std::this_thread::yield();
      }
      p->inbound().flush();
    }
    done = true;
  });
  uint64_t last = 0;
  bool ordered = true;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  message out;
  while (last != count && std::chrono::steady_clock::now() < deadline) {
    if (!patterns::take_newest(p->inbound(), out))
      continue;
    uint64_t got = 0;
    std::memcpy(&got, out[0].data(), sizeof got);
    ordered = ordered && got > last;
    last = got;
  }
  reader_gave_up = true;
  writer.join();
  EXPECT_TRUE(ordered) << "an older message came after a newer one";
  EXPECT_EQ(last, count) << "the newest message never came";
  EXPECT_TRUE(done);
}

TEST(Conflate, PullReturnsOnlyTheNewestMessage) {
  auto pull = patterns::make_pull(conflating());
  auto p = make_test_pipe();
  pull->attach(p);
  for (int i = 0; i < 5; ++i)
    deliver(p, message{"v" + std::to_string(i)});
  message out;
  ASSERT_TRUE(pull->try_recv(out));
  EXPECT_EQ(out[0].to_string(), "v4");
  EXPECT_FALSE(pull->try_recv(out));
  deliver(p, message{"v5"});
  ASSERT_TRUE(pull->try_recv(out));
  EXPECT_EQ(out[0].to_string(), "v5");
}

TEST(Conflate, WithoutTheOptionPullReceivesEveryMessage) {
  auto pull = patterns::make_pull({});
  auto p = make_test_pipe();
  pull->attach(p);
  deliver(p, message{"a"});
  deliver(p, message{"b"});
  message out;
  ASSERT_TRUE(pull->try_recv(out));
  EXPECT_EQ(out[0].to_string(), "a");
}

TEST(Conflate, PairKeepsTheNewestWholeMultipartMessage) {
  auto pair = patterns::make_pair(conflating());
  auto p = make_test_pipe();
  pair->attach(p);
  deliver(p, message{"old", "parts"});
  deliver(p, message{"new", "parts", "3"});
  message out;
  ASSERT_TRUE(pair->try_recv(out));
  EXPECT_EQ(out, (message{"new", "parts", "3"}));
  EXPECT_FALSE(pair->try_recv(out));
}

// -- STREAM --

TEST(StreamPattern, PrependsADistinctGeneratedRoutingIdPerConnection) {
  auto stream = patterns::make_stream({});
  auto a = make_test_pipe();
  auto b = make_test_pipe();
  stream->attach(a);
  stream->attach(b);
  deliver(a, message{"from a"});
  deliver(b, message{"from b"});
  message m1, m2;
  ASSERT_TRUE(stream->try_recv(m1));
  ASSERT_TRUE(stream->try_recv(m2));
  ASSERT_EQ(m1.size(), 2u);
  ASSERT_EQ(m2.size(), 2u);
  EXPECT_EQ(m1[0].size(), 5u);
  EXPECT_EQ(m1[0].data()[0], 0) << "generated ids start with a zero byte";
  EXPECT_NE(m1[0], m2[0]);
  EXPECT_NE(m1[1], m2[1]);
}

TEST(StreamPattern, RoutesASendByRoutingIdAndClosesOnAnEmptyDataFrame) {
  auto stream = patterns::make_stream({});
  auto a = make_test_pipe(16, "conn-a");
  auto b = make_test_pipe(16, "conn-b");
  stream->attach(a);
  stream->attach(b);
  message m{"conn-b", "GET /"};
  ASSERT_EQ(stream->try_send(m), send_result::sent);
  EXPECT_EQ(sent_to(b), std::vector<std::string>{"GET /"});
  EXPECT_TRUE(sent_to(a).empty());
  message close{"conn-b", ""};
  ASSERT_EQ(stream->try_send(close), send_result::sent);
  EXPECT_EQ(sent_to(b), std::vector<std::string>{""}) << "the empty message asks to close";
  message after{"conn-b", "late"};
  try {
    stream->try_send(after);
    FAIL() << "a closed connection must be unroutable";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::host_unreachable);
  }
}

TEST(StreamPattern, RejectsUnknownIdsAndMessagesThatAreNotTwoFrames) {
  auto stream = patterns::make_stream({});
  stream->attach(make_test_pipe(16, "known"));
  message unknown{"nobody", "x"};
  try {
    stream->try_send(unknown);
    FAIL();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::host_unreachable);
  }
  message three{"known", "x", "y"};
  try {
    stream->try_send(three);
    FAIL();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_argument);
  }
}

TEST(StreamPattern, AFullConnectionQueueWouldBlockAndAGoneOneIsUnreachable) {
  auto stream = patterns::make_stream({});
  auto a = make_test_pipe(1, "a");
  stream->attach(a);
  message one{"a", "1"};
  ASSERT_EQ(stream->try_send(one), send_result::sent);
  message two{"a", "2"};
  EXPECT_EQ(stream->try_send(two), send_result::would_block);
  EXPECT_EQ(two.size(), 2u) << "left intact";
  a->detach();
  EXPECT_FALSE(stream->prepare_wait_send()) << "a send never sleeps on a gone connection";
  EXPECT_THROW(stream->try_send(two), error);
}

TEST(StreamPattern, DeliversWhatAGoneConnectionQueuedThenForgetsIt) {
  auto stream = patterns::make_stream({});
  auto a = make_test_pipe(16, "a");
  stream->attach(a);
  deliver(a, message{"last words"});
  deliver(a, message{frame{}});  // the disconnect notification
  a->detach();
  message m;
  ASSERT_TRUE(stream->try_recv(m));
  EXPECT_EQ(m[1].to_string(), "last words");
  ASSERT_TRUE(stream->try_recv(m));
  EXPECT_TRUE(m[1].empty());
  EXPECT_FALSE(stream->try_recv(m));
  EXPECT_TRUE(stream->pipes().empty());
}

TEST(StreamPattern, ARoutingIdAlreadyInUseIsRefused) {
  auto stream = patterns::make_stream({});
  auto a = make_test_pipe(16, "same");
  auto b = make_test_pipe(16, "same");
  stream->attach(a);
  stream->attach(b);
  EXPECT_TRUE(b->closed_by_user());
  EXPECT_FALSE(a->closed_by_user());
}
