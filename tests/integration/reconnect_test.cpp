// Connection lifecycle between cafmq sockets (RFC 23/30, libzmq reconnect semantics): a connecting
// socket queues before its peer exists, and reconnects (after reconnect_ivl) when the binding
// peer goes away and comes back on the same port.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/ports.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

namespace cafmq {
namespace {

using namespace std::chrono_literals;

// Binds `s` to `ep`, retrying while the port is briefly still taken; false at the deadline.
bool bind_with_retry(socket& s, const std::string& ep, std::chrono::milliseconds budget) {
  test::deadline d{budget};
  for (;;) {
    try {
      s.bind(ep);
      return true;
    } catch (const error& e) {
      if (e.code() != errc::address_in_use || d.expired())
        throw;
    }
    std::this_thread::sleep_for(10ms);  // poll period of a deadline loop, not a synchronisation
  }
}

TEST(ConnectBeforeBind, MessagesQueuedBeforeThePeerExistsAreDeliveredOnceItBinds) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(ep);
  for (uint64_t i = 0; i < 10; ++i)
    ASSERT_TRUE(push.send(test::sequenced(i), 0ms)) << "send " << i << " did not queue";
  socket pull{ctx, socket_type::pull, test::no_linger()};
  ASSERT_TRUE(bind_with_retry(pull, ep, 5000ms));
  for (uint64_t i = 0; i < 10; ++i) {
    auto m = pull.recv(5000ms);
    ASSERT_TRUE(m.has_value()) << "message " << i << " never arrived";
    EXPECT_EQ(test::sequence_of(*m), i);
  }
}

TEST(ConnectBeforeBind, PullConnectingFirstReceivesOnceThePushBinds) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  pull.connect(ep);
  EXPECT_FALSE(pull.recv(0ms).has_value());
  socket push{ctx, socket_type::push, test::no_linger()};
  ASSERT_TRUE(bind_with_retry(push, ep, 5000ms));
  // The bound PUSH has no queue until the PULL's retry lands: send blocks until then.
  ASSERT_TRUE(push.send(message{"late"}, 5000ms));
  auto m = pull.recv(5000ms);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)[0].to_string(), "late");
}

// Sends numbered probes until one arrives (the link is back), then checks a burst arrives whole.
void expect_link_back(socket& push, socket& pull, uint64_t first_seq) {
  test::deadline d{10000ms};
  uint64_t seq = first_seq;
  bool back = false;
  while (!back && !d.expired()) {
    if (push.send(test::sequenced(seq), 0ms))
      ++seq;
    if (auto m = pull.recv(20ms)) {
      auto got = test::sequence_of(*m);
      ASSERT_GE(got, first_seq) << "a message from before the outage arrived after it";
      back = true;
    }
  }
  ASSERT_TRUE(back) << "no message got through within 10 s after the peer came back";
  // Probes in flight may still arrive; the burst after them must arrive complete and in order.
  constexpr uint64_t burst_base = 1'000'000;
  for (uint64_t i = 0; i < 20; ++i)
    ASSERT_TRUE(push.send(test::sequenced(burst_base + i), 2000ms));
  uint64_t next = burst_base;
  while (next < burst_base + 20) {
    auto m = pull.recv(d.remaining());
    ASSERT_TRUE(m.has_value()) << "burst message " << next - burst_base << " lost";
    auto got = test::sequence_of(*m);
    if (got < burst_base)
      continue;  // a late probe
    ASSERT_EQ(got, next++);
  }
}

TEST(Reconnect, ConnectingPushReachesABoundPullThatRestartsOnTheSamePort) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  context ctx;
  socket push{ctx, socket_type::push, test::no_linger()};
  auto pull = std::make_unique<socket>(ctx, socket_type::pull, test::no_linger());
  pull->bind(ep);
  push.connect(ep);
  ASSERT_TRUE(push.send(message{"before"}, 2000ms));
  auto m = pull->recv(5000ms);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)[0].to_string(), "before");

  pull->close();
  pull = std::make_unique<socket>(ctx, socket_type::pull, test::no_linger());
  ASSERT_TRUE(bind_with_retry(*pull, ep, 5000ms));
  expect_link_back(push, *pull, 100);
}

TEST(Reconnect, ConnectingPullReachesABoundPushThatRestartsOnTheSamePort) {
  auto ep = test::local_endpoint(test::free_tcp_port());
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};
  auto push = std::make_unique<socket>(ctx, socket_type::push, test::no_linger());
  push->bind(ep);
  pull.connect(ep);
  ASSERT_TRUE(push->send(message{"before"}, 5000ms));
  auto m = pull.recv(5000ms);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ((*m)[0].to_string(), "before");

  push->close();
  push = std::make_unique<socket>(ctx, socket_type::push, test::no_linger());
  ASSERT_TRUE(bind_with_retry(*push, ep, 5000ms));
  expect_link_back(*push, pull, 100);
}

} // namespace
} // namespace cafmq
