// What a lingering close waits for (docs/socket-options.md, linger): the user's messages for a
// live or returning peer, never control traffic to a peer that is not connected. A SUB, XSUB,
// XPUB or DEALER connected to an endpoint where nobody listens closes at once with the default
// linger (-1), as with libzmq; a PUSH's queued messages still wait for a peer that comes later.
#include "support/deadline.hpp"
#include "support/ports.hpp"
#include "support/sanitizers.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <future>
#include <memory>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

// Far below any linger worth the name, far above a loaded machine's scheduling noise.
constexpr long long at_once_ms = test::sanitized_build ? 3000 : 1000;

// Closes `s` on another thread; the future holds close()'s result.
std::future<size_t> close_async(socket& s) {
  return std::async(std::launch::async, [&s] { return s.close(); });
}

// Closes `s` (default linger -1) and checks it returned at once without discarding anything of
// the user's.
void expect_closes_at_once(socket& s) {
  auto closing = close_async(s);
  auto t0 = test::clock::now();
  if (closing.wait_for(10s) != std::future_status::ready) {
    s.abort_linger();  // lets the test end
    FAIL() << "close() hangs on control traffic";
  }
  EXPECT_LT(test::elapsed_ms(t0), at_once_ms);
  EXPECT_EQ(closing.get(), 0u) << "control traffic counted as discarded messages";
}

std::string nobody() {
  return test::local_endpoint(test::free_tcp_port());
}

TEST(LingerControlTraffic, SubWithASubscriptionToNobodyClosesAtOnce) {
  context ctx;
  socket sub{ctx, socket_type::sub};
  ASSERT_EQ(sub.options().linger_ms, -1);
  sub.connect(nobody());
  sub.subscribe("topic");
  auto st = sub.stats();
  ASSERT_EQ(st.peers.size(), 1u);
  EXPECT_EQ(st.peers[0].queued_out, 1u) << "the subscription waits in the queue";
  EXPECT_FALSE(st.peers[0].connected) << "stats must not call a peer that never came connected";
  expect_closes_at_once(sub);
  EXPECT_EQ(sub.stats().discarded_on_close, 0u);
}

TEST(LingerControlTraffic, XsubWithSubscriptionsToNobodyClosesAtOnce) {
  context ctx;
  socket xsub{ctx, socket_type::xsub};
  xsub.connect(nobody());
  std::string subscribe = std::string(1, '\x01') + "topic";
  ASSERT_TRUE(xsub.send(message{subscribe}, 0ms));
  ASSERT_TRUE(xsub.send(message{std::string(1, '\x00') + "topic"}, 0ms));
  ASSERT_EQ(xsub.stats().peers.size(), 1u);
  EXPECT_EQ(xsub.stats().peers[0].queued_out, 2u);
  expect_closes_at_once(xsub);
}

TEST(LingerControlTraffic, XpubWithAWelcomeMessageToNobodyClosesAtOnce) {
  context ctx;
  socket_options o;
  o.xpub_welcome_msg = "welcome";
  socket xpub{ctx, socket_type::xpub, o};
  xpub.connect(nobody());
  ASSERT_EQ(xpub.stats().peers.size(), 1u);
  EXPECT_EQ(xpub.stats().peers[0].queued_out, 1u) << "the welcome message waits in the queue";
  expect_closes_at_once(xpub);
}

TEST(LingerControlTraffic, DealerWithNothingQueuedToNobodyClosesAtOnce) {
  context ctx;
  socket dealer{ctx, socket_type::dealer};
  dealer.connect(nobody());
  expect_closes_at_once(dealer);
}

// A context closed with such a socket still open lingers by the same rule.
TEST(LingerControlTraffic, AContextClosingWithASubscribedSubOpenClosesAtOnce) {
  context ctx;
  socket sub{ctx, socket_type::sub};
  sub.connect(nobody());
  sub.subscribe("");
  auto t0 = test::clock::now();
  EXPECT_EQ(ctx.close(), 0u) << "a subscription counted as a discarded message";
  EXPECT_LT(test::elapsed_ms(t0), at_once_ms);
}

// A SUB whose publisher went away (its connector is reconnecting) does not wait for an
// unsubscription queued meanwhile either.
TEST(LingerControlTraffic, SubWhosePublisherLeftClosesAtOnce) {
  context ctx;
  socket_options po;
  po.linger_ms = 0;
  auto pub = std::make_unique<socket>(ctx, socket_type::pub, po);
  pub->bind("tcp://127.0.0.1:*");
  socket sub{ctx, socket_type::sub};
  sub.connect(pub->last_endpoint());
  sub.subscribe("a");
  ASSERT_TRUE(pub->wait_subscribers(1, 10s));
  auto connected = [&] {
    auto st = sub.stats();
    return st.peers.size() == 1 && st.peers[0].connected;
  };
  ASSERT_TRUE(test::eventually(connected, 10s));
  pub.reset();
  ASSERT_TRUE(test::eventually([&] { return !connected(); }, 10s)) << "the disconnect never showed";
  sub.unsubscribe("a");
  sub.subscribe("b");
  expect_closes_at_once(sub);
}

