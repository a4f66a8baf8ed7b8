// The pending-handshake policy on its own, with time passed in: who is closed, in what order, and
// who never is.
#include "runtime/core/handshake_admission.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace cafmq {
namespace {

using namespace std::chrono_literals;
using clock = handshake_progress::clock;
using why = handshake_admission::why;

const clock::time_point t0 = clock::now();

// A listener's bookkeeping with the progress records of its connections, by id.
struct listener_double {
  handshake_admission admission;
  std::vector<handshake_progress_ptr> progress;  // index = id

  explicit listener_double(handshake_limits l) : admission(l) {}
  // A connection accepted at t0 + `at`; returns its id.
  uint64_t accept(clock::duration at = 0ms) {
    progress.push_back(std::make_shared<handshake_progress>());
    auto id = progress.size() - 1;
    admission.add(id, progress.back(), t0 + at);
    return id;
  }
  // Its engine started at t0 + `at`.
  void started(uint64_t id, clock::duration at) { progress[id]->note(false, t0 + at); }
  // Handshake bytes arrived at t0 + `at`.
  void bytes(uint64_t id, clock::duration at) { progress[id]->note(true, t0 + at); }
};

std::vector<uint64_t> ids(const std::vector<handshake_admission::victim>& v) {
  std::vector<uint64_t> out;
  for (const auto& x : v)
    out.push_back(x.id);
  return out;
}

TEST(HandshakeAdmission, LimitsFollowMaxPendingHandshakes) {
  auto l = handshake_limits::of(256);
  EXPECT_EQ(l.soft, 256u);
  EXPECT_EQ(l.hard, 4096u);
  EXPECT_EQ(l.idle_after, 2000ms);
}

TEST(HandshakeAdmission, NothingIsClosedAtOrBelowTheSoftLimitEvenWhenIdle) {
  listener_double l{{3, 48, 1000ms}};
  for (int i = 0; i < 2; ++i)
    l.started(l.accept(), 0ms);
  EXPECT_TRUE(l.admission.evict(t0 + 60s, 1).empty()) << "2 pending + 1 arriving = the limit";
  l.started(l.accept(), 0ms);
  EXPECT_TRUE(l.admission.evict(t0 + 60s).empty());
  EXPECT_EQ(l.admission.size(), 3u);
  EXPECT_FALSE(l.admission.over_soft());
}

TEST(HandshakeAdmission, AboveTheSoftLimitOnlyIdleOnesGoLongestIdleFirst) {
  listener_double l{{2, 32, 1000ms}};
  auto silent = l.accept();       // engine started at 0, nothing since: idle from 1 s
  auto stalled = l.accept();      // a byte at 100 ms, nothing since: idle from 1.1 s
  auto active = l.accept();       // bytes at 1.5 s
  auto unstarted = l.accept();    // its engine has not run: never idle
  l.started(silent, 0ms);
  l.started(stalled, 0ms);
  l.bytes(stalled, 100ms);
  l.started(active, 0ms);
  l.bytes(active, 1500ms);
  EXPECT_TRUE(l.admission.over_soft());
  EXPECT_TRUE(l.admission.evict(t0 + 900ms).empty()) << "none idle yet";
  auto v = l.admission.evict(t0 + 2000ms, 1);
  EXPECT_EQ(ids(v), (std::vector<uint64_t>{silent, stalled}));
  for (const auto& x : v)
    EXPECT_EQ(x.reason, why::idle);
  EXPECT_EQ(l.admission.size(), 2u) << "active and unstarted stay, above the soft limit";
  EXPECT_FALSE(l.admission.done(silent)) << "an evicted one is no longer pending";
  EXPECT_TRUE(l.admission.done(unstarted));
  EXPECT_TRUE(l.admission.done(active));
  EXPECT_EQ(l.admission.size(), 0u);
}

TEST(HandshakeAdmission, OnlyAsManyIdleOnesGoAsTheSoftLimitNeeds) {
  listener_double l{{2, 32, 1000ms}};
  for (int i = 0; i < 5; ++i)
    l.started(l.accept(), std::chrono::milliseconds(10 * i));
  auto v = l.admission.evict(t0 + 5s, 1);
  EXPECT_EQ(ids(v), (std::vector<uint64_t>{0, 1, 2, 3})) << "4 closed: 1 left + 1 arriving";
  EXPECT_EQ(l.admission.size(), 1u);
}

// The reconnect storm: a thousand connections whose bytes are arriving or waiting to be read.
TEST(HandshakeAdmission, AStormOfActiveOrFreshConnectionsBelowTheHardLimitLosesNoOne) {
  listener_double l{handshake_limits::of(256)};
  for (int i = 0; i < 1000; ++i) {
    auto at = std::chrono::microseconds(200 * i);  // all within 200 ms
    auto id = l.accept(at);
    if (i % 3 == 0)
      continue;  // its engine has not run yet: the bytes wait in the kernel
    l.started(id, at + 5ms);
    if (i % 3 == 1)
      l.bytes(id, at + 5ms);
    ASSERT_TRUE(l.admission.evict(t0 + at + 10ms, 1).empty()) << "at " << i;
  }
  EXPECT_EQ(l.admission.size(), 1000u);
}

TEST(HandshakeAdmission, AtTheHardLimitIdleGoFirstThenSilentOldestFirstThenActive) {
  listener_double l{{1, 5, 1000ms}};
  auto active_old = l.accept(0ms);
  auto silent_old = l.accept(10ms);
  auto idle = l.accept(20ms);
  auto silent_new = l.accept(30ms);
  auto active_new = l.accept(40ms);
  l.started(active_old, 0ms);
  l.bytes(active_old, 600ms);
  l.started(silent_old, 500ms);
  l.started(idle, 20ms);  // nothing since: idle from 1.02 s
  l.started(silent_new, 500ms);
  l.started(active_new, 40ms);
  l.bytes(active_new, 700ms);
  auto now = t0 + 1100ms;
  auto v = l.admission.evict(now, 1);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].id, idle);
  EXPECT_EQ(v[0].reason, why::idle);  // the hard limit took an idle one: it is both
  l.accept(1100ms);  // silent, newest
  v = l.admission.evict(now, 1);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].id, silent_old) << "silent before active, the oldest first";
  EXPECT_EQ(v[0].reason, why::hard_limit);
  l.accept(1100ms);
  EXPECT_EQ(l.admission.evict(now, 1)[0].id, silent_new);
  auto v2 = ids(l.admission.evict(now, 2));  // 4 pending + 2: 1 goes
  EXPECT_EQ(v2, std::vector<uint64_t>{5}) << "silent, the oldest (then the lowest id) first";
  v2 = ids(l.admission.evict(now, 4));  // 3 pending + 4: 2 go
  EXPECT_EQ(v2, (std::vector<uint64_t>{6, active_old})) << "then active, longest without progress";
  EXPECT_EQ(l.admission.size(), 1u);
  EXPECT_TRUE(l.admission.done(active_new));
}

