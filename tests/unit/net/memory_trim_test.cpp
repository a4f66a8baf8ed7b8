// When the process trims its allocator (net/memory_trim.hpp): on a real drop in handshaken
// connections, never for churn at a steady live count.
#include "net/memory_trim.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

using namespace cafmq;

TEST(MemoryTrim, ChurnAtASteadyLiveCountNeverTrimsAndAWaveDoes) {
  size_t before = net::memory_trims();
  int started = 0;
  for (int i = 0; i < 100; ++i)
    net::note_connection_ready();
  for (int i = 0; i < 10'000; ++i) {  // short connections come and go: 100 live throughout
    started += net::note_ready_connection_closed();
    net::note_connection_ready();
  }
  for (int i = 0; i < 40; ++i)  // a drop of 40: not down to half of the peak
    started += net::note_ready_connection_closed();
  EXPECT_EQ(started, 0) << "churn or a small drop started a trim";
  for (int i = 0; i < 20; ++i)  // the wave: down to 40, past half the peak (the trim at 50)
    started += net::note_ready_connection_closed();
  EXPECT_EQ(started, 1) << "one drop to half, one trim";
  // (A further drop to half of 50, and by 32, would start another: 40 is not one.)
  auto deadline = std::chrono::steady_clock::now() + 3 * net::trim_interval;
  while (net::memory_trims() == before && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(net::memory_trims(), before + 1) << "the trim thread did not run";
}

// A wave that goes on while a trim runs is trimmed once more when it ends: the closes after the
// trim started cannot start one of their own, and what they freed must not stay with the process.
TEST(MemoryTrim, TheEndOfAWaveIsTrimmedAfterTheTrimItsStartBegan) {
  auto wait_for_trims = [](size_t n) {
    auto deadline = std::chrono::steady_clock::now() + 5 * net::trim_interval;
    while (net::memory_trims() < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return net::memory_trims();
  };
  size_t before = net::memory_trims();
  // A first small wave trims once (40 down to 8: half the peak and 32 fewer), so the next trim
  // waits for trim_interval: the second wave ends long before it runs.
  for (int i = 0; i < 40; ++i)
    net::note_connection_ready();
  for (int i = 0; i < 40; ++i)
    net::note_ready_connection_closed();
  ASSERT_EQ(wait_for_trims(before + 1), before + 1);
  for (int i = 0; i < 1000; ++i)
    net::note_connection_ready();
  int started = 0;
  for (int i = 0; i < 1000; ++i)  // a trim starts at 500; the other 500 close while it waits
    started += net::note_ready_connection_closed();
  EXPECT_EQ(started, 1);
  EXPECT_EQ(wait_for_trims(before + 3), before + 3)
      << "the last 500 closes were not trimmed after the trim at 500";
}
