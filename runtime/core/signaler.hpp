// The user thread's sleep: one futex word per socket, no mutex. A wake-up that finds nobody asleep
// is a single atomic exchange; only a wake-up of a sleeping thread makes a system call.
#pragma once

#include "waker.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace cafmq {

/// Wakes a user thread blocked in send/recv. One per socket, shared by all its pipes; one thread
/// waits at a time (a socket is used by one thread at a time).
class signaler final : public waker {
public:
  /// Any thread: records the wake-up and wakes the waiter if it sleeps.
  void wake() noexcept override;
  /// Blocks until woken or `deadline`; returns false on timeout. Consumes the wake-up.
  bool wait_until(std::chrono::steady_clock::time_point deadline) noexcept;

  /// Installs a second waker that every wake() also wakes, on the waking thread (an I/O thread):
  /// the readiness descriptor, or a face's notifier. Once per signaler: false (and `hook` is
  /// dropped) if one is installed already. The signaler owns it until it is destroyed, so a
  /// pipe that outlives the socket never wakes a dead hook.
  bool install_hook(std::unique_ptr<waker> hook) noexcept;
  /// The installed hook, or nullptr.
  waker* hook() const noexcept { return hook_.load(std::memory_order_acquire); }

  signaler() = default;
  ~signaler() override;
  signaler(const signaler&) = delete;
  signaler& operator=(const signaler&) = delete;

private:
  enum : uint32_t { idle = 0, signaled = 1, sleeping = 2 };
  std::atomic<uint32_t> state_{idle};
  std::atomic<waker*> hook_{nullptr};
};

} // namespace cafmq
