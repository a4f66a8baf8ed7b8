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
