// ROUTER routing ids on in-memory pipes: peer-chosen and generated ids, duplicates refused or
// handed over, detached peers leaving the table, and receive with the sender's id in front.
#include "patterns/pipe_peer.hpp"

#include "patterns/router_table.hpp"

#include <gtest/gtest.h>

using namespace cafmq;
using patterns::router_table;
using test::make_pipe;
using test::strings;

namespace {

using admission = router_table::admission;

TEST(RouterTable, PeerChosenIdRoutesToItsPipe) {
  router_table t{false};
  auto a = make_pipe("alice");
  auto b = make_pipe("bob");
  EXPECT_EQ(t.attach(a), admission::accepted);
  EXPECT_EQ(t.attach(b), admission::accepted);
  ASSERT_NE(t.find("alice"), nullptr);
  EXPECT_EQ(*t.find("alice"), a);
  EXPECT_EQ(*t.find("bob"), b);
  EXPECT_EQ(t.find("carol"), nullptr);
}

TEST(RouterTable, GeneratedIdsAreZeroThenBigEndianCounter) {
  router_table t{false, 0x01020304};
  auto a = make_pipe();
  auto b = make_pipe();
  t.attach(a);
  t.attach(b);
  EXPECT_EQ(t.id_of(*a), std::string("\0\x01\x02\x03\x04", 5));
  EXPECT_EQ(t.id_of(*b), std::string("\0\x01\x02\x03\x05", 5));
  EXPECT_EQ(*t.find(std::string("\0\x01\x02\x03\x05", 5)), b);
}

TEST(RouterTable, GeneratedIdSkipsOneAPeerAlreadyChose) {
  router_table t{false, 7};
  auto chooser = make_pipe(std::string("\0\0\0\0\x07", 5));
  auto anonymous = make_pipe();
  t.attach(chooser);
  t.attach(anonymous);
  EXPECT_EQ(t.id_of(*anonymous), std::string("\0\0\0\0\x08", 5));
  EXPECT_EQ(*t.find(std::string("\0\0\0\0\x07", 5)), chooser);
}

TEST(RouterTable, DuplicateIdIsRefusedWithoutHandover) {
  router_table t{false};
  auto first = make_pipe("same");
  auto second = make_pipe("same");
  t.attach(first);
  EXPECT_EQ(t.attach(second), admission::refused);
  EXPECT_TRUE(second->closed_by_user());
  EXPECT_FALSE(first->closed_by_user());
  EXPECT_EQ(*t.find("same"), first);
  EXPECT_EQ(t.size(), 1u);
}

TEST(RouterTable, HandoverClosesOldHolderAndGivesIdToNewcomer) {
  router_table t{true};
  auto first = make_pipe("same");
  auto second = make_pipe("same");
  t.attach(first);
  EXPECT_EQ(t.attach(second), admission::handed_over);
  EXPECT_TRUE(first->closed_by_user());
  EXPECT_FALSE(second->closed_by_user());
  EXPECT_EQ(*t.find("same"), second);
}

TEST(RouterTable, HandedOverPipeStillDeliversUnderAnotherId) {
  router_table t{true};
  auto first = make_pipe("same");
  t.attach(first);
  ASSERT_TRUE(test::peer_send(first, test::msg({"early"})));
  auto second = make_pipe("same");
  t.attach(second);
  message out;
  ASSERT_TRUE(t.try_recv(out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_NE(out[0].to_string(), "same");  // never mistaken for the new holder's message
  EXPECT_EQ(out[0].view().substr(0, 1), std::string_view("\0", 1));
  EXPECT_EQ(out[1].to_string(), "early");
}

TEST(RouterTable, DetachedPeerNoLongerRoutesAndItsIdIsFree) {
  router_table t{false};
  auto first = make_pipe("same");
  t.attach(first);
  first->detach();
  EXPECT_EQ(t.find("same"), nullptr);
  auto again = make_pipe("same");
  EXPECT_EQ(t.attach(again), admission::accepted);  // the reconnecting peer gets its id back
  EXPECT_FALSE(again->closed_by_user());
  EXPECT_EQ(*t.find("same"), again);
}

TEST(RouterTable, DetachedDrainedPeersAreForgotten) {
  router_table t{false};
  auto a = make_pipe("a");
  t.attach(a);
  ASSERT_TRUE(test::peer_send(a, test::msg({"last words"})));
  a->detach();
  message out;
  ASSERT_TRUE(t.try_recv(out));  // what it delivered is still read
  EXPECT_EQ(test::frames(out), (strings{"a", "last words"}));
  EXPECT_FALSE(t.try_recv(out));
  EXPECT_EQ(t.size(), 0u);
}

TEST(RouterTable, ReceiveIsFairQueuedWithSenderIdInFront) {
  router_table t{false};
  auto a = make_pipe("a");
  auto b = make_pipe("b");
  t.attach(a);
  t.attach(b);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(test::peer_send(a, test::msg({"from a"})));
  ASSERT_TRUE(test::peer_send(b, test::msg({"from b", "part 2"})));
  message out;
  ASSERT_TRUE(t.try_recv(out));
  EXPECT_EQ(test::frames(out), (strings{"a", "from a"}));
  ASSERT_TRUE(t.try_recv(out));
  EXPECT_EQ(test::frames(out), (strings{"b", "from b", "part 2"}));  // b is not starved by a
  ASSERT_TRUE(t.try_recv(out));
  EXPECT_EQ(test::frames(out), (strings{"a", "from a"}));
}

} // namespace
