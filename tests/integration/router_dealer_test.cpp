// RFC 28 DEALER and ROUTER between cafmq sockets over tcp: identities chosen by the peer,
// generated and given by connect; unroutable messages (dropped, or host_unreachable with
// router_mandatory); duplicate identities refused or handed over; probe_router; a DEALER
// load-balancing over several ROUTERs.
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <set>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;
using strings = std::vector<std::string>;

constexpr auto budget = 5000ms;

socket_options opts(std::string routing_id = {}) {
  auto o = test::no_linger();
  o.routing_id = std::move(routing_id);
  return o;
}

void link(socket& a, socket& b, bool a_binds) {
  socket& binder = a_binds ? a : b;
  socket& connecter = a_binds ? b : a;
  binder.bind("tcp://127.0.0.1:*");
  connecter.connect(binder.last_endpoint());
}

// Sends with router_mandatory until the ROUTER knows the peer (host_unreachable until then).
bool send_when_routable(socket& router, const message& m) {
  return test::eventually([&] {
    try {
      return router.send(m, 0ms);
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::host_unreachable);
      return false;
    }
  }, budget);
}

socket_options mandatory() {
  auto o = opts();
  o.router_mandatory = true;
  return o;
}

class RouterDealerRoles : public ::testing::TestWithParam<bool> {};

TEST_P(RouterDealerRoles, ShallPrefixIncomingMessagesWithPeerIdentityAndRouteReplies) {
  context ctx;
  socket router{ctx, socket_type::router, opts()};
  socket dealer{ctx, socket_type::dealer, opts("dealer-1")};
  link(router, dealer, GetParam());
  ASSERT_TRUE(dealer.send(message{"hello", "world"}, budget));
  auto m = router.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(frames_of(*m), (strings{"dealer-1", "hello", "world"}));
  ASSERT_TRUE(router.send(message{"dealer-1", "back", ""}, budget));
  auto r = dealer.recv(budget);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(frames_of(*r), (strings{"back", ""}));  // the routing frame was removed
}

INSTANTIATE_TEST_SUITE_P(Both, RouterDealerRoles, ::testing::Bool(),
                         [](const auto& i) { return i.param ? "RouterBinds" : "DealerBinds"; });

TEST(Rfc28Router, GeneratesIdsForAnonymousPeersAndRoutesBackByThem) {
  context ctx;
  socket router{ctx, socket_type::router, opts()};
  router.bind("tcp://127.0.0.1:*");
  socket a{ctx, socket_type::dealer, opts()}, b{ctx, socket_type::dealer, opts()};
  a.connect(router.last_endpoint());
  b.connect(router.last_endpoint());
  ASSERT_TRUE(a.send(message{"from a"}, budget));
  ASSERT_TRUE(b.send(message{"from b"}, budget));
  std::map<std::string, std::string> id_of;
  for (int i = 0; i < 2; ++i) {
    auto m = router.recv(budget);
    ASSERT_TRUE(m.has_value());
    ASSERT_EQ(m->size(), 2u);
    auto id = (*m)[0].to_string();
    EXPECT_EQ(id.size(), 5u);
    EXPECT_EQ(id[0], '\0') << "generated ids start with a zero byte";
    id_of[(*m)[1].to_string()] = id;
  }
  ASSERT_EQ(id_of.size(), 2u);
  EXPECT_NE(id_of["from a"], id_of["from b"]);
  ASSERT_TRUE(router.send(message{id_of["from b"], "to b"}, budget));
  ASSERT_TRUE(router.send(message{id_of["from a"], "to a"}, budget));
  EXPECT_EQ(frames_of(*a.recv(budget)), strings{"to a"});
  EXPECT_EQ(frames_of(*b.recv(budget)), strings{"to b"});
}

TEST(Rfc28Router, ConnectRoutingIdNamesTheConnectedPeer) {
  context ctx;
  socket dealer{ctx, socket_type::dealer, opts("ignored-own-id")};
  dealer.bind("tcp://127.0.0.1:*");
  socket router{ctx, socket_type::router, mandatory()};
  router.set_connect_routing_id("backend-7");
  router.connect(dealer.last_endpoint());
  ASSERT_TRUE(send_when_routable(router, message{"backend-7", "job"}));
  auto m = dealer.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(frames_of(*m), strings{"job"});
  ASSERT_TRUE(dealer.send(message{"done"}, budget));
  auto r = router.recv(budget);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(frames_of(*r), (strings{"backend-7", "done"}));
}

TEST(Rfc28Router, ShallSilentlyDropUnroutableMessagesAndCountThem) {
  context ctx;
  socket router{ctx, socket_type::router, opts()};
  router.bind("tcp://127.0.0.1:*");
  EXPECT_TRUE(router.send(message{"nobody", "x"}, 0ms)) << "a ROUTER never blocks";
  EXPECT_EQ(router.messages_dropped(), 1u);
}

TEST(Rfc28Router, MandatoryUnroutableThrowsHostUnreachableNamingTheId) {
  context ctx;
  socket router{ctx, socket_type::router, mandatory()};
  router.bind("tcp://127.0.0.1:*");
  try {
    router.send(message{std::string("no\x01one", 6), "x"}, 0ms);
    ADD_FAILURE() << "expected host_unreachable";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::host_unreachable);
    EXPECT_NE(std::string(e.what()).find("no\\x01one"), std::string::npos) << e.what();
  }
  EXPECT_EQ(router.messages_dropped(), 0u);
}

