// The user-callback thread: a mutex-and-condition queue (callbacks are rare: per connection or
// per event, never per message) with every task's exceptions caught and logged.
#include "runtime/core/user_executor.hpp"

#include "runtime/core/log.hpp"

#include <pthread.h>

namespace cafmq {

user_executor::user_executor(std::string name, size_t capacity)
  : name_(std::move(name)), capacity_(capacity), thread_([this] { run(); }) {}

user_executor::~user_executor() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

bool user_executor::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stopping_)
      return false;
    if (tasks_.size() >= capacity_) {
      ++refused_;
      return false;
    }
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

uint64_t user_executor::refused() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return refused_;
}

uint64_t user_executor::failed() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return failed_;
}

void user_executor::run() {
  pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
  std::unique_lock<std::mutex> lock{mtx_};
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty())
      return;  // stopping, and everything queued has run
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    const char* failure = nullptr;
    std::string what;
    try {
      task();
    } catch (const std::exception& e) {
      failure = "threw";
      what = e.what();
    } catch (...) {
      failure = "threw";
      what = "a non-standard exception";
    }
    task = nullptr;  // destroyed outside the lock: it may own what it captured
    lock.lock();
    if (failure) {
      ++failed_;
      lock.unlock();
      log::write(log::level::error, name_, std::string("a user callback ") + failure + ": " + what);
      lock.lock();
    }
  }
}

} // namespace cafmq
