// PUB/SUB and ROUTER/DEALER through the actor face (runtime/actor_socket.hpp), each socket an
// actor with its own receiver: subscriptions by message, routing ids in the first frame; and a
// REP served by an actor that takes each request against credit and answers with send_atom.
#include "support/actor_face.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

TEST(ActorSocketPatterns, SubSubscribesAndReceivesOnlyItsTopic) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg.set("scheduler.max-threads", 2)};
  context ctx{system};
  caf::scoped_actor self{system};
  auto pub = actor_socket::spawn(self.ptr(), ctx, socket_type::pub, test::no_linger());
  auto sub = actor_socket::spawn(self.ptr(), ctx, socket_type::sub, test::no_linger());
  auto ep = test::ask<std::string>(self, pub, bind_atom::value, std::string{"tcp://127.0.0.1:*"});
  ASSERT_TRUE(ep) << actor_error_text(ep.error());
  ASSERT_TRUE(test::ask<caf::ok_atom>(self, sub, caf::subscribe_atom::value, std::string{"A"}));
  ASSERT_TRUE(test::ask<caf::ok_atom>(self, sub, caf::connect_atom::value, *ep));
  self->send(sub, credit_atom::value, 100);
  // Subscriptions travel to the PUB: publish until the first wanted message comes through.
  test::collected got;
  test::deadline d{10000ms};
  while (got.items.empty() && !d.expired()) {
    test::ask<caf::ok_atom>(self, pub, send_atom::value, message{"B-unwanted"});
    test::ask<caf::ok_atom>(self, pub, send_atom::value, message{"A-probe"});
    test::collect(self, got, 1, 50ms);
  }
  ASSERT_FALSE(got.items.empty()) << "no subscription reached the PUB";
  for (int i = 0; i < 10; ++i) {
    test::ask<caf::ok_atom>(self, pub, send_atom::value, message{"B-" + std::to_string(i)});
    test::ask<caf::ok_atom>(self, pub, send_atom::value, message{"A-" + std::to_string(i)});
  }
  test::collect(self, got, 1000, 300ms);
  std::vector<std::string> numbered;
  for (auto& r : got.items) {
    auto text = r.msg[0].to_string();
    EXPECT_EQ(text[0], 'A') << "a filtered message was delivered: " << text;
    if (text != "A-probe")
      numbered.push_back(text);
  }
  ASSERT_EQ(numbered.size(), 10u);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(numbered[i], "A-" + std::to_string(i));

  ASSERT_TRUE(test::ask<caf::ok_atom>(self, sub, caf::unsubscribe_atom::value, std::string{"A"}));
  auto bad = test::ask<caf::ok_atom>(self, pub, caf::subscribe_atom::value, std::string{"A"});
  ASSERT_FALSE(bad) << "a PUB cannot subscribe";
  EXPECT_TRUE(is_error(bad.error(), actor_errc::socket_error)) << actor_error_text(bad.error());
}

TEST(ActorSocketPatterns, RouterAndDealerTalkThroughTheirActors) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg.set("scheduler.max-threads", 2)};
  context ctx;  // a context on its own actor system works the same
  caf::scoped_actor self{system};
  caf::scoped_actor dealer_side{system};
  auto router = actor_socket::spawn(self.ptr(), ctx, socket_type::router, test::no_linger());
  actor_socket_options to_dealer_side;
  to_dealer_side.receiver = caf::actor_cast<caf::actor>(dealer_side);
  socket_options o = test::no_linger();
  o.routing_id = "dealer-1";
  auto dealer = actor_socket::spawn(self.ptr(), ctx, socket_type::dealer, o, to_dealer_side);
  auto ep = test::ask<std::string>(self, router, bind_atom::value,
                                   std::string{"tcp://127.0.0.1:*"});
  ASSERT_TRUE(ep) << actor_error_text(ep.error());
  ASSERT_TRUE(test::ask<caf::ok_atom>(self, dealer, caf::connect_atom::value, *ep));
  self->send(router, credit_atom::value, 10);
  dealer_side->send(dealer, credit_atom::value, 10);
  auto hello = test::ask<caf::ok_atom>(self, dealer, send_atom::value, message{"hello"},
                                       caf::timespan{5s});
  ASSERT_TRUE(hello) << actor_error_text(hello.error());
  test::collected at_router;
  test::collect(self, at_router, 1, 5000ms);
  ASSERT_EQ(at_router.items.size(), 1u);
  EXPECT_EQ(test::frames_of(at_router.items[0].msg),
            (std::vector<std::string>{"dealer-1", "hello"}));
  ASSERT_TRUE(at_router.items[0].peer);
  EXPECT_EQ(at_router.items[0].peer->socket_type(), "DEALER");
  auto back = test::ask<caf::ok_atom>(self, router, send_atom::value,
                                      message{"dealer-1", "world"}, caf::timespan{5s});
  ASSERT_TRUE(back) << actor_error_text(back.error());
  test::collected at_dealer;
  test::collect(dealer_side, at_dealer, 1, 5000ms);
  ASSERT_EQ(at_dealer.items.size(), 1u);
  EXPECT_EQ(test::frames_of(at_dealer.items[0].msg), std::vector<std::string>{"world"});
}

TEST(ActorSocketPatterns, RepServesThroughItsActor) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg.set("scheduler.max-threads", 2)};
  context ctx{system};
  caf::scoped_actor self{system};
  auto rep = actor_socket::spawn(self.ptr(), ctx, socket_type::rep, test::no_linger());
  auto ep = test::ask<std::string>(self, rep, bind_atom::value, std::string{"tcp://127.0.0.1:*"});
  ASSERT_TRUE(ep) << actor_error_text(ep.error());
  socket req{ctx, socket_type::req, test::no_linger()};
  req.connect(*ep);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(req.send(message{"q" + std::to_string(i)}, 5000ms));
    self->send(rep, credit_atom::value, 1);
    test::collected got;
    test::collect(self, got, 1, 5000ms);
    ASSERT_EQ(got.items.size(), 1u) << "request " << i;
    EXPECT_EQ(got.items[0].msg[0].to_string(), "q" + std::to_string(i));
    auto answered = test::ask<caf::ok_atom>(self, rep, send_atom::value, message{"r"});
    ASSERT_TRUE(answered) << "a REP answers the request it got: "
                          << actor_error_text(answered.error());
    auto reply = req.recv(5000ms);
    ASSERT_TRUE(reply);
    EXPECT_EQ((*reply)[0].to_string(), "r");
  }
}

} // namespace
} // namespace cafmq
