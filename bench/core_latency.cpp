#include "core_latency.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

namespace bench {

namespace {

bool pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// One round: `trips` round trips of the ball between CPU 0 (odd values) and CPU 1 (even).
double one_round(long trips) {
  alignas(64) std::atomic<long> ball{0};
  std::atomic<bool> pinned{true};
  std::thread other([&] {
    if (!pin_to(1))
      pinned = false;
    for (long i = 1; i < 2 * trips; i += 2) {
      while (ball.load(std::memory_order_acquire) != i) {
      }
      ball.store(i + 1, std::memory_order_release);
    }
  });
  bool here = pin_to(0);
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < 2 * trips; i += 2) {
    ball.store(i + 1, std::memory_order_release);
    while (ball.load(std::memory_order_acquire) != i + 2) {
    }
  }
  auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0);
  other.join();
  return here && pinned ? ns.count() / static_cast<double>(trips) : -1;
}

} // namespace

double core_round_trip_ns() {
  if (std::thread::hardware_concurrency() < 2)
    return -1;
  cpu_set_t before;
  if (sched_getaffinity(0, sizeof before, &before) != 0)
    return -1;
  double best = -1;
  for (int round = 0; round < 3; ++round) {
    double ns = one_round(100'000);
    if (ns < 0) {
      best = -1;
      break;
    }
    best = best < 0 ? ns : std::min(best, ns);
  }
  sched_setaffinity(0, sizeof before, &before);  // the benchmark's own threads go anywhere again
  return best;
}

} // namespace bench
