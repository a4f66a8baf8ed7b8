// Pre-authentication limits (issue #6 item 4) and CVE-2020-15166: raw TCP connections that never
// finish their handshake (silent, half a greeting, a greeting and nothing more) cost bounded
// memory, are capped per listener (never more than 16 x max_pending_handshakes; once idle, down to
// max_pending_handshakes, the longest idle first), die at handshake_ivl, and never keep a
// legitimate peer from exchanging messages. handshake_storm_test.cpp: legitimate storms get in.
#include "support/deadline.hpp"
#include "support/fd_limit.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::affordable_connections;
using test::bytes;
using test::raw_client;
using test::still_open;
namespace zmtp = test::zmtp;

// A half-open peer of one of three kinds: silent, a partial greeting, a whole greeting.
raw_client half_open(const std::string& endpoint, size_t i) {
  auto c = raw_client::connect(endpoint, 5000ms);
  if (i % 3 == 1)
    c.send_all(bytes{0xff, 0x00, 0x00, 0x00});
  else if (i % 3 == 2)
    c.send_all(zmtp::greeting());
  return c;
}

// Counts handshake failures the listener caused by evicting (reason code `resource`).
struct eviction_events {
  std::atomic<uint64_t> count{0};
  std::atomic<bool> reason_names_option{false};
  void watch(socket& s) {
    s.add_event_callback([this](const monitor_event& e) {
      if (e.kind != event_kind::handshake_failed || e.reason_code != event_reason::resource)
        return;
      if (e.reason.find("max_pending_handshakes") != std::string::npos)
        reason_names_option = true;
      ++count;
    });
  }
};

// A DEALER round trip through the ROUTER: the legitimate client is served both ways.
void expect_round_trips(socket& router, socket& dealer, int n, test::deadline& d) {
  for (int i = 0; i < n; ++i) {
    auto tag = "ping " + std::to_string(i);
    ASSERT_TRUE(dealer.send(message{tag}, d.remaining())) << tag;
    auto req = router.recv(d.remaining());
    ASSERT_TRUE(req.has_value()) << "the ROUTER never received '" << tag << "'";
    ASSERT_EQ(req->size(), 2u);
    ASSERT_TRUE(router.send(message{(*req)[0].to_string(), "pong " + std::to_string(i)},
                            d.remaining()));
    auto rep = dealer.recv(d.remaining());
    ASSERT_TRUE(rep.has_value()) << "the DEALER never got its reply " << i;
    EXPECT_EQ(test::frames_of(*rep), std::vector<std::string>{"pong " + std::to_string(i)});
  }
}

TEST(Cve2020_15166, IdleHalfOpenConnectionsDoNotStallLegitimateClients) {
  constexpr int cap = 64;
  auto o = test::no_linger();
  o.max_pending_handshakes = cap;  // handshake_ivl stays 30 s: the cap alone makes room
  eviction_events evictions;  // callbacks run until the context is closed: it outlives it
  context ctx;
  socket router{ctx, socket_type::router, o};
  router.bind("tcp://127.0.0.1:*");
  evictions.watch(router);
  auto ep = router.last_endpoint();
  const size_t total = affordable_connections(2000);
  ASSERT_GT(total, static_cast<size_t>(2 * cap));

  // Half of the flood before the legitimate client, half while it works.
  std::vector<raw_client> first, second;
  for (size_t i = 0; i < total / 2; ++i)
    first.push_back(half_open(ep, i));
  std::atomic<bool> flood_failed{false};
  std::thread flood([&] {
    try {
      for (size_t i = total / 2; i < total; ++i)
        second.push_back(half_open(ep, i));
    } catch (const std::exception&) {
      flood_failed = true;
    }
  });
  socket dealer{ctx, socket_type::dealer, test::no_linger()};
  dealer.connect(ep);
  test::deadline d{20000ms};
  uint64_t most_pending = 0;
  for (int round = 0; round < 5 && !HasFatalFailure(); ++round) {
    most_pending = std::max(most_pending, router.stats().pending_handshakes);
    expect_round_trips(router, dealer, 4, d);
  }
  flood.join();
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_FALSE(flood_failed) << "a raw connection could not be opened";

  // Every connection beyond the cap was closed (once idle, or at once past the hard limit of
  // 16 x cap), each with an event.
  EXPECT_TRUE(test::eventually([&] { return router.stats().evicted_handshakes >= total - cap; },
                               10000ms))
    << "evicted " << router.stats().evicted_handshakes << " of " << total;
  EXPECT_TRUE(test::eventually([&] { return evictions.count >= total - cap; }, 10000ms))
    << evictions.count << " eviction events";
  EXPECT_TRUE(evictions.reason_names_option);
  size_t open = 0;
  EXPECT_TRUE(test::eventually([&] {
    open = still_open(first) + still_open(second);
    return open <= static_cast<size_t>(cap);
  }, 10000ms)) << open << " half-open connections still open, cap " << cap;
  most_pending = std::max(most_pending, router.stats().pending_handshakes);
  EXPECT_LE(most_pending, static_cast<uint64_t>(16 * cap)) << "the hard limit";
  EXPECT_LE(router.stats().pending_handshakes, static_cast<uint64_t>(cap));
  // And the legitimate client is still served after the flood.
  expect_round_trips(router, dealer, 3, d);
}

