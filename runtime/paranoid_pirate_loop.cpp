#include "runtime/paranoid_pirate_loop.hpp"

#include "runtime/core/error.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

namespace cafmq::ppp {

loop_control::loop_control(std::string who) : who_(std::move(who)) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0)
    throw error(errc::internal, who_ + ": eventfd failed: " + std::strerror(errno));
}

loop_control::~loop_control() {
  stop_quietly();
  ::close(wake_fd_);
}

void loop_control::begin_run() {
  std::lock_guard lock{mtx_};
  if (stopping())
    throw error(errc::wrong_state, who_ + ": stopped; it does not run again");
  if (running_)
    throw error(errc::wrong_state, who_ + ": already running");
  running_ = true;
  runner_ = std::this_thread::get_id();
}

void loop_control::end_run() noexcept {
  std::lock_guard lock{mtx_};
  running_ = false;
  ended_.notify_all();
}

void loop_control::run_here(const std::function<void()>& body) {
  begin_run();
  struct end_guard {
    loop_control& c;
    ~end_guard() { c.end_run(); }
  } guard{*this};
  body();
}

void loop_control::start(std::function<void()> body) {
  std::lock_guard lock{mtx_};
  if (stopping())
    throw error(errc::wrong_state, who_ + ": stopped; it does not run again");
  if (running_)
    throw error(errc::wrong_state, who_ + ": already running");
  running_ = true;
  thread_ = std::thread([this, body = std::move(body)] {
    {
      std::lock_guard started{mtx_};  // start() holds it until thread_ is set
      runner_ = std::this_thread::get_id();
    }
    try {
      body();
    } catch (...) {
      std::lock_guard inner{mtx_};
      failure_ = std::current_exception();
    }
    end_run();
  });
}

void loop_control::stop() {
  stop_.store(true, std::memory_order_release);
  uint64_t one = 1;
  ssize_t written = ::write(wake_fd_, &one, sizeof one);  // only fails when the counter is full
  (void)written;
  std::thread owned;
  std::exception_ptr failure;
  {
    std::unique_lock lock{mtx_};
    if (running_ && runner_ == std::this_thread::get_id())
      return;  // stop() from the loop's own thread (a handler): it ends by itself, joined later
    if (thread_.get_id() == std::this_thread::get_id())
      return;
    owned = std::move(thread_);
    if (!owned.joinable())  // run() on a caller's thread: wait until it has returned
      ended_.wait(lock, [this] { return !running_; });
  }
  if (owned.joinable())
    owned.join();
  {
    std::lock_guard lock{mtx_};
    failure = std::exchange(failure_, nullptr);
  }
  if (failure)
    std::rethrow_exception(failure);
}

void loop_control::stop_quietly() noexcept {
  try {
    stop();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor has no one to tell
  }
}

} // namespace cafmq::ppp
