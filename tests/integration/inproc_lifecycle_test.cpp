// inproc:// lifecycle (libzmq 4.x semantics, docs/transports.md): connect before bind,
// HWMs of both sides, close with and without linger, unbind and rebind, a name bound twice,
// name limits, monitor events, describe(), and readiness through a poller.
#include "support/events.hpp"
#include "support/messages.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::frames_of;

constexpr auto budget = 5000ms;

socket_options hwm(size_t snd, size_t rcv) {
  auto o = test::no_linger();
  o.sndhwm = snd;
  o.rcvhwm = rcv;
  return o;
}

// Sends until a send would block; returns how many went.
size_t fill(socket& s) {
  size_t n = 0;
  while (n < 100000 && s.send(message{test::sequenced(n)}, 0ms))
    ++n;
  return n;
}

TEST(InprocLifecycle, MessagesSentBeforeTheBindArriveOnceBound) {
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect("inproc://later");
  for (uint64_t i = 0; i < 10; ++i)
    ASSERT_TRUE(push.send(test::sequenced(i), budget));
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.bind("inproc://later");
  for (uint64_t i = 0; i < 10; ++i) {
    auto m = pull.recv(budget);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(test::sequence_of(*m), i);
  }
}

TEST(InprocLifecycle, QueueHoldsTheSendersSndhwmPlusTheReceiversRcvhwm) {
  context ctx;
  socket pull{ctx, socket_type::pull, hwm(1000, 30)};
  socket push{ctx, socket_type::push, hwm(20, 1000)};
  pull.bind("inproc://hwm");
  push.connect("inproc://hwm");
  EXPECT_EQ(fill(push), 50u);  // 20 + 30, as libzmq sizes an inproc pipe
  ASSERT_TRUE(pull.recv(budget).has_value());
  EXPECT_TRUE(push.send(message{"room again"}, budget));
}

TEST(InprocLifecycle, BeforeTheBindOnlyTheConnectorsOwnHwmCounts) {
  context ctx;
  socket push{ctx, socket_type::push, hwm(20, 1000)};
  push.connect("inproc://early-hwm");
  EXPECT_EQ(fill(push), 20u);
  socket pull{ctx, socket_type::pull, hwm(1000, 30)};
  pull.bind("inproc://early-hwm");
  size_t got = 0;
  while (pull.recv(got < 20 ? budget : 50ms))
    ++got;
  EXPECT_EQ(got, 20u);
}

TEST(InprocLifecycle, BindersSendsQueueUpToItsSndhwmPlusTheConnectorsRcvhwm) {
  context ctx;
  socket push{ctx, socket_type::push, hwm(7, 1000)};
  socket pull{ctx, socket_type::pull, hwm(1000, 5)};
  push.bind("inproc://hwm-back");
  pull.connect("inproc://hwm-back");
  EXPECT_EQ(fill(push), 12u);
}

TEST(InprocLifecycle, MessagesQueuedBeforeCloseAreStillDelivered) {
  for (int linger : {0, 1000}) {
    context ctx;
    socket pull{ctx, socket_type::pull, test::no_linger()};
    pull.bind("inproc://close");
    {
      auto o = test::no_linger();
      o.linger_ms = linger;
      socket push{ctx, socket_type::push, o};
      push.connect("inproc://close");
      for (uint64_t i = 0; i < 5; ++i)
        ASSERT_TRUE(push.send(test::sequenced(i), budget));
      auto start = std::chrono::steady_clock::now();
      EXPECT_EQ(push.close(), 0u) << "nothing is discarded: the messages are in the peer's queue";
      EXPECT_LT(std::chrono::steady_clock::now() - start, 2s) << "close waits for nothing";
    }
    for (uint64_t i = 0; i < 5; ++i) {
      auto m = pull.recv(budget);
      ASSERT_TRUE(m.has_value()) << "linger " << linger;
      EXPECT_EQ(test::sequence_of(*m), i);
    }
  }
}

TEST(InprocLifecycle, UnboundConnectorLingersForABinderThenDiscards) {
  context ctx;
  auto o = test::no_linger();
  o.linger_ms = 100;
  socket push{ctx, socket_type::push, o};
  push.connect("inproc://nobody");
  ASSERT_TRUE(push.send(message{"unheard"}, budget));
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(push.close(), 1u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 90ms);
}

TEST(InprocLifecycle, SecondBindOfANameFailsNamingIt) {
  context ctx;
  socket a{ctx, socket_type::pull, test::no_linger()};
  socket b{ctx, socket_type::pull, test::no_linger()};
  a.bind("inproc://taken");
  try {
    b.bind("inproc://taken");
    FAIL() << "bound twice";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::address_in_use);
    EXPECT_NE(std::string(e.what()).find("inproc://taken"), std::string::npos) << e.what();
  }
  context other;  // names are per context
  socket c{other, socket_type::pull, test::no_linger()};
  EXPECT_NO_THROW(c.bind("inproc://taken"));
}

