// RFC 29 PUB-SUB between cafmq sockets over tcp, both bind/connect roles: prefix filtering,
// counted subscriptions, multipart, per-subscriber drops for a slow subscriber, subscriptions
// resent after the publisher restarts, wait_subscribers, and the XPUB options.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;

constexpr auto budget = 5000ms;

std::string first_frame(const std::optional<message>& m) {
  return m ? (*m)[0].to_string() : std::string("<nothing>");
}

// A publisher and a subscriber joined over tcp, with either side binding; the subscriber holds
// `prefix` and the publisher has seen it when the constructor returns.
struct linked {
  context ctx;
  socket pub;
  socket sub;
  linked(bool sub_binds, socket_type pub_type = socket_type::pub, socket_options po = test::no_linger(),
         socket_options so = test::no_linger())
    : pub(ctx, pub_type, po), sub(ctx, socket_type::sub, so) {
    if (sub_binds) {
      sub.bind("tcp://127.0.0.1:*");
      pub.connect(sub.last_endpoint());
    } else {
      pub.bind("tcp://127.0.0.1:*");
      sub.connect(pub.last_endpoint());
    }
  }
  // Like libzmq, a socket takes in new peers when its user calls it: a bound SUB sends its
  // subscriptions to a publisher that connected once it is asked to receive.
  void subscribed(std::string_view prefix) {
    sub.subscribe(prefix);
    ASSERT_TRUE(test::eventually([&] { return !sub.recv(0ms) && pub.wait_subscribers(1, 0ms); }, budget))
      << "the subscription never reached the publisher";
  }
};

class PubSubRoles : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(BindOrConnect, PubSubRoles, ::testing::Values(false, true),
                         [](const auto& i) { return i.param ? "SubBinds" : "PubBinds"; });

TEST_P(PubSubRoles, Rfc29PubShallPerformABinaryComparisonOfTheSubscriptionAgainstTheFirstFrame) {
  linked l{GetParam()};
  l.subscribed(std::string("ne\0ws", 5));
  ASSERT_TRUE(l.pub.send(message{"weather"}, budget));
  ASSERT_TRUE(l.pub.send(message{std::string("ne\0ws: a", 8)}, budget));
  ASSERT_TRUE(l.pub.send(message{std::string("ne\0w", 4)}, budget));
  ASSERT_TRUE(l.pub.send(message{std::string("ne\0ws: b", 8)}, budget));
  EXPECT_EQ(first_frame(l.sub.recv(budget)), std::string("ne\0ws: a", 8));
  EXPECT_EQ(first_frame(l.sub.recv(budget)), std::string("ne\0ws: b", 8));
}

TEST_P(PubSubRoles, Rfc23EmptySubscriptionShallMatchAllMessages) {
  linked l{GetParam()};
  l.subscribed("");
  ASSERT_TRUE(l.pub.send(message{"x"}, budget));
  ASSERT_TRUE(l.pub.send(message{""}, budget));
  EXPECT_EQ(first_frame(l.sub.recv(budget)), "x");
  EXPECT_EQ(first_frame(l.sub.recv(budget)), "");
}

TEST_P(PubSubRoles, MultipartMessageArrivesWhole) {
  linked l{GetParam()};
  l.subscribed("t");
  message sent{"topic", "", std::string(100000, 'b'), "end"};
  ASSERT_TRUE(l.pub.send(sent, budget));
  auto m = l.sub.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(*m, sent);
}

TEST_P(PubSubRoles, Rfc23SubscriptionsShallBeAdditiveAndNotIdempotent) {
  linked l{GetParam()};
  l.subscribed("A");
  l.sub.subscribe("A");
  l.sub.unsubscribe("A");
  ASSERT_TRUE(l.pub.send(message{"A1"}, budget));
  EXPECT_EQ(first_frame(l.sub.recv(budget)), "A1") << "one of two subscriptions still holds";
  l.sub.unsubscribe("A");
  ASSERT_TRUE(test::eventually([&] { return l.pub.wait_subscribers(1, 0ms) == false; }, budget))
    << "the last cancel never reached the publisher";
  ASSERT_TRUE(l.pub.send(message{"A2"}, budget));
  l.sub.subscribe("B");
  ASSERT_TRUE(test::eventually([&] { return l.pub.wait_subscribers(1, 0ms); }, budget));
  ASSERT_TRUE(l.pub.send(message{"B1"}, budget));
  EXPECT_EQ(first_frame(l.sub.recv(budget)), "B1") << "A2 was sent while nobody held A";
}

