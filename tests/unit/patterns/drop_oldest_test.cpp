// full_policy drop_oldest (docs/reliability.md "Full policy"), on in-memory pipes: the types
// that may drop accept it, a full peer queue gives up its oldest whole messages for the newest,
// and every discard is counted for that peer and for the socket.
#include "patterns/pipe_peer.hpp"

#include "patterns/drop_oldest.hpp"
#include "patterns/full_policy.hpp"
#include "patterns/pattern_factory.hpp"
#include "runtime/core/error.hpp"

#include <gtest/gtest.h>

using namespace cafmq;
using namespace cafmq::patterns;
using namespace cafmq::test;

namespace {

socket_options drop_oldest() {
  socket_options o;
  o.full_policy = full_policy::drop_oldest;
  return o;
}

// A pipe whose send ring the socket may discard from, as new_pipe makes it for drop_oldest.
pipe_ptr discardable(size_t sndhwm, std::string routing_id = {}, size_t sndhwm_bytes = 0) {
  static uint64_t next_id = 1000;
  auto o = drop_oldest();
  o.sndhwm = sndhwm;
  o.rcvhwm = 100;
  o.sndhwm_bytes = sndhwm_bytes;
  auto p = std::make_shared<cafmq::pipe>(o.limits(), nullptr, ++next_id, nullptr);
  p->routing_id = std::move(routing_id);
  return p;
}

void send_all(socket_pattern& s, std::initializer_list<const char*> texts) {
  for (auto t : texts) {
    message m{t};
    ASSERT_EQ(s.try_send(m), send_result::sent) << t;
  }
}

} // namespace

TEST(DropOldestPolicy, AllowedForTheTypesThatMayDrop) {
  for (auto t : {socket_type::push, socket_type::dealer, socket_type::pair, socket_type::pub,
                 socket_type::xpub, socket_type::router})
    EXPECT_EQ(resolve_full_policy(t, drop_oldest()), full_policy::drop_oldest) << zmtp_name(t);
  EXPECT_TRUE(drop_oldest().limits().discard_oldest) << "pipes are made discardable for it";
  EXPECT_FALSE(socket_options{}.limits().discard_oldest);
}

TEST(DropOldestPolicy, RefusedWhereADropIsUnsafeOrContradictsAnOption) {
  auto refused = [](socket_type t, socket_options o) {
    try {
      resolve_full_policy(t, o);
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_argument) << zmtp_name(t);
      EXPECT_NE(std::string(e.what()).find("drop_oldest"), std::string::npos) << e.what();
      return true;
    }
    return false;
  };
  for (auto t : {socket_type::req, socket_type::stream, socket_type::pull, socket_type::sub,
                 socket_type::xsub, socket_type::rep})
    EXPECT_TRUE(refused(t, drop_oldest())) << zmtp_name(t);
  auto o = drop_oldest();
  o.xpub_nodrop = true;
  EXPECT_TRUE(refused(socket_type::xpub, o));
  o = drop_oldest();
  o.router_mandatory = true;
  EXPECT_TRUE(refused(socket_type::router, o));
}

TEST(DropOldestPush, WhenEveryPeerIsFullTheNextInTurnGivesUpItsOldest) {
  auto push = make_pattern(socket_type::push, drop_oldest());
  auto a = discardable(2), b = discardable(2);
  push->attach(a);
  push->attach(b);
  send_all(*push, {"0", "1", "2", "3", "4", "5"});
  EXPECT_EQ(peer_got(a), (strings{"2", "4"}));
  EXPECT_EQ(peer_got(b), (strings{"3", "5"}));
  EXPECT_EQ(a->dropped, 1u);
  EXPECT_EQ(b->dropped, 1u);
  EXPECT_EQ(push->drops().hwm, 2u);
}

TEST(DropOldestPush, AMultipartMessageIsDiscardedWhole) {
  auto dealer = make_pattern(socket_type::dealer, drop_oldest());
  auto a = discardable(2);
  dealer->attach(a);
  for (auto* tag : {"a", "b", "c"}) {
    auto m = msg({tag, "part2", "part3"});
    ASSERT_EQ(dealer->try_send(m), send_result::sent);
  }
  EXPECT_EQ(peer_got(a), (strings{"b|part2|part3", "c|part2|part3"}));
  EXPECT_EQ(dealer->drops().hwm, 1u);
}

