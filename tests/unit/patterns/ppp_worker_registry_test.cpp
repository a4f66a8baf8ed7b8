// The Paranoid Pirate queue's bookkeeping: LRU order of idle workers, busy workers, expiry
// deadlines (liveness x interval), unknown workers.
#include "patterns/ppp_worker_registry.hpp"

#include <gtest/gtest.h>

using namespace cafmq::patterns::ppp;
using namespace std::chrono_literals;
using strings = std::vector<std::string>;

namespace {

timing fast() {
  timing t;
  t.liveness = 3;
  t.interval = 100ms;
  return t;
}

const time_point t0{};

TEST(PppRegistry, ReadyWorkersAreTakenLeastRecentlyUsedFirst) {
  worker_registry r{fast()};
  r.ready("a", t0);
  r.ready("b", t0);
  r.ready("c", t0);
  EXPECT_EQ(r.idle(), (strings{"a", "b", "c"}));
  EXPECT_EQ(r.take(t0), "a");
  EXPECT_EQ(r.state("a"), worker_state::busy);
  EXPECT_EQ(r.take(t0), "b");
  EXPECT_TRUE(r.reply("a", t0 + 10ms));
  EXPECT_EQ(r.idle(), (strings{"c", "a"}));  // back at the end
  EXPECT_EQ(r.take(t0), "c");
  EXPECT_EQ(r.take(t0), "a");
  EXPECT_EQ(r.take(t0), std::nullopt);
  EXPECT_EQ(r.size(), 3u);
  EXPECT_EQ(r.idle_count(), 0u);
}

TEST(PppRegistry, ReadyAgainMovesTheWorkerToTheEndOnce) {
  worker_registry r{fast()};
  r.ready("a", t0);
  r.ready("b", t0);
  r.ready("a", t0);
  EXPECT_EQ(r.idle(), (strings{"b", "a"}));
  EXPECT_EQ(r.size(), 2u);
  EXPECT_EQ(r.take(t0), "b");
  r.ready("b", t0);  // restarted while busy: idle again
  EXPECT_EQ(r.state("b"), worker_state::idle);
  EXPECT_EQ(r.idle(), (strings{"a", "b"}));
}

TEST(PppRegistry, HeartbeatKeepsAWorkerAliveButDoesNotMakeItIdle) {
  worker_registry r{fast()};
  r.ready("a", t0);
  EXPECT_EQ(r.take(t0), "a");
  EXPECT_TRUE(r.heartbeat("a", t0 + 250ms));
  EXPECT_TRUE(r.expire(t0 + 500ms).empty());
  EXPECT_EQ(r.state("a"), worker_state::busy);
  EXPECT_EQ(r.take(t0 + 500ms), std::nullopt);
}

TEST(PppRegistry, SilentWorkersExpireAfterLivenessTimesInterval) {
  worker_registry r{fast()};
  r.ready("a", t0);
  r.ready("b", t0 + 100ms);
  EXPECT_EQ(r.next_expiry(), t0 + 300ms);
  EXPECT_TRUE(r.expire(t0 + 299ms).empty());
  EXPECT_EQ(r.expire(t0 + 300ms), strings{"a"});
  EXPECT_FALSE(r.contains("a"));
  EXPECT_EQ(r.idle(), strings{"b"});
  EXPECT_EQ(r.take(t0 + 300ms), "b");
  EXPECT_EQ(r.expire(t0 + 400ms), strings{"b"});  // busy workers expire too
  EXPECT_EQ(r.size(), 0u);
  EXPECT_EQ(r.next_expiry(), std::nullopt);
}

TEST(PppRegistry, ADeadWorkerIsNeverTakenEvenBeforeExpire) {
  worker_registry r{fast()};
  r.ready("a", t0);
  r.ready("b", t0 + 200ms);
  EXPECT_EQ(r.take(t0 + 350ms), "b");
}

TEST(PppRegistry, UnknownWorkersMustSendReadyFirst) {
  worker_registry r{fast()};
  EXPECT_FALSE(r.heartbeat("x", t0));
  EXPECT_FALSE(r.reply("x", t0));
  EXPECT_EQ(r.size(), 0u);
  EXPECT_EQ(r.state("x"), std::nullopt);
}

} // namespace