// The user's messages still linger for a connector's peer that is not there yet, as in libzmq:
// the PUSH's close waits, and once a PULL binds the port, all of them arrive.
TEST(LingerControlTraffic, QueuedUserMessagesStillWaitForAPeerThatComesLater) {
  constexpr int n = 20;
  context ctx;
  auto port = test::free_tcp_port();
  socket_options o;
  o.reconnect_ivl_ms = 20;
  o.reconnect_ivl_max_ms = 20;
  socket push{ctx, socket_type::push, o};
  push.connect(test::local_endpoint(port));
  for (int i = 0; i < n; ++i)
    ASSERT_TRUE(push.send(message{"m" + std::to_string(i)}, 0ms));
  auto closing = close_async(push);
  EXPECT_EQ(closing.wait_for(300ms), std::future_status::timeout)
    << "close() gave up on user messages for a peer that may still come";

  socket_options ro;
  ro.linger_ms = 0;
  socket pull{ctx, socket_type::pull, ro};
  pull.bind(test::local_endpoint(port));
  for (int i = 0; i < n; ++i) {
    auto m = pull.recv(10s);
    ASSERT_TRUE(m) << "message " << i << " lost";
    EXPECT_EQ((*m)[0].to_string(), "m" + std::to_string(i));
  }
  ASSERT_EQ(closing.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(closing.get(), 0u);
}

// -- aborting a linger in progress --

// A DEALER with user messages for a peer that never comes: close() lingers (-1) until another
// thread aborts it.
std::unique_ptr<socket> dealer_with_queued_messages(context& ctx, int queued) {
  auto dealer = std::make_unique<socket>(ctx, socket_type::dealer);
  dealer->connect(nobody());
  for (int i = 0; i < queued; ++i)
    EXPECT_TRUE(dealer->send(message{"queued"}, 0ms));
  return dealer;
}

TEST(AbortLinger, SocketAbortLingerEndsACloseWaitingOnAnotherThread) {
  context ctx;
  auto dealer = dealer_with_queued_messages(ctx, 3);
  auto closing = close_async(*dealer);
  ASSERT_EQ(closing.wait_for(200ms), std::future_status::timeout) << "close() did not linger";
  auto t0 = test::clock::now();
  dealer->abort_linger();
  ASSERT_EQ(closing.wait_for(10s), std::future_status::ready) << "abort_linger was ignored";
  EXPECT_LT(test::elapsed_ms(t0), at_once_ms);
  EXPECT_EQ(closing.get(), 3u) << "the aborted linger discards the queued messages";
}

TEST(AbortLinger, ContextAbortLingerEndsEverySocketsClose) {
  context ctx;
  auto a = dealer_with_queued_messages(ctx, 2);
  auto b = dealer_with_queued_messages(ctx, 1);
  auto closing_a = close_async(*a);
  auto closing_b = close_async(*b);
  ASSERT_EQ(closing_a.wait_for(200ms), std::future_status::timeout) << "close() did not linger";
  auto t0 = test::clock::now();
  ctx.abort_linger();
  ASSERT_EQ(closing_a.wait_for(10s), std::future_status::ready);
  ASSERT_EQ(closing_b.wait_for(10s), std::future_status::ready);
  EXPECT_LT(test::elapsed_ms(t0), at_once_ms);
  EXPECT_EQ(closing_a.get(), 2u);
  EXPECT_EQ(closing_b.get(), 1u);
}

TEST(AbortLinger, ContextAbortLingerEndsTheContextsOwnLinger) {
  auto ctx = std::make_unique<context>();
  auto dealer = dealer_with_queued_messages(*ctx, 4);
  auto closing = std::async(std::launch::async, [&] { return ctx->close(); });
  ASSERT_EQ(closing.wait_for(200ms), std::future_status::timeout) << "context close did not linger";
  ctx->abort_linger();
  ASSERT_EQ(closing.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(closing.get(), 4u);
}

TEST(AbortLinger, AbortBeforeCloseMeansNoLingerAtAll) {
  context ctx;
  auto dealer = dealer_with_queued_messages(ctx, 1);
  dealer->abort_linger();
  auto t0 = test::clock::now();
  EXPECT_EQ(dealer->close(), 1u);
  EXPECT_LT(test::elapsed_ms(t0), at_once_ms);
}

} // namespace
} // namespace cafmq
