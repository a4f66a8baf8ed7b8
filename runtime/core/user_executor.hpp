// Where user callbacks run (authenticators, monitor callbacks): a thread of their own with a
// bounded queue, so a callback that blocks, is slow or throws never stalls or kills an I/O thread
// or the control thread. A callback that blocks delays only the callbacks queued behind it.
//
// Stopping never hangs: the callbacks still queued are dropped or run (the owner's choice), a
// callback still running is waited for at most a bound, and past it the thread is detached
// (its state lives on with it) and an error is logged.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace cafmq {

class user_executor {
public:
  /// What stop() does with the tasks queued but not started.
  enum class pending_tasks : uint8_t {
    drop,  ///< discard them (authenticators: the engines that asked are gone)
    run,   ///< run them first, within the bound (monitor callbacks: the last events)
  };
  static constexpr std::chrono::milliseconds default_stop_bound{2000};

  /// Starts the thread, named `name` (at most 15 bytes show); queues at most `capacity` tasks;
  /// the destructor's stop() treats queued tasks as `at_destruction` says.
  user_executor(std::string name, size_t capacity, pending_tasks at_destruction = pending_tasks::drop);
  /// stop(at_destruction, default_stop_bound). Must not be called from the executor's own thread.
  ~user_executor();
  user_executor(const user_executor&) = delete;
  user_executor& operator=(const user_executor&) = delete;

  /// Stops taking tasks; drops or runs the queued ones (`pending`); waits at most `bound` for
  /// the thread to finish (the task it runs, and the queued ones with pending_tasks::run), else
  /// detaches it and logs an error. Returns true if the thread finished in time. Idempotent
  /// (a second call returns at once). Never from the executor's own thread.
  bool stop(pending_tasks pending, std::chrono::milliseconds bound = default_stop_bound);
  /// Any thread, never blocks: queues `task`. False, and `task` is dropped, when the queue is
  /// full or the executor is stopping; the caller decides what a refused task means.
  bool post(std::function<void()> task);
  /// Tasks refused because the queue was full.
  uint64_t refused() const;
  /// Tasks that threw (each is logged and the thread carries on).
  uint64_t failed() const;
  /// True on the executor's own thread.
  bool on_own_thread() const noexcept { return std::this_thread::get_id() == thread_id_; }

private:
  struct state;
  static void run(const std::shared_ptr<state>& st);

  std::shared_ptr<state> st_;  // shared with the thread, which may outlive this object
  pending_tasks at_destruction_;
  std::thread thread_;
  std::thread::id thread_id_;
};

using user_executor_ptr = std::shared_ptr<user_executor>;

} // namespace cafmq
