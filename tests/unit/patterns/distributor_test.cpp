// The distributor on in-memory pipes (see pipe_peer.hpp): one copy per matching subscriber,
// per-subscriber drops when a queue is full, whole multipart messages, nodrop, detached peers.
#include "patterns/distributor.hpp"
#include "patterns/pipe_peer.hpp"

#include <gtest/gtest.h>

using namespace cafmq;
using namespace cafmq::patterns;
using namespace cafmq::test;

namespace {

// -- distributor --

TEST(Distributor, CopiesToMatchingSubscribersOnceEach) {
  distributor d{false};
  auto a = make_hwm_pipe(), b = make_hwm_pipe(), c = make_hwm_pipe();
  auto& sa = d.attach(a);
  auto& sb = d.attach(b);
  d.attach(c);
  d.subscribe(sa, "A");
  d.subscribe(sa, "AB");  // overlapping: still one copy
  d.subscribe(sb, "");
  message m{"ABC"};
  EXPECT_EQ(d.send(m), send_result::sent);
  message other{"Z"};
  d.send(other);
  EXPECT_EQ(peer_got(a), std::vector<std::string>{"ABC"});
  EXPECT_EQ(peer_got(b), (std::vector<std::string>{"ABC", "Z"}));
  EXPECT_TRUE(peer_got(c).empty());
  EXPECT_EQ(d.subscribed_peers(), 2u);
  EXPECT_EQ(d.dropped(), 0u);
}

TEST(Distributor, FullSubscriberDropsItsCopyOnlyAndCountsIt) {
  distributor d{false};
  auto slow = make_hwm_pipe(2), fast = make_hwm_pipe(100);
  d.subscribe(d.attach(slow), "");
  d.subscribe(d.attach(fast), "");
  for (int i = 0; i < 10; ++i) {
    message m{std::to_string(i)};
    EXPECT_EQ(d.send(m), send_result::sent);
  }
  EXPECT_EQ(peer_got(fast).size(), 10u);
  EXPECT_EQ(peer_got(slow), (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(d.dropped(), 8u);
}

TEST(Distributor, MultipartMessageArrivesWhole) {
  distributor d{false};
  auto a = make_hwm_pipe(), b = make_hwm_pipe();
  d.subscribe(d.attach(a), "t");
  d.subscribe(d.attach(b), "t");
  message m{"topic", "body", ""};
  d.send(m);
  EXPECT_EQ(peer_got(a), std::vector<std::string>{"topic|body|"});
  EXPECT_EQ(peer_got(b), std::vector<std::string>{"topic|body|"});
}

TEST(Distributor, NodropRefusesWholeSendWhileAMatchingQueueIsFull) {
  distributor d{true};
  auto slow = make_hwm_pipe(1), fast = make_hwm_pipe();
  d.subscribe(d.attach(slow), "");
  d.subscribe(d.attach(fast), "");
  message first{"1"};
  EXPECT_EQ(d.send(first), send_result::sent);
  message second{"2"};
  EXPECT_EQ(d.send(second), send_result::would_block);
  EXPECT_EQ(second[0].to_string(), "2") << "a refused message stays with the caller";
  EXPECT_TRUE(d.prepare_wait()) << "the full queue has no room: sleep";
  EXPECT_EQ(peer_got(slow), std::vector<std::string>{"1"});
  EXPECT_FALSE(d.prepare_wait()) << "room again: do not sleep";
  EXPECT_EQ(d.send(second), send_result::sent);
  EXPECT_EQ(peer_got(fast), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(d.dropped(), 0u);
}

TEST(Distributor, DetachedSubscriberIsForgottenWithItsSubscriptions) {
  distributor d{false};
  auto a = make_hwm_pipe(), b = make_hwm_pipe();
  auto& sa = d.attach(a);
  d.subscribe(sa, "X");
  d.subscribe(sa, "X");
  d.subscribe(d.attach(b), "X");
  a->detach();
  std::vector<std::pair<std::string, size_t>> removed;
  d.forget_detached([&](std::string_view p, size_t held, size_t left) {
    removed.emplace_back(std::string(p), held * 100 + left);
  });
  EXPECT_EQ(removed, (std::vector<std::pair<std::string, size_t>>{{"X", 201}}));
  EXPECT_EQ(d.peers().size(), 1u);
  EXPECT_EQ(d.subscribed_peers(), 1u);
}

} // namespace
