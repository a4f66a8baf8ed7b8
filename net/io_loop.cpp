// The I/O thread's lifecycle: a work guard keeps run() alive until stop(). The thread's run loop
// is the last exception boundary: a handler that throws is logged and counted, and the loop runs
// on (the engines have their own boundaries per connection; this one catches what they miss).
#include "net/io_loop.hpp"

#include "net/descriptor_watch.hpp"
#include "net/io_pool.hpp"
#include "net/read_buffer.hpp"
#include "runtime/core/log.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <pthread.h>

#include <optional>

namespace cafmq::net {

namespace asio = boost::asio;

struct io_loop::impl {
  asio::io_context ctx{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard{
    asio::make_work_guard(ctx)};
  kick_queue kicks{&ctx}; // destroyed after the thread is joined, before the io_context
  std::thread thread;
};

io_loop::io_loop(std::string name, io_pool* pool)
  : name_(std::move(name)), pool_(pool), impl_(std::make_unique<impl>()) {
  impl_->thread = std::thread([this] { run(); });
}

io_loop::~io_loop() {
  stop();
}

void io_loop::run() {
  pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str()); // shows in top, perf and gdb
  read_buffer::use_pool_on_this_thread();  // this thread's engines reuse their read buffers
  for (;;) {
    std::string what;
    try {
      impl_->ctx.run();
      return; // stopped
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "a non-standard exception";
    }
    // Asio lets run() go on after a handler threw; the handler's connection may be left
    // without a pending operation, every other one is untouched.
    auto n = escaped_.fetch_add(1, std::memory_order_relaxed) + 1;
    log::write(log::level::error, "io",
               name_ + ": a handler threw (" + what + "); the loop runs on (" + std::to_string(n)
                 + " so far)");
  }
}

void io_loop::post(std::function<void()> fn) {
  asio::post(impl_->ctx, std::move(fn));
}

void io_loop::stop() {
  if (!impl_->thread.joinable())
    return;
  impl_->guard.reset();
  impl_->ctx.stop();
  impl_->thread.join();
}

kick_queue& io_loop::kicks() noexcept {
  return impl_->kicks;
}

void* io_loop::native() noexcept {
  return &impl_->ctx;
}

io_loop& io_loop::pick_for_connection() noexcept {
  return pool_ ? pool_->pick() : *this;
}

std::thread::id io_loop::thread_id() const noexcept {
  return impl_->thread.get_id();
}

void io_loop::count_connection(bool opened, bool freed_descriptor) noexcept {
  if (opened)
    connections_.fetch_add(1, std::memory_order_relaxed);
  else {
    connections_.fetch_sub(1, std::memory_order_relaxed);
    if (freed_descriptor)
      descriptor_watch::freed();  // a listener paused for want of descriptors may accept again
  }
}

} // namespace cafmq::net
