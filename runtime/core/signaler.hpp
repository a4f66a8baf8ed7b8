// The user thread's sleep: one futex word per socket, no mutex. A wake-up that finds nobody asleep
// is a single atomic exchange; only a wake-up of a sleeping thread makes a system call.
#pragma once

#include "waker.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>

namespace cafmq {

/// Wakes a user thread blocked in send/recv. One per socket, shared by all its pipes; one thread
/// waits at a time (a socket is used by one thread at a time).
class signaler final : public waker {
public:
  /// Any thread: records the wake-up and wakes the waiter if it sleeps.
  void wake() noexcept override;
  /// Blocks until woken or `deadline`; returns false on timeout. Consumes the wake-up.
  bool wait_until(std::chrono::steady_clock::time_point deadline) noexcept;

private:
  enum : uint32_t { idle = 0, signaled = 1, sleeping = 2 };
  std::atomic<uint32_t> state_{idle};
};

} // namespace cafmq
