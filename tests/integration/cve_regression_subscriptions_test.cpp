// CVE-2021-20236 class (long subscriptions subscribed and cancelled: libzmq's recursive trie
// overflowed the stack) and CVE-2021-20237 class (non-subscription messages flooding a PUB were
// queued forever). A raw ZMTP 3.1 SUB does the damage; a legitimate cafmq SUB on the same PUB or
// XPUB keeps receiving, and the publisher's memory stays bounded.
#include "support/deadline.hpp"
#include "support/messages.hpp"
#include "support/raw_tcp.hpp"
#include "support/rss.hpp"
#include "support/sanitizers.hpp"
#include "support/zmtp_wire.hpp"

#include "runtime/cafmq.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using test::bytes;
using test::raw_client;
namespace zmtp = test::zmtp;

constexpr auto budget = 5000ms;

using test::rss_is_meaningful;

bytes to_bytes(const std::string& s) { return bytes(s.begin(), s.end()); }

// XPUB: reads what its user has queued now, counting the raw peer's 1 KiB junk messages.
void count_junk(socket& xpub, uint64_t& junk) {
  while (auto m = xpub.recv(0ms))
    if (m->size() == 1 && (*m)[0].size() == 1024 && (*m)[0].data()[0] == 'x')
      ++junk;
}

// A publisher of `type` with a legitimate cafmq SUB subscribed to "news".
struct guarded_pub {
  context ctx;
  socket pub;
  socket sub{ctx, socket_type::sub, test::no_linger()};
  uint64_t news = 0;

  explicit guarded_pub(socket_type type) : pub(ctx, type, test::no_linger()) {
    pub.bind("tcp://127.0.0.1:*");
    sub.subscribe("news");
    sub.connect(pub.last_endpoint());
  }
  // The legitimate subscriber gets the next "news" message (PUB drops while nobody matches, so
  // publish until one arrives).
  void expect_news() {
    auto tag = "news " + std::to_string(++news);
    std::optional<message> got;
    ASSERT_TRUE(test::eventually([&] {
      EXPECT_TRUE(pub.send(message{tag}, budget));
      got = sub.recv(20ms);
      return got.has_value();
    }, budget)) << "the legitimate subscriber stopped receiving";
    while (got && test::frames_of(*got)[0] != tag)  // earlier tries of the same loop
      got = sub.recv(budget);
    ASSERT_TRUE(got.has_value());
  }
  // XPUB: reads the subscription messages its user gets, counting subscribes and cancels of
  // prefixes of `len` bytes, until `want` of them came.
  size_t drain_xpub(size_t len, size_t want) {
    size_t n = 0;
    test::deadline d{budget};
    while (n < want && !d.expired()) {
      auto m = pub.recv(d.remaining());
      if (m && (*m)[0].size() == len + 1)
        ++n;
    }
    return n;
  }
};

// A raw ZMTP 3.1 SUB, handshaken with `pub`.
raw_client raw_sub(socket& pub) {
  auto c = zmtp::handshake_as(pub.last_endpoint(), "SUB", budget);
  return c;
}

std::string long_topic(size_t i, size_t len) {
  auto t = "T" + std::to_string(i) + "-";
  t.resize(len, static_cast<char>('a' + i % 26));
  return t;
}

class Cve2021_20236 : public ::testing::TestWithParam<socket_type> {};
INSTANTIATE_TEST_SUITE_P(Publishers, Cve2021_20236,
                         ::testing::Values(socket_type::pub, socket_type::xpub),
                         [](const auto& i) { return i.param == socket_type::pub ? "Pub" : "Xpub"; });