TEST(Rfc29Pub, ShallSilentlyDropTheMessageIfTheQueueForASubscriberIsFull) {
  context ctx;
  socket_options po = test::no_linger();
  po.sndhwm = 100;
  socket pub{ctx, socket_type::pub, po};
  pub.bind("tcp://127.0.0.1:*");
  socket_options so = test::no_linger();
  so.rcvhwm = 10;
  socket slow{ctx, socket_type::sub, so};
  socket fast{ctx, socket_type::sub, test::no_linger()};
  slow.connect(pub.last_endpoint());
  fast.connect(pub.last_endpoint());
  slow.subscribe("");
  fast.subscribe("");
  ASSERT_TRUE(pub.wait_subscribers(2, budget));
  // 32 MiB in batches the fast subscriber reads before the next: more than the slow one's rings
  // and socket buffers can hold, so the publisher must drop for it, and never for the fast one.
  constexpr uint64_t batches = 40, per_batch = 50;
  uint64_t got = 0;
  for (uint64_t b = 0; b < batches; ++b) {
    for (uint64_t i = 0; i < per_batch; ++i)
      ASSERT_TRUE(pub.send(test::sequenced(b * per_batch + i, 16384), 0ms)) << "PUB must never block";
    for (uint64_t i = 0; i < per_batch; ++i) {
      auto m = fast.recv(budget);
      ASSERT_TRUE(m.has_value()) << "the fast subscriber lost message " << got;
      ASSERT_EQ(test::sequence_of(*m), got++);
      ASSERT_TRUE(test::pattern_intact(*m));
    }
  }
  EXPECT_EQ(got, batches * per_batch);
  EXPECT_GT(pub.messages_dropped(), 0u) << "the slow subscriber never filled its queue";
}

TEST(Rfc29Sub, SubscriptionsAreResentWhenThePublisherRestarts) {
  context ctx;
  auto port = test::free_tcp_port();
  auto ep = test::local_endpoint(port);
  socket sub{ctx, socket_type::sub, test::no_linger()};
  sub.subscribe("keep");
  {
    socket pub{ctx, socket_type::pub, test::no_linger()};
    pub.bind(ep);
    sub.connect(ep);
    ASSERT_TRUE(pub.wait_subscribers(1, budget));
    ASSERT_TRUE(pub.send(message{"keep 1"}, budget));
    EXPECT_EQ(first_frame(sub.recv(budget)), "keep 1");
  }
  socket pub{ctx, socket_type::pub, test::no_linger()};
  ASSERT_TRUE(test::eventually([&] {
    try {
      pub.bind(ep);
      return true;
    } catch (const error&) {
      return false;
    }
  }, budget)) << "could not bind " << ep << " again";
  // The SUB reconnects on its own; its user thread (here the poll's recv) resends the subscriptions.
  ASSERT_TRUE(test::eventually([&] { return !sub.recv(0ms) && pub.wait_subscribers(1, 0ms); }, budget))
    << "the SUB did not resubscribe after reconnecting";
  ASSERT_TRUE(pub.send(message{"keep 2"}, budget));
  EXPECT_EQ(first_frame(sub.recv(budget)), "keep 2");
}

TEST(WaitSubscribers, TrueOnceEnoughPeersSubscribedFalseOnTimeout) {
  context ctx;
  socket pub{ctx, socket_type::pub, test::no_linger()};
  pub.bind("tcp://127.0.0.1:*");
  auto start = test::clock::now();
  EXPECT_FALSE(pub.wait_subscribers(1, 100ms));
  EXPECT_GE(test::elapsed_ms(start), 100);
  socket a{ctx, socket_type::sub, test::no_linger()};
  socket b{ctx, socket_type::sub, test::no_linger()};
  a.connect(pub.last_endpoint());
  b.connect(pub.last_endpoint());
  a.subscribe("x");
  EXPECT_FALSE(pub.wait_subscribers(2, 200ms)) << "only one peer has subscribed";
  std::thread later{[&] { b.subscribe(""); }};
  later.join();
  EXPECT_TRUE(pub.wait_subscribers(2, budget));
}

// -- XPUB --

struct xpub_with_two_subs {
  context ctx;
  socket xpub;
  socket a{ctx, socket_type::sub, test::no_linger()};
  socket b{ctx, socket_type::sub, test::no_linger()};
  explicit xpub_with_two_subs(socket_options o) : xpub(ctx, socket_type::xpub, o) {
    xpub.bind("tcp://127.0.0.1:*");
    a.connect(xpub.last_endpoint());
    b.connect(xpub.last_endpoint());
  }
  // What the XPUB user receives within `wait` (stops at the first gap).
  std::vector<std::string> received(std::chrono::milliseconds wait) {
    std::vector<std::string> out;
    while (auto m = xpub.recv(wait))
      out.push_back((*m)[0].to_string());
    return out;
  }
};

socket_options xpub_opts(bool verbose, bool verboser) {
  auto o = test::no_linger();
  o.xpub_verbose = verbose;
  o.xpub_verboser = verboser;
  return o;
}

