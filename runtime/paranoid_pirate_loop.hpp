// Internal to the Paranoid Pirate queue and worker: the stop signal (a flag and an eventfd a
// poller watches), the loop's owned thread, and the failure that ended it. Once stopped, the
// loop does not run again.
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace cafmq::ppp {

class loop_control {
public:
  /// `who` names the owner in error messages ("ppp::queue").
  explicit loop_control(std::string who);
  ~loop_control();
  loop_control(const loop_control&) = delete;
  loop_control& operator=(const loop_control&) = delete;

  /// The descriptor a poller watches: readable once stop() was called.
  int wake_fd() const noexcept { return wake_fd_; }
  /// True once stop() was called.
  bool stopping() const noexcept { return stop_.load(std::memory_order_acquire); }

  /// Marks the loop running on the caller's thread; throws errc::wrong_state if it runs
  /// already or was stopped. end_run() when it returns.
  void begin_run();
  void end_run() noexcept { running_.store(false, std::memory_order_release); }
  /// Runs `body` on an owned thread (begin_run() first), keeping what it throws for stop().
  void start(std::function<void()> body);
  /// Sets the stop signal, joins the owned thread, rethrows its failure once.
  void stop();
  /// stop() for destructors: never throws.
  void stop_quietly() noexcept;

private:
  std::string who_;
  int wake_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{false};
  std::mutex mtx_;  // thread_ and failure_
  std::thread thread_;
  std::exception_ptr failure_;
};

} // namespace cafmq::ppp
