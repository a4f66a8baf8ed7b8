// Internal to the Paranoid Pirate queue and worker: the stop signal (a flag and an eventfd a
// poller watches), the loop's owned thread, and the failure that ended it. Once stopped, the
// loop does not run again.
#pragma once

#include <atomic>
#include <condition_variable>
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
  /// The loop returned: a stop() waiting for it returns.
  void end_run() noexcept;
  /// Runs `body` on the calling thread between begin_run() and end_run() (run()).
  void run_here(const std::function<void()>& body);
  /// Runs `body` on an owned thread (begin_run() first), keeping what it throws for stop().
  void start(std::function<void()> body);
  /// Sets the stop signal and waits until the loop has returned (the owned thread joined, or
  /// run() on another thread returned), then rethrows the owned thread's failure once. From the
  /// loop's own thread (a handler) it only sets the signal.
  void stop();
  /// stop() for destructors: never throws.
  void stop_quietly() noexcept;

private:
  std::string who_;
  int wake_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mtx_;  // running_, runner_, thread_ and failure_
  std::condition_variable ended_;
  bool running_ = false;
  std::thread::id runner_;  // the thread in the loop while running_
  std::thread thread_;
  std::exception_ptr failure_;
};

} // namespace cafmq::ppp
