// cafmq PUB-SUB against a real libzmq 4.3 peer (C API): PUB -> SUB both ways with cafmq binding or
// connecting, multipart; libzmq XPUB sees cafmq SUB's subscriptions and cancels; cafmq XPUB sees
// libzmq SUB's; and XSUB/XPUB proxies mixing the two libraries forward subscriptions upstream and
// messages downstream.
#include "interop/zmq_peer.hpp"
#include "support/deadline.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
namespace zmq = test::zmq;
using frames = std::vector<std::string>;

constexpr auto budget = 5000ms;

void zmq_subscribe(zmq::socket& s, const std::string& prefix, bool add = true) {
  if (zmq_setsockopt(s.get(), add ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE, prefix.data(), prefix.size()) != 0)
    zmq::fail("ZMQ_SUBSCRIBE");
}

// Sends `probe` through `send` until `received` yields it (a new subscription takes a moment to
// reach a publisher, and PUB drops what nobody has subscribed to yet).
template <class Send, class Recv>
bool until_delivered(Send&& send, Recv&& received) {
  return test::eventually([&] {
    send();
    return received(20ms);
  }, budget, 0ms);
}

class LibzmqPubSub : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(Roles, LibzmqPubSub, ::testing::Values(false, true),
                         [](const auto& i) { return i.param ? "CafmqBinds" : "CafmqConnects"; });

TEST_P(LibzmqPubSub, LibzmqPubToCafmqSubFiltersAndKeepsMultipart) {
  zmq::context zctx;
  context ctx;
  zmq::socket pub{zctx, ZMQ_PUB};
  socket sub{ctx, socket_type::sub, test::no_linger()};
  sub.subscribe("A");
  if (GetParam()) {
    sub.bind("tcp://127.0.0.1:*");
    pub.connect(sub.last_endpoint());
  } else {
    pub.bind("tcp://127.0.0.1:*");
    sub.connect(pub.last_endpoint());
  }
  ASSERT_TRUE(until_delivered([&] { pub.send({"A probe"}); },
                              [&](auto t) { return sub.recv(t).has_value(); }));
  while (sub.recv(0ms)) {
  }
  ASSERT_TRUE(pub.send({"B not for us"}));
  ASSERT_TRUE(pub.send({"A topic", "", test::patterned(70000, 3)}));
  auto m = sub.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(test::frames_of(*m), (frames{"A topic", "", test::patterned(70000, 3)}));
}

TEST_P(LibzmqPubSub, CafmqPubToLibzmqSubFiltersAndKeepsMultipart) {
  zmq::context zctx;
  context ctx;
  socket pub{ctx, socket_type::pub, test::no_linger()};
  zmq::socket sub{zctx, ZMQ_SUB};
  zmq_subscribe(sub, "A");
  if (GetParam()) {
    pub.bind("tcp://127.0.0.1:*");
    sub.connect(pub.last_endpoint());
  } else {
    sub.bind("tcp://127.0.0.1:*");
    pub.connect(sub.last_endpoint());
  }
  // libzmq handles a new peer when its socket is called: poll it while waiting.
  ASSERT_TRUE(test::eventually([&] { return !sub.recv(0ms) && pub.wait_subscribers(1, 0ms); }, budget));
  ASSERT_TRUE(pub.send(message{"B not for them"}, budget));
  ASSERT_TRUE(pub.send(message{"A topic", "", "end"}, budget));
  auto m = sub.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(*m, (frames{"A topic", "", "end"}));
}

TEST(LibzmqXpub, SeesCafmqSubSubscriptionsAndCancels) {
  zmq::context zctx;
  context ctx;
  zmq::socket xpub{zctx, ZMQ_XPUB};
  xpub.bind("tcp://127.0.0.1:*");
  socket sub{ctx, socket_type::sub, test::no_linger()};
  sub.connect(xpub.last_endpoint());
  sub.subscribe("topic");
  auto s = xpub.recv(budget);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(*s, frames{"\x01topic"});
  sub.unsubscribe("topic");
  auto c = xpub.recv(budget);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(*c, frames{std::string("\0topic", 6)});
}

