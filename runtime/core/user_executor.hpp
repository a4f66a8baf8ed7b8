// Where user callbacks run (authenticators, monitor callbacks): a thread of their own with a
// bounded queue, so a callback that blocks, is slow or throws never stalls or kills an I/O thread
// or the control thread. A callback that blocks delays only the callbacks queued behind it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace cafmq {

class user_executor {
public:
  /// Starts the thread, named `name` (at most 15 bytes show); queues at most `capacity` tasks.
  user_executor(std::string name, size_t capacity);
  /// Runs what is queued, then joins. Must not be called from the executor's own thread.
  ~user_executor();
  user_executor(const user_executor&) = delete;
  user_executor& operator=(const user_executor&) = delete;

  /// Any thread, never blocks: queues `task`. False, and `task` is dropped, when the queue is
  /// full or the executor is stopping; the caller decides what a refused task means.
  bool post(std::function<void()> task);
  /// Tasks refused because the queue was full.
  uint64_t refused() const;
  /// Tasks that threw (each is logged and the thread carries on).
  uint64_t failed() const;
  /// True on the executor's own thread.
  bool on_own_thread() const noexcept { return std::this_thread::get_id() == thread_.get_id(); }

private:
  void run();

  std::string name_;
  size_t capacity_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  uint64_t refused_ = 0;
  uint64_t failed_ = 0;
  std::thread thread_;  // last: started once the rest exists
};

using user_executor_ptr = std::shared_ptr<user_executor>;

} // namespace cafmq