TEST(Rfc29Xpub, ShallDeliverSubscriptionsNormalizedToOneCommandByDefault) {
  xpub_with_two_subs x{xpub_opts(false, false)};
  x.a.subscribe("A");
  ASSERT_EQ(first_frame(x.xpub.recv(budget)), "\x01" "A");
  x.b.subscribe("A");
  ASSERT_TRUE(x.xpub.wait_subscribers(2, budget));
  x.a.unsubscribe("A");
  x.b.unsubscribe("A");
  EXPECT_EQ(first_frame(x.xpub.recv(budget)), std::string("\0A", 2)) << "the duplicate subscribe was passed up";
}

TEST(Rfc29Xpub, VerboseDeliversEverySubscribeVerboserEveryCancel) {
  for (bool verboser : {false, true}) {
    xpub_with_two_subs x{xpub_opts(true, verboser)};
    x.a.subscribe("A");
    EXPECT_EQ(first_frame(x.xpub.recv(budget)), "\x01" "A");
    x.b.subscribe("A");
    EXPECT_EQ(first_frame(x.xpub.recv(budget)), "\x01" "A");
    x.a.unsubscribe("A");
    if (verboser) {
      EXPECT_EQ(first_frame(x.xpub.recv(budget)), std::string("\0A", 2));
    }
    x.b.unsubscribe("A");
    EXPECT_EQ(first_frame(x.xpub.recv(budget)), std::string("\0A", 2));
  }
}

TEST(Rfc29Xpub, ShallGenerateAnUnsubscribeWhenASubscriberDisconnects) {
  xpub_with_two_subs x{xpub_opts(false, false)};
  x.a.subscribe("gone");
  EXPECT_EQ(first_frame(x.xpub.recv(budget)), "\x01gone");
  x.a.close();
  EXPECT_EQ(first_frame(x.xpub.recv(budget)), std::string("\0gone", 5));
}

TEST(Rfc29Xpub, ManualSubscriptionsApplyOnlyWhenTheUserSaysSo) {
  auto o = test::no_linger();
  o.xpub_manual = true;
  xpub_with_two_subs x{o};
  x.a.subscribe("A");
  EXPECT_EQ(first_frame(x.xpub.recv(budget)), "\x01" "A");
  ASSERT_TRUE(x.xpub.send(message{"A1"}, budget));  // not applied yet: nobody gets it
  x.xpub.subscribe("A");
  ASSERT_TRUE(x.xpub.send(message{"A2"}, budget));
  EXPECT_EQ(first_frame(x.a.recv(budget)), "A2");
}

TEST(Rfc29Xpub, WelcomeMessageReachesEachNewSubscriber) {
  auto o = test::no_linger();
  o.xpub_welcome_msg = "W";
  context ctx;
  socket xpub{ctx, socket_type::xpub, o};
  xpub.bind("tcp://127.0.0.1:*");
  socket sub{ctx, socket_type::sub, test::no_linger()};
  sub.subscribe("W");
  sub.connect(xpub.last_endpoint());
  EXPECT_EQ(first_frame(xpub.recv(budget)), "\x01W");  // the XPUB takes the new peer in
  EXPECT_EQ(first_frame(sub.recv(budget)), "W");
}

TEST(Rfc29Xpub, NodropMakesSendWouldBlockAndResumeWhenTheSubscriberReads) {
  auto o = test::no_linger();
  o.xpub_nodrop = true;
  o.sndhwm = 10;
  context ctx;
  socket xpub{ctx, socket_type::xpub, o};
  xpub.bind("tcp://127.0.0.1:*");
  auto so = test::no_linger();
  so.rcvhwm = 10;
  socket sub{ctx, socket_type::sub, so};
  sub.connect(xpub.last_endpoint());
  sub.subscribe("");
  ASSERT_EQ(first_frame(xpub.recv(budget)), "\x01");
  uint64_t sent = 0;
  while (sent < 100000 && xpub.send(test::sequenced(sent, 65536), 0ms))
    ++sent;
  ASSERT_LT(sent, 100000u) << "send never reported would-block";
  EXPECT_EQ(xpub.messages_dropped(), 0u);
  std::atomic<uint64_t> got{0};
  std::thread reader{[&] {
    while (got <= sent) {
      auto m = sub.recv(budget);
      if (!m || test::sequence_of(*m) != got)
        return;
      ++got;
    }
  }};
  bool resumed = xpub.send(test::sequenced(sent, 65536), budget);
  reader.join();
  EXPECT_TRUE(resumed) << "send stayed blocked while the subscriber read";
  EXPECT_EQ(got.load(), sent + 1) << "a message was lost or reordered";
}

} // namespace
} // namespace cafmq
