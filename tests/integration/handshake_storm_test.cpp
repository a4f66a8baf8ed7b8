// Pending handshakes are limited by what they cost, not by arrival order (docs/reliability.md,
// "Pending handshakes"): a reconnect storm of legitimate clients is let in whole, while silent or
// stalled connections are still closed (the longest idle first) and never lock a legitimate peer
// out.
#include "support/deadline.hpp"
#include "support/fd_limit.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"
#include "support/sanitizers.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
using test::raw_client;
namespace zmtp = test::zmtp;

// The budgets of issue #23's acceptance; sanitizer builds run several times slower.
constexpr auto storm_budget = test::sanitized_build ? 30000ms : 10000ms;
constexpr auto legitimate_budget = test::sanitized_build ? 5000ms : 1000ms;

// Connections of `peers` the server has not closed yet (a non-blocking probe of each).
size_t still_open(std::vector<raw_client>& peers) {
  size_t n = 0;
  for (auto& c : peers)
    if (c.fd() >= 0 && !c.wait_closed(0ms))
      ++n;
  return n;
}

// Receives until `n` messages came or `d` expires; how many came.
size_t receive_up_to(socket& s, size_t n, const test::deadline& d) {
  size_t got = 0;
  while (got < n) {
    auto m = s.recv(d.remaining());
    if (!m)
      break;
    ++got;
  }
  return got;
}

// A fleet's reconnect after its server restarts: every client connects and at once writes its
// whole side of a NULL handshake (greeting, READY) and a message, without waiting for ours.
TEST(HandshakeStorm, AThousandClientsConnectingAtOnceAllGetIn) {
  constexpr size_t clients = 1000;
  ASSERT_GE(test::affordable_connections(clients), clients) << "RLIMIT_NOFILE is too low";
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};  // max_pending_handshakes: the default
  pull.bind("tcp://127.0.0.1:*");
  auto ep = pull.last_endpoint();
  auto hello = zmtp::concat({zmtp::greeting(), zmtp::ready_socket_type("PUSH"),
                             zmtp::message_frame("hello")});

  test::deadline d{storm_budget};
  auto start = test::clock::now();
  std::vector<raw_client> fleet;
  fleet.reserve(clients);
  for (size_t i = 0; i < clients; ++i) {
    fleet.push_back(raw_client::connect(ep, d.remaining()));
    ASSERT_TRUE(fleet.back().send_all(hello)) << "client " << i << " was closed while writing";
  }
  auto connected_ms = test::elapsed_ms(start);
  // A message is delivered only after its connection's handshake: one per client.
  auto received = receive_up_to(pull, clients, d);
  auto all_in_ms = test::elapsed_ms(start);
  EXPECT_EQ(received, clients) << "handshakes completed within " << storm_budget.count() << " ms";
  EXPECT_EQ(pull.stats().evicted_handshakes, 0u) << "a legitimate client was evicted";
  EXPECT_EQ(still_open(fleet), clients);
  EXPECT_TRUE(test::eventually([&] { return pull.stats().pending_handshakes == 0; }, 5000ms));
  RecordProperty("handshakes", static_cast<int>(received));
  RecordProperty("connect_ms", static_cast<int>(connected_ms));
  RecordProperty("all_in_ms", static_cast<int>(all_in_ms));
  std::printf("storm: %zu/%zu handshakes, connects took %lld ms, all in after %lld ms\n", received,
              clients, connected_ms, all_in_ms);
}