TEST(InprocLifecycle, NameLimits) {
  context ctx;
  socket s{ctx, socket_type::pull, test::no_linger()};
  EXPECT_NO_THROW(s.bind("inproc://" + std::string(max_inproc_name, 'n')));
  for (auto bad : {std::string("inproc://"), "inproc://" + std::string(max_inproc_name + 1, 'n')}) {
    try {
      s.bind(bad);
      FAIL() << "bound " << bad;
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_endpoint) << e.what();
    }
    EXPECT_THROW(s.connect(bad), error);
  }
}

TEST(InprocLifecycle, UnbindDetachesAndARebindPairsTheConnectorAgain) {
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  auto pull = std::make_unique<socket>(ctx, socket_type::pull, test::no_linger());
  pull->bind("inproc://again");
  push.connect("inproc://again");
  ASSERT_TRUE(push.send(message{"one"}, budget));
  ASSERT_TRUE(pull->recv(budget).has_value());
  pull->unbind("inproc://again");
  EXPECT_THROW(pull->unbind("inproc://again"), error);
  socket pull2{ctx, socket_type::pull, test::no_linger()};
  pull2.bind("inproc://again");  // the name is free
  ASSERT_TRUE(push.send(message{"two"}, budget));
  auto m = pull2.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(frames_of(*m), std::vector<std::string>{"two"});
  pull2.close();  // the binder closes: the connector waits for the next one
  socket pull3{ctx, socket_type::pull, test::no_linger()};
  pull3.bind("inproc://again");
  ASSERT_TRUE(push.send(message{"three"}, budget));
  m = pull3.recv(budget);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(frames_of(*m), std::vector<std::string>{"three"});
}

TEST(InprocLifecycle, DisconnectEndsTheLink) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  socket push{ctx, socket_type::push, test::no_linger()};
  pull.bind("inproc://dc");
  push.connect("inproc://dc");
  ASSERT_TRUE(push.send(message{"before"}, budget));
  push.disconnect("inproc://dc");
  EXPECT_THROW(push.disconnect("inproc://dc"), error);
  EXPECT_TRUE(pull.recv(budget).has_value()) << "what reached the peer is still delivered";
  EXPECT_FALSE(push.send(message{"after"}, 50ms)) << "no peer left";
}

TEST(InprocLifecycle, MonitorEventsAndDescribe) {
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  socket push{ctx, socket_type::push, test::no_linger()};
  auto binder_events = pull.monitor();
  auto connector_events = push.monitor();
  pull.bind("inproc://watched");
  push.connect("inproc://watched");
  EXPECT_TRUE(test::next_event(binder_events, event_kind::listening, budget));
  EXPECT_TRUE(test::next_event(binder_events, event_kind::accepted, budget));
  auto ok = test::next_event(binder_events, event_kind::handshake_succeeded, budget);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->endpoint, "inproc://watched");
  EXPECT_TRUE(test::next_event(connector_events, event_kind::connected, budget));
  EXPECT_TRUE(test::next_event(connector_events, event_kind::handshake_succeeded, budget));
  auto tree = to_text(pull.describe());
  EXPECT_NE(tree.find("inproc://watched"), std::string::npos) << tree;
  tree = to_text(push.describe());
  EXPECT_NE(tree.find("connector inproc://watched"), std::string::npos) << tree;
  pull.close();
  EXPECT_TRUE(test::next_event(connector_events, event_kind::disconnected, budget));
}

TEST(InprocLifecycle, PollerSeesReadinessOfInprocSockets) {
  context ctx;
  socket a{ctx, socket_type::pull, test::no_linger()};
  socket b{ctx, socket_type::pull, test::no_linger()};
  socket to_a{ctx, socket_type::push, test::no_linger()};
  socket to_b{ctx, socket_type::push, test::no_linger()};
  a.bind("inproc://poll-a");
  b.bind("inproc://poll-b");
  to_a.connect("inproc://poll-a");
  to_b.connect("inproc://poll-b");
  poller p;
  p.add(a, poll_in);
  p.add(b, poll_in);
  EXPECT_TRUE(p.wait(20ms).empty());
  std::thread sender([&] {
    to_b.send(message{"b"}, budget);
  });
  auto ready = p.wait(budget);
  sender.join();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].sock, &b);
  EXPECT_TRUE(b.recv(0ms).has_value());
  ASSERT_TRUE(to_a.send(message{"a"}, budget));
  ready = p.wait(budget);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].sock, &a);
  p.remove(a);
  p.remove(b);
}

} // namespace
} // namespace cafmq
