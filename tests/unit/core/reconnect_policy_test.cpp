// reconnect_policy: libzmq's ZMQ_RECONNECT_IVL / _IVL_MAX backoff, cafmq's bounded jitter and
// attempt limit, on plain numbers.
#include "runtime/core/error.hpp"
#include "runtime/core/reconnect_policy.hpp"

#include <gtest/gtest.h>

#include <set>

namespace cafmq {
namespace {

using std::chrono::milliseconds;

socket_options with(int ivl, int ivl_max, int jitter = 0, int attempts = 0) {
  socket_options o;
  o.reconnect_ivl_ms = ivl;
  o.reconnect_ivl_max_ms = ivl_max;
  o.reconnect_jitter_pct = jitter;
  o.reconnect_max_attempts = attempts;
  return o;
}

TEST(ReconnectPolicy, WithoutIvlMaxEveryWaitIsReconnectIvl) {
  reconnect_policy p{with(100, 0), 1};
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(p.next(), milliseconds(100));
}

TEST(ReconnectPolicy, WithIvlMaxTheWaitDoublesUpToTheMax) {
  reconnect_policy p{with(100, 1000), 1};
  std::vector<long> waits;
  for (int i = 0; i < 7; ++i)
    waits.push_back(static_cast<long>(p.next().count()));
  EXPECT_EQ(waits, (std::vector<long>{100, 200, 400, 800, 1000, 1000, 1000}));
}

TEST(ReconnectPolicy, DoublingNeverOverflowsAfterManyRetries) {
  reconnect_policy p{with(1, 2147483647), 1};
  for (int i = 0; i < 200; ++i)
    EXPECT_LE(p.next().count(), 2147483647);
}

TEST(ReconnectPolicy, ResetStartsOverFromReconnectIvl) {
  reconnect_policy p{with(10, 1000), 1};
  p.next();
  p.next();
  EXPECT_EQ(p.nominal_next(), milliseconds(40));
  p.reset();
  EXPECT_EQ(p.retries(), 0u);
  EXPECT_EQ(p.next(), milliseconds(10));
}

TEST(ReconnectPolicy, JitterStaysWithinItsPercentBelowTheNominalWait) {
  reconnect_policy p{with(1000, 0, 25), 42};
  std::set<long> seen;
  for (int i = 0; i < 2000; ++i) {
    auto w = p.next().count();
    ASSERT_GE(w, 750) << "jitter took more than 25 %";
    ASSERT_LE(w, 1000) << "jitter made the wait longer than nominal";
    seen.insert(static_cast<long>(w));
  }
  EXPECT_GT(seen.size(), 50u) << "no spread: the jitter is not applied";
}

TEST(ReconnectPolicy, TheSameSeedGivesTheSameWaits) {
  reconnect_policy a{with(1000, 8000, 50), 7};
  reconnect_policy b{with(1000, 8000, 50), 7};
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(a.next(), b.next());
}

TEST(ReconnectPolicy, MaxAttemptsAllowsThatManyRetriesInARow) {
  reconnect_policy p{with(10, 0, 0, 3), 1};
  int retries = 0;
  while (p.may_retry()) {
    p.next();
    ++retries;
  }
  EXPECT_EQ(retries, 3);
  p.reset();
  EXPECT_TRUE(p.may_retry());
}

TEST(ReconnectPolicy, IvlMinusOneDisablesReconnecting) {
  EXPECT_FALSE((reconnect_policy{with(-1, 0), 1}.enabled()));
  EXPECT_TRUE((reconnect_policy{with(0, 0), 1}.enabled()));
}

void expect_invalid(const socket_options& o, const std::string& names) {
  try {
    o.validate();
    ADD_FAILURE() << "accepted an invalid " << names;
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find(names), std::string::npos) << e.what();
  }
}

TEST(ReconnectOptions, InvalidValuesAreRejectedNamingTheOption) {
  expect_invalid(with(100, 50), "reconnect_ivl_max");
  expect_invalid(with(100, -1), "reconnect_ivl_max");
  expect_invalid(with(100, 0, 101), "reconnect_jitter_pct");
  expect_invalid(with(100, 0, -1), "reconnect_jitter_pct");
  expect_invalid(with(100, 0, 0, -2), "reconnect_max_attempts");
  auto o = with(100, 0);
  o.reconnect_stop = 8;
  expect_invalid(o, "reconnect_stop");
  o = with(100, 0);
  o.connect_timeout_ms = -5;
  expect_invalid(o, "connect_timeout");
  EXPECT_NO_THROW(with(100, 100, 100, 1).validate());
}

} // namespace
} // namespace cafmq