TEST(HandshakeAdmission, ActiveOnesGoOnlyWhenNothingElseIsLeftLongestWithoutProgressFirst) {
  listener_double l{{1, 3, 1000ms}};
  for (int i = 0; i < 3; ++i) {
    auto id = l.accept(0ms);
    l.started(id, 0ms);
    l.bytes(id, std::chrono::milliseconds(300 - 100 * i));  // id 2 progressed longest ago
  }
  auto v = l.admission.evict(t0 + 500ms, 1);
  EXPECT_EQ(ids(v), std::vector<uint64_t>{2});
  EXPECT_EQ(v[0].reason, why::hard_limit);
}

// The engine is behind (a busy I/O thread): the bytes wait in the kernel, unseen by it.
TEST(HandshakeAdmission, OneWithBytesWaitingToBeReadIsSparedAndCountsAsActiveFromThen) {
  listener_double l{{1, 3, 1000ms}};
  for (int i = 0; i < 3; ++i)
    l.started(l.accept(0ms), 0ms);  // all idle by 1 s
  std::vector<uint64_t> asked;
  auto bytes_wait_for_1 = [&](uint64_t id) {
    asked.push_back(id);
    return id == 1;
  };
  auto v = l.admission.evict(t0 + 5s, 0, bytes_wait_for_1);
  EXPECT_EQ(ids(v), (std::vector<uint64_t>{0, 2}));
  EXPECT_EQ(asked, (std::vector<uint64_t>{0, 1, 2})) << "asked only of those about to go";
  EXPECT_TRUE(l.progress[1]->heard());
  EXPECT_EQ(l.progress[1]->last(), t0 + 5s);
  EXPECT_EQ(l.admission.size(), 1u);
  asked.clear();
  EXPECT_TRUE(l.admission.evict(t0 + 5s, 0, bytes_wait_for_1).empty()) << "at the soft limit";
  EXPECT_TRUE(asked.empty());
}

TEST(HandshakeAdmission, AtTheHardLimitOnesWithBytesWaitingGoLast) {
  listener_double l{{1, 2, 1000ms}};
  auto waiting = l.accept(0ms);  // silent to its engine, bytes in the kernel
  auto active = l.accept(0ms);
  l.started(active, 0ms);
  l.bytes(active, 10ms);
  auto always = [&](uint64_t id) { return id == waiting; };
  EXPECT_EQ(ids(l.admission.evict(t0 + 20ms, 1, always)), std::vector<uint64_t>{active});
  EXPECT_EQ(ids(l.admission.evict(t0 + 20ms, 2, always)), std::vector<uint64_t>{waiting})
    << "the hard limit holds even then";
}

