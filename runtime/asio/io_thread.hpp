// cafmq::asio::io_thread: an io_context that cafmq runs on a thread of its own, for programs
// without an event loop of their own (docs/async.md, "cafmq's io_context").
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

namespace cafmq::asio {

/// Owns an io_context and the thread that runs it, kept running while there is nothing to do.
/// async_sockets bound to it complete their operations on that thread, and, like every
/// async_socket, are used on that thread only: start operations from a handler or a coroutine
/// running there (boost::asio::post, co_spawn). The destructor stops the io_context and joins
/// the thread; operations still pending are destroyed without being called, as with any
/// io_context (to complete them with operation_aborted, close their sockets on that thread
/// first: post a close() to get_executor()).
class io_thread {
public:
  io_thread() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~io_thread() {
    work_.reset();
    io_.stop();
    if (thread_.joinable())
      thread_.join();
  }
  io_thread(const io_thread&) = delete;
  io_thread& operator=(const io_thread&) = delete;

  /// The io_context (for async_socket's constructors).
  boost::asio::io_context& context() noexcept { return io_; }
  /// Its executor (for post, co_spawn, strands).
  boost::asio::io_context::executor_type get_executor() noexcept { return io_.get_executor(); }

private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;  // last: started once the io_context and its work guard exist
};

} // namespace cafmq::asio
