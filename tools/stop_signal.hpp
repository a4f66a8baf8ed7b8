// SIGINT/SIGTERM as a flag: the signals are blocked in every thread and a helper thread waits
// for them with sigwait, so no CAF or Asio thread is ever interrupted by a handler. A second
// signal ends the process at once (exit 1, stdout flushed), e.g. while a close lingers.
#pragma once

#include <atomic>
#include <thread>

namespace cafmq::cli {

/// Construct before the cafmq::context (its threads inherit the signal mask), destroy after it.
class stop_signal {
public:
  stop_signal();
  /// Wakes and joins the waiting thread.
  ~stop_signal();
  stop_signal(const stop_signal&) = delete;
  stop_signal& operator=(const stop_signal&) = delete;

  /// True once SIGINT or SIGTERM arrived.
  bool requested() const noexcept { return requested_.load(std::memory_order_relaxed); }

private:
  std::atomic<bool> requested_{false};
  std::atomic<bool> shutting_down_{false};
  std::thread waiter_;
};

} // namespace cafmq::cli