TEST_P(Cve2021_20236, LongSubscriptionsSubscribedAndCancelledLeaveNothingBehind) {
  constexpr size_t topics = 100, len = 60000, rounds = 3;
  const bool xpub = GetParam() == socket_type::xpub;
  guarded_pub g{GetParam()};
  g.expect_news();
  auto c = raw_sub(g.pub);
  const std::string huge(1024 * 1024, 'H');  // over the 64 KiB subscription bound: ignored
  size_t rss_after_first = 0;
  for (size_t round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    for (size_t i = 0; i < topics; ++i)
      ASSERT_TRUE(c.send_all(zmtp::command("SUBSCRIBE", to_bytes(long_topic(i, len)))));
    ASSERT_TRUE(c.send_all(zmtp::command("SUBSCRIBE", to_bytes(huge))));
    if (xpub) {  // the user hears each new prefix once
      EXPECT_EQ(g.drain_xpub(len, topics), topics);
    }
    ASSERT_TRUE(g.pub.wait_subscribers(2, budget)) << "the long subscriptions were not taken in";
    // They are real: a message on the last topic reaches the raw subscriber. wait_subscribers
    // saw its first subscription only, so publish until the last one has been taken in too (a
    // PUB drops what nobody has subscribed to yet: no copy of an early try is left in flight).
    auto last = long_topic(topics - 1, len);
    std::optional<zmtp::wire_frame> f;
    test::deadline until{budget};
    while (!f && !until.expired()) {
      ASSERT_TRUE(g.pub.send(message{last + "!"}, budget));
      f = zmtp::read_frame(c, 100ms);
    }
    ASSERT_TRUE(f.has_value()) << "the raw subscriber got nothing for its long topic";
    EXPECT_EQ(f->body.size(), len + 1);
    g.expect_news();

    for (size_t i = 0; i < topics; ++i)
      ASSERT_TRUE(c.send_all(zmtp::command("CANCEL", to_bytes(long_topic(i, len)))));
    ASSERT_TRUE(c.send_all(zmtp::command("CANCEL", to_bytes(huge))));
    if (xpub) {  // and each last cancel once
      EXPECT_EQ(g.drain_xpub(len, topics), topics);
    }
    // Only the legitimate subscriber still has subscriptions: the raw one's are all gone.
    EXPECT_TRUE(test::eventually([&] { return !g.pub.wait_subscribers(2, 0ms); }, budget))
      << "the raw peer is still subscribed after every cancel";
    EXPECT_TRUE(g.pub.wait_subscribers(1, 0ms)) << "the legitimate subscriber lost its subscription";
    ASSERT_TRUE(g.pub.send(message{last + "?"}, budget));
    g.expect_news();
    // A late copy of a "!" try may still arrive; a "?" must not.
    while (auto stray = zmtp::read_frame(c, 50ms))
      EXPECT_NE(stray->body.back(), '?') << "a cancelled topic was still delivered";
    if (round == 0)
      rss_after_first = test::resident_bytes();
  }
  if constexpr (rss_is_meaningful) {
    auto growth = test::resident_bytes() - std::min(rss_after_first, test::resident_bytes());
    EXPECT_LT(growth, size_t{16} << 20) << "RSS grew by " << growth << " bytes over later rounds";
  }
}

class Cve2021_20237 : public ::testing::TestWithParam<socket_type> {};
INSTANTIATE_TEST_SUITE_P(Publishers, Cve2021_20237,
                         ::testing::Values(socket_type::pub, socket_type::xpub),
                         [](const auto& i) { return i.param == socket_type::pub ? "Pub" : "Xpub"; });

TEST_P(Cve2021_20237, DataFramesFloodingAPublisherAreDiscardedWithoutGrowingMemory) {
  // 64 MiB of ordinary messages (1 KiB each, first byte neither 0 nor 1) from a raw SUB, sent
  // while the publisher goes on publishing to a legitimate subscriber.
  constexpr size_t frames = 64 * 1024;
  const bool xpub = GetParam() == socket_type::xpub;
  guarded_pub g{GetParam()};
  g.expect_news();
  auto c = raw_sub(g.pub);
  auto rss_before = test::resident_bytes();
  std::atomic<bool> flood_ok{true}, flood_done{false};
  std::thread flood([&] {
    bytes batch;
    for (int i = 0; i < 64; ++i) {
      auto f = zmtp::message_frame("x" + std::string(1023, 'j'));
      batch.insert(batch.end(), f.begin(), f.end());
    }
    for (size_t sent = 0; sent < frames && flood_ok; sent += 64)
      flood_ok = c.send_all(batch);
    // Behind the junk, a real subscription: once it works, all the junk was read and dropped.
    flood_ok = flood_ok && c.send_all(zmtp::command("SUBSCRIBE", to_bytes("A")));
    flood_done = true;
  });
  test::deadline d{60000ms};
  uint64_t passed_up = 0;
  while (!flood_done && !d.expired()) {
    g.expect_news();
    if (HasFatalFailure())
      break;
    if (xpub)  // XPUB passes peer messages up; its user reading them keeps the queue bounded
      count_junk(g.pub, passed_up);
  }
  flood.join();
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(flood_ok) << "the publisher stopped reading the flood";
  // The subscription behind the flood takes effect: every junk frame before it was consumed.
  ASSERT_TRUE(test::eventually([&] {
    if (xpub)
      count_junk(g.pub, passed_up);
    return g.pub.wait_subscribers(2, 0ms);
  }, 20000ms));
  ASSERT_TRUE(g.pub.send(message{"A after the flood"}, budget));
  auto f = zmtp::read_frame(c, budget);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->body, to_bytes("A after the flood"));
  g.expect_news();
  if (xpub) {
    EXPECT_EQ(passed_up, frames) << "XPUB passes every peer message up, once";
  }
  if constexpr (rss_is_meaningful) {
    auto growth = test::resident_bytes() - std::min(rss_before, test::resident_bytes());
    EXPECT_LT(growth, size_t{32} << 20) << "64 MiB of junk grew RSS by " << growth << " bytes";
  }
}

} // namespace
} // namespace cafmq