TEST(CafmqXpub, SeesLibzmqSubSubscribeAndUnsubscribe) {
  zmq::context zctx;
  context ctx;
  socket xpub{ctx, socket_type::xpub, test::no_linger()};
  xpub.bind("tcp://127.0.0.1:*");
  zmq::socket sub{zctx, ZMQ_SUB};
  sub.connect(xpub.last_endpoint());
  zmq_subscribe(sub, "topic");
  auto s = xpub.recv(budget);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(test::frames_of(*s), frames{"\x01topic"});
  ASSERT_TRUE(xpub.send(message{"topic 1"}, budget));
  auto m = sub.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(*m, frames{"topic 1"});
  zmq_subscribe(sub, "topic", false);
  auto c = xpub.recv(budget);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(test::frames_of(*c), frames{std::string("\0topic", 6)});
}

// libzmq PUB -> cafmq XSUB | cafmq XPUB -> libzmq SUB, the proxy loop on its own thread.
TEST(MixedProxy, CafmqProxyBetweenLibzmqPublisherAndSubscriber) {
  zmq::context zctx;
  context ctx;
  zmq::socket pub{zctx, ZMQ_PUB};
  pub.bind("tcp://127.0.0.1:*");
  socket xsub{ctx, socket_type::xsub, test::no_linger()};
  socket xpub{ctx, socket_type::xpub, test::no_linger()};
  xsub.connect(pub.last_endpoint());
  xpub.bind("tcp://127.0.0.1:*");
  zmq::socket sub{zctx, ZMQ_SUB};
  sub.connect(xpub.last_endpoint());
  zmq_subscribe(sub, "news");
  std::atomic<bool> stop{false};
  std::thread proxy{[&] {
    while (!stop) {
      if (auto up = xpub.recv(2ms))
        xsub.send(std::move(*up), 100ms);
      if (auto down = xsub.recv(2ms))
        xpub.send(std::move(*down), 100ms);
    }
  }};
  bool delivered = until_delivered([&] { pub.send({"news", "probe"}); },
                                   [&](auto t) { return sub.recv(t).has_value(); });
  while (sub.recv(0ms)) {
  }
  pub.send({"sports", "x"});
  pub.send({"news", "flash", "3"});
  auto m = sub.recv(budget);
  stop = true;
  proxy.join();
  ASSERT_TRUE(delivered) << "the subscription never crossed the cafmq proxy";
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(*m, (frames{"news", "flash", "3"}));
}

// cafmq PUB -> libzmq XSUB | libzmq XPUB -> cafmq SUB, the libzmq proxy loop on its own thread.
TEST(MixedProxy, LibzmqProxyBetweenCafmqPublisherAndSubscriber) {
  zmq::context zctx;
  context ctx;
  socket pub{ctx, socket_type::pub, test::no_linger()};
  pub.bind("tcp://127.0.0.1:*");
  zmq::socket xsub{zctx, ZMQ_XSUB};
  zmq::socket xpub{zctx, ZMQ_XPUB};
  xsub.connect(pub.last_endpoint());
  xpub.bind("tcp://127.0.0.1:*");
  socket sub{ctx, socket_type::sub, test::no_linger()};
  sub.subscribe("news");
  sub.connect(xpub.last_endpoint());
  std::atomic<bool> stop{false};
  std::thread proxy{[&] {
    while (!stop) {
      if (auto up = xpub.recv(2ms))
        xsub.send(*up);
      if (auto down = xsub.recv(2ms))
        xpub.send(*down);
    }
  }};
  bool subscribed = pub.wait_subscribers(1, budget);
  bool delivered = subscribed && until_delivered([&] { pub.send(message{"news", "probe"}, budget); },
                                                 [&](auto t) { return sub.recv(t).has_value(); });
  while (sub.recv(0ms)) {
  }
  pub.send(message{"sports", "x"}, budget);
  pub.send(message{"news", "flash", "3"}, budget);
  auto m = sub.recv(budget);
  stop = true;
  proxy.join();
  ASSERT_TRUE(subscribed) << "the subscription never crossed the libzmq proxy";
  ASSERT_TRUE(delivered);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(test::frames_of(*m), (frames{"news", "flash", "3"}));
}

} // namespace
} // namespace cafmq
