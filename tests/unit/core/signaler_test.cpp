// The user thread's futex signaler: a wake-up is never lost, whether it comes before or during the
// wait; a wait without one times out; each wait consumes one wake-up.
#include "runtime/core/signaler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace cafmq;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

TEST(Signaler, AWakeUpBeforeTheWaitIsKeptAndConsumed) {
  signaler s;
  s.wake();
  EXPECT_TRUE(s.wait_until(clock_type::now() + 5s));
  auto start = clock_type::now();
  EXPECT_FALSE(s.wait_until(start + 20ms)) << "the wake-up was consumed by the first wait";
  EXPECT_GE(clock_type::now() - start, 20ms);
}

TEST(Signaler, WaitWithoutWakeUpTimesOutAtTheDeadline) {
  signaler s;
  auto start = clock_type::now();
  EXPECT_FALSE(s.wait_until(start + 30ms));
  auto waited = clock_type::now() - start;
  EXPECT_GE(waited, 30ms);
  EXPECT_LT(waited, 5s);
}

TEST(Signaler, PastDeadlineReturnsAtOnce) {
  signaler s;
  EXPECT_FALSE(s.wait_until(clock_type::now() - 1s));
  s.wake();
  EXPECT_TRUE(s.wait_until(clock_type::now() - 1s)) << "a pending wake-up wins over the deadline";
}

TEST(Signaler, WakeFromAnotherThreadEndsASleepingWait) {
  signaler s;
  std::atomic<bool> waiting{false};
  std::thread waker([&] {
    while (!waiting.load())
      std::this_thread::yield();
    s.wake();
  });
  waiting = true;
  EXPECT_TRUE(s.wait_until(clock_type::now() + 10s));
  waker.join();
}

TEST(Signaler, NoWakeUpIsLostAcrossManyHandoffs) {
  // Ping-pong: each side waits for the other's wake; a lost wake-up would stall for 10 s.
  signaler ping, pong;
  constexpr int rounds = 20000;
  std::thread other([&] {
    for (int i = 0; i < rounds; ++i) {
      ASSERT_TRUE(ping.wait_until(clock_type::now() + 10s)) << "round " << i;
      pong.wake();
    }
  });
  for (int i = 0; i < rounds; ++i) {
    ping.wake();
    ASSERT_TRUE(pong.wait_until(clock_type::now() + 10s)) << "round " << i;
  }
  other.join();
}
