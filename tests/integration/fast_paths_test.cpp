// The fast paths (runtime/socket.cpp, try_fast_send and try_fast_recv): while a PUSH or DEALER
// has exactly one peer, send pushes into that peer's ring without going through the pattern;
// while a PULL or DEALER has one, recv pops from it. They must stop the moment that is no
// longer what the pattern would do: a second peer attached (even by a call other than send or
// recv), or the peer gone.
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::no_linger;

std::string recv_text(socket& s) {
  auto m = s.recv(2000ms);
  return m ? (*m)[0].to_string() : "<nothing within 2 s>";
}

// Sends `text`, waiting up to 2 s for a peer.
void send_text(socket& s, const std::string& text) {
  ASSERT_TRUE(s.send(message{text}, 2000ms)) << "no peer took " << text;
}

TEST(FastSendPath, ASecondPeerAttachedOutsideSendGetsItsShareOfTheRoundRobin) {
  context ctx;
  socket dealer{ctx, socket_type::dealer, no_linger()};
  dealer.bind("tcp://127.0.0.1:*");
  auto ep = dealer.last_endpoint();
  socket a{ctx, socket_type::dealer, no_linger()};
  a.connect(ep);
  send_text(dealer, "first");   // waits for the handshake
  send_text(dealer, "second");  // through the pattern at once: the fast path learns peer a
  send_text(dealer, "third");   // the fast path
  for (const char* expected : {"first", "second", "third"})
    ASSERT_EQ(recv_text(a), expected);

  socket b{ctx, socket_type::dealer, no_linger()};
  b.connect(ep);
  // stats() takes in the new pipe, as recv() would: the next sends are not send's to notice.
  ASSERT_TRUE(test::eventually([&] { return dealer.stats().peers.size() == 2; }, 5000ms));
  for (int i = 0; i < 10; ++i)
    send_text(dealer, "rr" + std::to_string(i));
  int to_a = 0;
  int to_b = 0;
  for (int i = 0; i < 5; ++i) {
    to_a += recv_text(a).rfind("rr", 0) == 0 ? 1 : 0;
    to_b += recv_text(b).rfind("rr", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(to_a, 5);
  EXPECT_EQ(to_b, 5) << "the second peer was left out of the round-robin";
  EXPECT_EQ(dealer.stats().sent, 13u);
}

TEST(FastSendPath, NothingIsQueuedForAPeerThatLeft) {
  context ctx;
  socket push{ctx, socket_type::push, no_linger()};
  push.bind("tcp://127.0.0.1:*");
  auto ep = push.last_endpoint();
  {
    socket first{ctx, socket_type::pull, no_linger()};
    first.connect(ep);
    send_text(push, "one");    // waits for the handshake
    send_text(push, "two");    // through the pattern at once: the fast path learns the peer
    send_text(push, "three");  // the fast path
    for (const char* expected : {"one", "two", "three"})
      ASSERT_EQ(recv_text(first), expected);
  }  // the only peer goes
  ASSERT_TRUE(test::eventually([&] {
    auto s = push.stats();
    return s.peers.empty() || (s.peers.size() == 1 && !s.peers[0].connected);
  }, 5000ms));
  EXPECT_FALSE(push.send(message{"into the void"}, 0ms))
    << "with no peer, a PUSH must not accept the message (it would be lost with the old pipe)";

  socket second{ctx, socket_type::pull, no_linger()};
  second.connect(ep);
  send_text(push, "four");
  EXPECT_EQ(recv_text(second), "four") << "the first message for the new peer";
}

TEST(FastRecvPath, ASecondPeerAttachedOutsideRecvIsFairQueued) {
  context ctx;
  socket pull{ctx, socket_type::pull, no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  auto ep = pull.last_endpoint();
  socket a{ctx, socket_type::push, no_linger()};
  a.connect(ep);
  send_text(a, "first");
  ASSERT_EQ(recv_text(pull), "first");  // through the pattern: the fast path learns peer a
  send_text(a, "second");
  send_text(a, "third");
  ASSERT_TRUE(test::eventually([&] { return pull.stats().peers.at(0).queued_in == 2; }, 5000ms));
  ASSERT_EQ(recv_text(pull), "second");  // both already queued: the fast path
  ASSERT_EQ(recv_text(pull), "third");

  socket b{ctx, socket_type::push, no_linger()};
  b.connect(ep);
  constexpr size_t from_a = 100;
  for (size_t i = 0; i < from_a; ++i)
    send_text(a, "a" + std::to_string(i));
  send_text(b, "from b");
  // Both queues filled before the first recv; stats() takes in b's pipe, as send() would.
  ASSERT_TRUE(test::eventually([&] {
    auto s = pull.stats();
    return s.peers.size() == 2 && s.peers[0].queued_in + s.peers[1].queued_in == from_a + 1;
  }, 5000ms));
  size_t position = 0;
  for (size_t i = 1; i <= from_a + 1; ++i)
    if (recv_text(pull) == "from b")
      position = i;
  EXPECT_GE(position, 1u);
  EXPECT_LE(position, 2u) << "b's message waited behind a's queue: b was not fair-queued";
}

TEST(FastRecvPath, APeerThatLeftStillDeliversWhatItSentThenIsForgotten) {
  context ctx;
  socket pull{ctx, socket_type::pull, no_linger()};
  pull.bind("tcp://127.0.0.1:*");
  constexpr int after_learning = 50;
  {
    socket_options o;
    o.linger_ms = 5000;  // everything sent reaches pull before the connection closes
    socket push{ctx, socket_type::push, o};
    push.connect(pull.last_endpoint());
    send_text(push, "first");
    ASSERT_EQ(recv_text(pull), "first");  // the fast path learns this peer
    for (int i = 0; i < after_learning; ++i)
      send_text(push, std::to_string(i));
  }
  ASSERT_TRUE(test::eventually([&] {
    auto s = pull.stats();
    return s.peers.size() == 1 && !s.peers[0].connected;
  }, 5000ms));
  for (int i = 0; i < after_learning; ++i)
    ASSERT_EQ(recv_text(pull), std::to_string(i));
  EXPECT_FALSE(pull.recv(0ms).has_value());
  EXPECT_TRUE(pull.stats().peers.empty()) << "a drained peer that left is forgotten";
  EXPECT_EQ(pull.stats().received, static_cast<uint64_t>(after_learning + 1));
}

} // namespace
} // namespace cafmq