TEST(Cve2020_15166, HalfOpenConnectionsAreClosedAtHandshakeIvlAndPendingReturnsToZero) {
  auto o = test::no_linger();
  o.max_pending_handshakes = 1000;  // above the flood: only the timer closes them
  o.handshake_ivl_ms = 300;
  context ctx;
  socket router{ctx, socket_type::router, o};
  router.bind("tcp://127.0.0.1:*");
  auto ep = router.last_endpoint();
  const size_t total = affordable_connections(500);
  std::vector<raw_client> peers;
  for (size_t i = 0; i < total; ++i)
    peers.push_back(half_open(ep, i));
  EXPECT_TRUE(test::eventually([&] { return router.stats().pending_handshakes > 0; }, 5000ms));
  size_t open = 0;
  EXPECT_TRUE(test::eventually([&] { return (open = still_open(peers)) == 0; }, 15000ms))
    << open << " of " << total << " half-open connections outlived handshake_ivl";
  EXPECT_TRUE(test::eventually([&] { return router.stats().pending_handshakes == 0; }, 5000ms));
  EXPECT_EQ(router.stats().evicted_handshakes, 0u) << "the timer, not the cap, closed them";
  socket dealer{ctx, socket_type::dealer, test::no_linger()};
  dealer.connect(ep);
  test::deadline d{10000ms};
  expect_round_trips(router, dealer, 3, d);
}

// Above the limit, the longest idle pending handshake is closed (once idle: nothing received for
// 2 s since its engine started), and no more than the limit asks.
TEST(MaxPendingHandshakes, AboveTheLimitTheLongestIdlePendingHandshakeIsClosed) {
  auto o = test::no_linger();
  o.max_pending_handshakes = 2;
  context ctx;
  socket pull{ctx, socket_type::pull, o};
  pull.bind("tcp://127.0.0.1:*");
  auto events = pull.monitor();
  auto ep = pull.last_endpoint();
  auto oldest = raw_client::connect(ep, 2000ms);
  ASSERT_TRUE(test::eventually([&] { return pull.stats().pending_handshakes == 1; }, 5000ms));
  auto middle = raw_client::connect(ep, 2000ms);
  ASSERT_TRUE(test::eventually([&] { return pull.stats().pending_handshakes == 2; }, 5000ms));
  auto newest = raw_client::connect(ep, 2000ms);
  EXPECT_TRUE(oldest.wait_closed(5000ms)) << "the longest idle pending handshake was not evicted";
  EXPECT_TRUE(test::eventually([&] { return pull.stats().evicted_handshakes == 1; }, 5000ms));
  EXPECT_EQ(pull.stats().pending_handshakes, 2u);
  std::optional<monitor_event> failed;
  for (test::deadline d{5000ms}; !failed && !d.expired();) {
    auto e = events.next(d.remaining());
    if (e && e->kind == event_kind::handshake_failed)
      failed = e;
  }
  ASSERT_TRUE(failed.has_value()) << "no handshake_failed event for the evicted connection";
  EXPECT_EQ(failed->reason_code, event_reason::resource);
  EXPECT_NE(failed->reason.find("max_pending_handshakes"), std::string::npos) << failed->reason;
  // The two newer ones were left alone and can still complete their handshakes.
  for (auto* c : {&middle, &newest}) {
    ASSERT_TRUE(c->send_all(zmtp::concat({zmtp::greeting(), zmtp::ready_socket_type("PUSH"),
                                          zmtp::message_frame("made it")})));
    auto m = pull.recv(5000ms);
    ASSERT_TRUE(m.has_value()) << "a newer pending connection was harmed by the eviction";
    EXPECT_EQ(test::frames_of(*m), std::vector<std::string>{"made it"});
  }
  EXPECT_TRUE(test::eventually([&] { return pull.stats().pending_handshakes == 0; }, 5000ms));
  EXPECT_EQ(pull.stats().evicted_handshakes, 1u);
}

TEST(MaxPendingHandshakes, OutOfRangeValuesAreRefusedNamingTheOption) {
  context ctx;
  for (int bad : {0, -1, 65537}) {
    auto o = test::no_linger();
    o.max_pending_handshakes = bad;
    try {
      socket s{ctx, socket_type::pull, o};
      ADD_FAILURE() << "max_pending_handshakes = " << bad << " was accepted";
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_argument);
      EXPECT_NE(std::string(e.what()).find("max_pending_handshakes"), std::string::npos) << e.what();
    }
  }
}

} // namespace
} // namespace cafmq