TEST(DropOldestPush, AtTheByteLimitOldMessagesGoUntilTheQueueIsBelowIt) {
  auto push = make_pattern(socket_type::push, drop_oldest());
  auto a = discardable(100, {}, 10);
  push->attach(a);
  send_all(*push, {"aaaa", "bbbb", "cccc"});  // 12 bytes: the limit is passed by one message
  send_all(*push, {"dddddddd"});              // full: "aaaa" goes, 8 bytes left, room
  EXPECT_EQ(a->dropped, 1u);
  // 16 bytes queued: "bbbb" and "cccc" go (8 left, below the limit), then even a message larger
  // than the limit fits, as it would into a queue below its limit under any policy.
  send_all(*push, {"a message larger than the byte limit"});
  EXPECT_EQ(peer_got(a), (strings{"dddddddd", "a message larger than the byte limit"}));
  EXPECT_EQ(a->dropped, 3u);
  EXPECT_EQ(push->drops().hwm, 3u);
}

TEST(DropOldestPush, WithoutAnyPeerTheSendWouldBlockForTheSocketToDecide) {
  auto push = make_pattern(socket_type::push, drop_oldest());
  message m{"x"};
  EXPECT_EQ(push->try_send(m), send_result::would_block);
  EXPECT_EQ(m[0].to_string(), "x") << "left for the socket (which drops it, counted)";
}

TEST(DropOldestPub, AFullSubscriberKeepsTheNewestTheOthersGetEverything) {
  auto pub = make_pattern(socket_type::pub, drop_oldest());
  auto slow = discardable(2), fast = discardable(100);
  pub->attach(slow);
  pub->attach(fast);
  peer_subscribes(slow, "");
  peer_subscribes(fast, "");
  pub->subscribers();
  send_all(*pub, {"0", "1", "2", "3", "4"});
  EXPECT_EQ(peer_got(slow), (strings{"3", "4"}));
  EXPECT_EQ(peer_got(fast).size(), 5u);
  EXPECT_EQ(slow->dropped, 3u);
  EXPECT_EQ(fast->dropped, 0u);
  EXPECT_EQ(pub->drops().hwm, 3u);
}

TEST(DropOldestRouter, TheAddressedFullPeerGivesUpItsOldest) {
  auto router = make_pattern(socket_type::router, drop_oldest());
  auto a = discardable(2, "a"), b = discardable(2, "b");
  router->attach(a);
  router->attach(b);
  for (auto* body : {"1", "2", "3", "4"}) {
    auto m = msg({"a", body});
    ASSERT_EQ(router->try_send(m), send_result::sent);
  }
  auto m = msg({"b", "only"});
  ASSERT_EQ(router->try_send(m), send_result::sent);
  EXPECT_EQ(peer_got(a), (strings{"3", "4"}));
  EXPECT_EQ(peer_got(b), (strings{"only"}));
  EXPECT_EQ(a->dropped, 2u);
  EXPECT_EQ(router->drops().hwm, 2u);
}

TEST(DropOldestPair, TheOnePeerKeepsTheNewest) {
  auto pair = make_pattern(socket_type::pair, drop_oldest());
  auto a = discardable(3);
  pair->attach(a);
  send_all(*pair, {"1", "2", "3", "4", "5"});
  EXPECT_EQ(peer_got(a), (strings{"3", "4", "5"}));
  EXPECT_EQ(pair->drops().hwm, 2u);
}

TEST(DropOldestHelper, ARingNotMadeDiscardableDropsTheNewMessageInstead) {
  auto a = make_hwm_pipe(1);
  message first{"first"}, second{"second"};
  ASSERT_EQ(push_dropping_oldest(*a, first), 0u);
  EXPECT_EQ(push_dropping_oldest(*a, second), 1u);
  EXPECT_EQ(a->dropped, 1u);
  EXPECT_EQ(peer_got(a), (strings{"first"}));
}

TEST(DropOldestHelper, DiscardOldestSaysWhenNothingIsQueued) {
  auto a = discardable(2);
  EXPECT_FALSE(discard_oldest(*a));
  message m{"x"};
  ASSERT_TRUE(a->outbound().try_push(m));
  EXPECT_TRUE(discard_oldest(*a)) << "a staged message counts";
  EXPECT_EQ(a->dropped, 1u);
  EXPECT_TRUE(peer_got(a).empty());
}