TEST(Rfc28Router, DuplicateIdentityIsRefusedWithoutHandover) {
  context ctx;
  socket router{ctx, socket_type::router, opts()};
  router.bind("tcp://127.0.0.1:*");
  auto once = opts("dup");
  once.reconnect_ivl_ms = -1;  // a refused peer stays away
  socket first{ctx, socket_type::dealer, once}, second{ctx, socket_type::dealer, once};
  first.connect(router.last_endpoint());
  ASSERT_TRUE(first.send(message{"first"}, budget));
  EXPECT_EQ(frames_of(*router.recv(budget)), (strings{"dup", "first"}));
  second.connect(router.last_endpoint());
  ASSERT_TRUE(second.send(message{"second"}, budget));
  EXPECT_FALSE(router.recv(300ms).has_value()) << "the second 'dup' was heard";
  ASSERT_TRUE(router.send(message{"dup", "to the first"}, budget));
  auto m = first.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(frames_of(*m), strings{"to the first"});
}

TEST(Rfc28Router, HandoverGivesTheIdentityToTheNewPeer) {
  context ctx;
  auto o = opts();
  o.router_handover = true;
  socket router{ctx, socket_type::router, o};
  router.bind("tcp://127.0.0.1:*");
  auto once = opts("dup");
  once.reconnect_ivl_ms = -1;  // the replaced peer does not come back to take over again
  socket first{ctx, socket_type::dealer, once}, second{ctx, socket_type::dealer, once};
  first.connect(router.last_endpoint());
  ASSERT_TRUE(first.send(message{"first"}, budget));
  EXPECT_EQ(frames_of(*router.recv(budget)), (strings{"dup", "first"}));
  second.connect(router.last_endpoint());
  ASSERT_TRUE(second.send(message{"second"}, budget));
  EXPECT_EQ(frames_of(*router.recv(budget)), (strings{"dup", "second"}));
  ASSERT_TRUE(router.send(message{"dup", "to the new one"}, budget));
  auto m = second.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(frames_of(*m), strings{"to the new one"});
  EXPECT_FALSE(first.recv(200ms).has_value());
}

TEST(Rfc28Router, ProbeRouterAnnouncesTheDealerWithAnEmptyMessage) {
  context ctx;
  socket router{ctx, socket_type::router, opts()};
  router.bind("tcp://127.0.0.1:*");
  auto o = opts("prober");
  o.probe_router = true;
  socket dealer{ctx, socket_type::dealer, o};
  dealer.connect(router.last_endpoint());
  // The dealer only waits to be spoken to (pipes are taken in when the socket runs: any call).
  EXPECT_FALSE(dealer.recv(0ms).has_value());
  auto m = router.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(frames_of(*m), (strings{"prober", ""}));
  ASSERT_TRUE(router.send(message{"prober", "welcome"}, budget));
  auto w = dealer.recv(budget);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(frames_of(*w), strings{"welcome"});
}

TEST(Rfc28Router, ProbeRouterOnARouterAnnouncesItselfToTheRouterItConnectsTo) {
  context ctx;
  socket server{ctx, socket_type::router, opts()};
  server.bind("tcp://127.0.0.1:*");
  auto o = opts("client-router");
  o.probe_router = true;
  socket client{ctx, socket_type::router, o};
  client.connect(server.last_endpoint());
  // The client ROUTER takes its peer in once it runs and has heard the handshake.
  std::optional<message> m;
  ASSERT_TRUE(test::eventually([&] {
    client.recv(0ms);
    return (m = server.recv(1ms)).has_value();
  }, budget));
  EXPECT_EQ(frames_of(*m), (strings{"client-router", ""}));
}

TEST(Rfc28Dealer, ShallRouteRoundRobinOverSeveralRoutersAndFairQueueReplies) {
  context ctx;
  socket dealer{ctx, socket_type::dealer, opts("d")};
  std::vector<std::unique_ptr<socket>> routers;
  for (int i = 0; i < 2; ++i) {
    routers.push_back(std::make_unique<socket>(ctx, socket_type::router, opts()));
    routers.back()->bind("tcp://127.0.0.1:*");
    dealer.connect(routers.back()->last_endpoint());
  }
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(dealer.send(message{std::to_string(i)}, budget));
  for (int r = 0; r < 2; ++r) {
    for (int k = 0; k < 2; ++k) {
      auto m = routers[r]->recv(budget);
      ASSERT_TRUE(m.has_value()) << "router " << r;
      EXPECT_EQ(frames_of(*m), (strings{"d", std::to_string(r + 2 * k)}));
    }
    EXPECT_FALSE(routers[r]->recv(0ms).has_value());
    ASSERT_TRUE(routers[r]->send(message{"d", "reply from " + std::to_string(r)}, budget));
  }
  std::set<std::string> replies;
  for (int i = 0; i < 2; ++i) {
    auto m = dealer.recv(budget);
    ASSERT_TRUE(m.has_value());
    replies.insert((*m)[0].to_string());
  }
  EXPECT_EQ(replies, (std::set<std::string>{"reply from 0", "reply from 1"}));
}

TEST(Rfc28Dealer, ShallBlockOnSendingWhenItHasNoPeers) {
  context ctx;
  socket dealer{ctx, socket_type::dealer, opts()};
  dealer.bind("tcp://127.0.0.1:*");
  EXPECT_FALSE(dealer.send(message{"x"}, 0ms));
}

} // namespace
} // namespace cafmq
