// Paranoid Pirate (RFC 6) timing: the heartbeat schedule, a worker's liveness countdown and its
// reconnect back-off, driven by explicit time points.
#include "patterns/ppp_timing.hpp"

#include <gtest/gtest.h>

using namespace cafmq::patterns::ppp;
using namespace std::chrono_literals;

namespace {

timing fast() {
  timing t;
  t.liveness = 3;
  t.interval = 100ms;
  t.reconnect_initial = 100ms;
  t.reconnect_max = 700ms;
  return t;
}

TEST(PppTiming, DefaultsAreRfc6s) {
  timing t;
  EXPECT_EQ(t.liveness, 3);
  EXPECT_EQ(t.interval, 1000ms);
  EXPECT_EQ(t.reconnect_initial, 1000ms);
  EXPECT_EQ(t.reconnect_max, 32000ms);
  EXPECT_EQ(t.silence_limit(), 3000ms);
  EXPECT_EQ(invalid_reason(t), nullptr);
}

TEST(PppTiming, InvalidSettingsSayWhy) {
  auto t = fast();
  t.liveness = 0;
  EXPECT_STREQ(invalid_reason(t), "liveness must be at least 1");
  t = fast();
  t.interval = 0ms;
  EXPECT_NE(invalid_reason(t), nullptr);
  t = fast();
  t.reconnect_max = 50ms;
  EXPECT_STREQ(invalid_reason(t), "maximum reconnect interval must not be below the initial one");
  t = fast();
  t.interval = milliseconds::max();
  EXPECT_NE(invalid_reason(t), nullptr);
}

TEST(PppTiming, HeartbeatIsDueEveryIntervalAndSendingPostponesIt) {
  time_point t0{};
  heartbeat_clock hb{100ms, t0};
  EXPECT_FALSE(hb.due(t0 + 99ms));
  EXPECT_TRUE(hb.due(t0 + 100ms));
  EXPECT_FALSE(hb.due(t0 + 150ms));
  EXPECT_EQ(hb.next(), t0 + 200ms);
  hb.sent(t0 + 180ms);  // a reply counts as a heartbeat
  EXPECT_FALSE(hb.due(t0 + 250ms));
  EXPECT_TRUE(hb.due(t0 + 280ms));
  // A late check sends one heartbeat, not one per missed interval.
  EXPECT_TRUE(hb.due(t0 + 1000ms));
  EXPECT_FALSE(hb.due(t0 + 1050ms));
}

TEST(PppTiming, QueueIsLostAfterLivenessSilentIntervals) {
  time_point t0{};
  worker_liveness l{fast(), t0};
  EXPECT_FALSE(l.lost(t0 + 99ms));
  EXPECT_EQ(l.liveness(), 3);
  EXPECT_FALSE(l.lost(t0 + 100ms));
  EXPECT_EQ(l.liveness(), 2);
  EXPECT_FALSE(l.lost(t0 + 250ms));
  EXPECT_EQ(l.liveness(), 1);
  EXPECT_TRUE(l.lost(t0 + 300ms));
  EXPECT_EQ(l.liveness(), 0);
}

TEST(PppTiming, AnyMessageRestoresLiveness) {
  time_point t0{};
  worker_liveness l{fast(), t0};
  EXPECT_FALSE(l.lost(t0 + 250ms));
  l.heard(t0 + 260ms);
  EXPECT_EQ(l.liveness(), 3);
  EXPECT_FALSE(l.lost(t0 + 500ms));  // 240 ms after: two intervals counted
  EXPECT_EQ(l.liveness(), 1);
  EXPECT_EQ(l.next_check(), t0 + 560ms);
  EXPECT_TRUE(l.lost(t0 + 560ms));
}

TEST(PppTiming, ALongPauseCountsEveryMissedInterval) {
  time_point t0{};
  worker_liveness l{fast(), t0};
  EXPECT_TRUE(l.lost(t0 + 10s));
  l.restart(t0 + 10s);  // a reconnect starts a fresh countdown
  EXPECT_FALSE(l.lost(t0 + 10s + 299ms));
}

TEST(PppTiming, BackoffDoublesUpToTheMaximumAndResetsWhenHeard) {
  time_point t0{};
  worker_liveness l{fast(), t0};
  EXPECT_EQ(l.next_backoff(), 100ms);
  EXPECT_EQ(l.next_backoff(), 200ms);
  EXPECT_EQ(l.next_backoff(), 400ms);
  EXPECT_EQ(l.next_backoff(), 700ms);
  EXPECT_EQ(l.next_backoff(), 700ms);
  l.restart(t0);  // a reconnect alone keeps the back-off
  EXPECT_EQ(l.next_backoff(), 700ms);
  l.heard(t0);  // the queue answered: the connection works again
  EXPECT_EQ(l.next_backoff(), 100ms);
}

TEST(PppTiming, Rfc6BackoffGoesFromOneTo32Seconds) {
  worker_liveness l{timing{}, time_point{}};
  std::vector<long long> waits;
  for (int i = 0; i < 8; ++i)
    waits.push_back(l.next_backoff().count());
  EXPECT_EQ(waits, (std::vector<long long>{1000, 2000, 4000, 8000, 16000, 32000, 32000, 32000}));
}

} // namespace
