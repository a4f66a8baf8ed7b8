// The I/O thread's lifecycle: a work guard keeps run() alive until stop().
#include "net/io_loop.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <pthread.h>

#include <optional>
#include <thread>

namespace cafmq::net {

namespace asio = boost::asio;

struct io_loop::impl {
  asio::io_context ctx{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard{
    asio::make_work_guard(ctx)};
  kick_queue kicks{&ctx};  // destroyed after the thread is joined, before the io_context
  std::thread thread;
};

io_loop::io_loop() : impl_(std::make_unique<impl>()) {
  impl_->thread = std::thread([this] {
    pthread_setname_np(pthread_self(), "cafmq/io");  // shows in top, perf and gdb
    impl_->ctx.run();
  });
}

io_loop::~io_loop() {
  stop();
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

} // namespace cafmq::net
