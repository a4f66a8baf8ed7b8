// What a socket's signaler also wakes when its readiness may have changed: an eventfd (the
// readiness descriptor) and a face's callback. Installed once in the socket's signaler, which
// owns it, so a pipe that outlives the socket never wakes a dead hook.
#pragma once

#include "waker.hpp"

#include <atomic>
#include <functional>

namespace cafmq {

/// Fans a wake-up out to an eventfd and a callback, either of which may be absent.
class readiness_hook final : public waker {
public:
  readiness_hook() = default;
  ~readiness_hook() override;
  readiness_hook(const readiness_hook&) = delete;
  readiness_hook& operator=(const readiness_hook&) = delete;

  /// Any thread: makes the descriptor readable and calls the callback.
  void wake() noexcept override;

  /// The socket's thread: the eventfd (created on the first call, nonblocking, close-on-exec).
  /// Throws cafmq::error if the system has no descriptor to give.
  int descriptor();
  /// The socket's thread: the eventfd readable now (no system call when it already is).
  void raise() noexcept;
  /// The socket's thread: the eventfd not readable (until the next raise() or wake()).
  void lower() noexcept;

  /// Installs `fn`, called by wake() on the waking thread; once: false if one is installed.
  bool set_callback(std::function<void()> fn);

private:
  std::atomic<int> fd_{-1};
  bool raised_ = false;  // the socket thread's belief; wake() may raise it behind its back
  std::atomic<std::function<void()>*> callback_{nullptr};
};

} // namespace cafmq
