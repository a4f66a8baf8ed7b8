// The user-callback thread: a mutex-and-condition queue (callbacks are rare: per connection or
// per event, never per message) with every task's exceptions caught and logged.
#include "runtime/core/user_executor.hpp"

#include "runtime/core/log.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>

#include <pthread.h>

namespace cafmq {

struct user_executor::state {
  std::string name;
  size_t capacity = 0;
  mutable std::mutex mtx;
  std::condition_variable cv;       // tasks queued, or stopping
  std::condition_variable done_cv;  // the thread finished
  std::deque<std::function<void()>> tasks;
  bool stopping = false;
  bool finished = false;
  uint64_t refused = 0;
  uint64_t failed = 0;
};

user_executor::user_executor(std::string name, size_t capacity, pending_tasks at_destruction)
  : st_(std::make_shared<state>()), at_destruction_(at_destruction) {
  st_->name = std::move(name);
  st_->capacity = capacity;
  thread_ = std::thread([st = st_] { run(st); });
  thread_id_ = thread_.get_id();
}

user_executor::~user_executor() {
  stop(at_destruction_);
}

bool user_executor::stop(pending_tasks pending, std::chrono::milliseconds bound) {
  std::unique_lock<std::mutex> lock{st_->mtx};
  if (!thread_.joinable())
    return st_->finished;
  st_->stopping = true;
  std::deque<std::function<void()>> dropped;
  if (pending == pending_tasks::drop)
    dropped.swap(st_->tasks);
  st_->cv.notify_all();
  bool finished = st_->done_cv.wait_for(lock, bound, [this] { return st_->finished; });
  lock.unlock();
  dropped.clear();  // outside the lock: the tasks may own what they captured
  if (finished) {
    thread_.join();
    return true;
  }
  thread_.detach();  // it keeps its state alive; whatever it runs can no longer block us
  log::write(log::level::error, st_->name,
             "a user callback still runs " + std::to_string(bound.count())
               + " ms after shutdown began; its thread is left behind (callbacks must return promptly)");
  return false;
}

bool user_executor::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> guard{st_->mtx};
    if (st_->stopping)
      return false;
    if (st_->tasks.size() >= st_->capacity) {
      ++st_->refused;
      return false;
    }
    st_->tasks.push_back(std::move(task));
  }
  st_->cv.notify_one();
  return true;
}

uint64_t user_executor::refused() const {
  std::lock_guard<std::mutex> guard{st_->mtx};
  return st_->refused;
}

uint64_t user_executor::failed() const {
  std::lock_guard<std::mutex> guard{st_->mtx};
  return st_->failed;
}

void user_executor::run(const std::shared_ptr<state>& st) {
  pthread_setname_np(pthread_self(), st->name.substr(0, 15).c_str());
  std::unique_lock<std::mutex> lock{st->mtx};
  for (;;) {
    st->cv.wait(lock, [&] { return st->stopping || !st->tasks.empty(); });
    if (st->tasks.empty())
      break;  // stopping, and everything still queued has run
    auto task = std::move(st->tasks.front());
    st->tasks.pop_front();
    lock.unlock();
    std::string failure;
    try {
      task();
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "a non-standard exception";
    }
    task = nullptr;  // destroyed outside the lock: it may own what it captured
    if (!failure.empty())
      log::write(log::level::error, st->name, "a user callback threw: " + failure);
    lock.lock();
    if (!failure.empty())
      ++st->failed;
  }
  st->finished = true;
  st->done_cv.notify_all();
}

} // namespace cafmq