// The engine finished the handshake; the listener has not heard yet (a busy actor system).
TEST(HandshakeAdmission, OneWhoseEngineFinishedTheHandshakeIsNeverClosedNorCounted) {
  listener_double l{{1, 2, 1000ms}};
  auto done = l.accept(0ms);
  l.started(done, 0ms);
  l.bytes(done, 1ms);
  l.progress[done]->finish();
  auto other = l.accept(0ms);
  l.started(other, 0ms);
  EXPECT_TRUE(l.admission.evict(t0 + 5s).empty()) << "1 unfinished: at the soft limit";
  EXPECT_EQ(l.admission.take_finished(), std::vector<uint64_t>{done});
  EXPECT_TRUE(l.admission.take_finished().empty()) << "handed over once";
  EXPECT_FALSE(l.admission.done(done)) << "forgotten: its handshake_done finds nothing";
  auto third = l.accept(5s);
  l.started(third, 5s);
  EXPECT_EQ(ids(l.admission.evict(t0 + 5s)), std::vector<uint64_t>{other}) << "idle";
  EXPECT_TRUE(l.admission.done(third));
}

// A storm past the hard limit: the finished ones do not use it up, the unfinished are all kept.
TEST(HandshakeAdmission, FinishedOnesLeaveTheHardLimitToThoseStillHandshaking) {
  listener_double l{{2, 8, 1000ms}};
  std::vector<uint64_t> finished;
  for (int i = 0; i < 20; ++i) {
    auto id = l.accept(0ms);
    l.started(id, 0ms);
    l.bytes(id, 1ms);
    if (i % 4 != 0) {
      l.progress[id]->finish();
      finished.push_back(id);
    }
  }
  // 5 unfinished + 3 arriving = the hard limit: none closed, though 23 were accepted.
  EXPECT_TRUE(l.admission.evict(t0 + 10ms, 3).empty());
  EXPECT_EQ(l.admission.take_finished(), finished);
  EXPECT_EQ(l.admission.size(), 5u);
  EXPECT_EQ(l.admission.evict(t0 + 10ms, 4).size(), 1u) << "one past it: one goes";
}

// Our authenticator is slow (a ZAP handler): its peers wait on us, they are not idle.
TEST(HandshakeAdmission, OneWaitingOnOurAuthenticatorIsNeverIdleButCountsForTheHardLimit) {
  listener_double l{{1, 3, 1000ms}};
  auto judged = l.accept(0ms);
  l.started(judged, 0ms);
  l.bytes(judged, 5ms);
  l.progress[judged]->waiting_on_us(true);
  auto silent = l.accept(0ms);
  l.started(silent, 0ms);
  auto judged2 = l.accept(0ms);
  l.started(judged2, 0ms);
  l.bytes(judged2, 10ms);
  l.progress[judged2]->waiting_on_us(true);
  EXPECT_EQ(ids(l.admission.evict(t0 + 60s)), std::vector<uint64_t>{silent})
    << "only the idle one goes above the soft limit";
  EXPECT_TRUE(l.admission.evict(t0 + 60s, 1).empty()) << "2 judged + 1 arriving: the hard limit";
  auto v = l.admission.evict(t0 + 60s, 2);
  ASSERT_EQ(ids(v), std::vector<uint64_t>{judged}) << "past it: the longest without progress";
  EXPECT_EQ(v[0].reason, why::hard_limit);
  l.progress[judged2]->waiting_on_us(false);  // the verdict came; the peer is silent since
  EXPECT_EQ(ids(l.admission.evict(t0 + 60s)), std::vector<uint64_t>{}) << "at the soft limit";
  l.accept(60s);
  EXPECT_EQ(ids(l.admission.evict(t0 + 60s)), std::vector<uint64_t>{judged2}) << "idle now";
}

// Many victims at once come out in eviction order (the order is sorted only as far as needed).
TEST(HandshakeAdmission, ManyIdleOnesGoInOrderOfIdleness) {
  listener_double l{{10, 1000, 1000ms}};
  constexpr int n = 100;
  std::vector<uint64_t> expected(n - 10);
  for (int i = 0; i < n; ++i) {
    auto id = l.accept(0ms);
    int rank = (i * 37) % n;  // a permutation of 0..99: the idle order
    l.started(id, std::chrono::milliseconds(rank));
    if (rank < n - 10)
      expected[static_cast<size_t>(rank)] = id;
  }
  EXPECT_EQ(ids(l.admission.evict(t0 + 5s)), expected);
  EXPECT_EQ(l.admission.size(), 10u);
}

TEST(HandshakeAdmission, AConnectionWithoutAProgressRecordCountsAsSilent) {
  handshake_admission a{{1, 2, 1000ms}};
  a.add(1, nullptr, t0);
  a.add(2, nullptr, t0 + 1ms);
  EXPECT_TRUE(a.evict(t0 + 60s).empty()) << "never idle without a record";
  EXPECT_EQ(ids(a.evict(t0 + 60s, 1)), std::vector<uint64_t>{1});
}

TEST(HandshakeProgress, RecordsStartAndBytes) {
  handshake_progress p;
  EXPECT_FALSE(p.started());
  EXPECT_FALSE(p.heard());
  p.note(false, t0 + 5ms);
  EXPECT_TRUE(p.started());
  EXPECT_FALSE(p.heard());
  EXPECT_EQ(p.last(), t0 + 5ms);
  p.note(true, t0 + 9ms);
  EXPECT_TRUE(p.heard());
  EXPECT_EQ(p.last(), t0 + 9ms);
}

} // namespace
} // namespace cafmq