// Slowloris: connections that send nothing, or one byte of a greeting and nothing more, are closed
// once idle (down to max_pending_handshakes, the longest idle first), and a legitimate peer that
// arrives among them is served at once.
TEST(HandshakeStorm, FiveHundredIdleConnectionsAreEvictedAndALegitimatePeerGetsInWithinASecond) {
  constexpr size_t flood = 500;
  ASSERT_GE(test::affordable_connections(flood), flood) << "RLIMIT_NOFILE is too low";
  const auto cap = static_cast<size_t>(socket_options{}.max_pending_handshakes);
  ASSERT_LT(cap, flood);
  context ctx;
  socket pull{ctx, socket_type::pull, test::no_linger()};  // handshake_ivl stays 30 s
  pull.bind("tcp://127.0.0.1:*");
  auto ep = pull.last_endpoint();
  std::vector<raw_client> loris;
  for (size_t i = 0; i < flood; ++i) {
    loris.push_back(raw_client::connect(ep, 5000ms));
    if (i % 2 == 1)
      loris.back().send_all(bytes{0xff});  // a greeting's first byte, then nothing
  }

  // The flood is in place (every connection accepted and pending), then the peer arrives.
  auto flood_start = test::clock::now();
  ASSERT_TRUE(test::eventually([&] { return pull.stats().pending_handshakes >= flood; }, 10000ms))
    << pull.stats().pending_handshakes << " of " << flood << " accepted";
  auto absorbed_ms = test::elapsed_ms(flood_start);
  auto start = test::clock::now();
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(ep);
  ASSERT_TRUE(push.send(message{"legitimate"}, legitimate_budget));
  auto m = pull.recv(legitimate_budget);
  auto legit_ms = test::elapsed_ms(start);
  ASSERT_TRUE(m.has_value()) << "the legitimate peer was not served within "
                             << legitimate_budget.count() << " ms";
  EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{"legitimate"});
  EXPECT_LE(legit_ms, legitimate_budget.count());

  // The idle flood goes, down to the limit, each counted.
  size_t open = flood;
  EXPECT_TRUE(test::eventually([&] { return (open = still_open(loris)) <= cap; }, 10000ms))
    << open << " idle connections still open, max_pending_handshakes " << cap;
  auto evicted = pull.stats().evicted_handshakes;
  EXPECT_GE(evicted, flood - cap);
  EXPECT_LE(pull.stats().pending_handshakes, cap);
  // The legitimate peer was never among them.
  ASSERT_TRUE(push.send(message{"still here"}, 1000ms));
  auto again = pull.recv(5000ms);
  ASSERT_TRUE(again.has_value()) << "the legitimate peer lost its connection";
  EXPECT_EQ(test::frames_of(*again), std::vector<std::string>{"still here"});
  RecordProperty("legit_ms", static_cast<int>(legit_ms));
  RecordProperty("evicted", static_cast<int>(evicted));
  std::printf("slowloris: flood accepted %lld ms after its connects, legitimate peer served after "
              "%lld ms, %llu of %zu idle evicted, %zu open\n",
              absorbed_ms, legit_ms, static_cast<unsigned long long>(evicted), flood, open);
}

// The hard limit (16 x max_pending_handshakes) holds at every moment, whatever the connections'
// state: past it, a new connection closes the oldest silent one at once.
TEST(HandshakeStorm, PendingHandshakesNeverExceedTheHardLimit) {
  auto o = test::no_linger();
  o.max_pending_handshakes = 4;
  const size_t hard = 16 * 4;
  constexpr size_t flood = 150;
  ASSERT_GE(test::affordable_connections(flood), flood) << "RLIMIT_NOFILE is too low";
  context ctx;
  socket pull{ctx, socket_type::pull, o};
  pull.bind("tcp://127.0.0.1:*");
  auto ep = pull.last_endpoint();
  std::vector<raw_client> silent;
  uint64_t most = 0;
  for (size_t i = 0; i < flood; ++i) {
    silent.push_back(raw_client::connect(ep, 5000ms));
    most = std::max(most, pull.stats().pending_handshakes);
  }
  EXPECT_TRUE(test::eventually([&] { return pull.stats().evicted_handshakes >= flood - hard; },
                               5000ms))
    << "evicted " << pull.stats().evicted_handshakes;
  most = std::max(most, pull.stats().pending_handshakes);
  EXPECT_LE(most, hard);
  // Once idle, they go down to max_pending_handshakes.
  size_t open = flood;
  EXPECT_TRUE(test::eventually([&] { return (open = still_open(silent)) <= 4; }, 10000ms)) << open;
  // A legitimate peer gets in.
  socket push{ctx, socket_type::push, test::no_linger()};
  push.connect(ep);
  ASSERT_TRUE(push.send(message{"in"}, 1000ms));
  auto m = pull.recv(5000ms);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{"in"});
}

} // namespace
} // namespace cafmq
