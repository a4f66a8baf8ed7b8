// An I/O thread: one Asio io_context run by one thread. The engines, listeners and dialers whose
// sockets live on a loop run their handlers on its thread, so per-connection state needs no locks.
// A context has one or more loops (net/io_pool.hpp); every connection is bound to one of them.
#pragma once

#include "net/kick_queue.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace cafmq::net {

class io_pool;

/// Owns the io_context and the thread that runs it.
class io_loop {
public:
  /// Starts the thread, named `name` (at most 15 bytes show); `pool` is the pool it belongs to.
  explicit io_loop(std::string name = "cafmq/io", io_pool* pool = nullptr);
  ~io_loop();
  io_loop(const io_loop&) = delete;
  io_loop& operator=(const io_loop&) = delete;

  /// Runs `fn` on the I/O thread (any thread may call).
  void post(std::function<void()> fn);
  /// Where user threads kick the engines of this loop (cheaper than post: see kick_queue.hpp).
  kick_queue& kicks() noexcept;
  /// Stops the thread after closing whatever is still open; idempotent, never hangs.
  void stop();
  /// The Asio io_context, as an opaque pointer for net/ internals.
  void* native() noexcept;

  /// The loop a new connection should live on: the least busy loop of this loop's pool, or this
  /// loop when it has no pool. Any thread.
  io_loop& pick_for_connection() noexcept;
  /// Connections (streams) living on this loop now. Any thread.
  size_t connections() const noexcept { return connections_.load(std::memory_order_relaxed); }
  /// Exceptions that escaped a handler: each was logged, and the loop ran on. Any thread.
  uint64_t escaped_exceptions() const noexcept { return escaped_.load(std::memory_order_relaxed); }
  /// The thread that runs this loop.
  std::thread::id thread_id() const noexcept;

  /// For streams: counts a connection in (true) or out (false) of this loop; out, after the
  /// descriptor is closed, also wakes the listeners paused for want of descriptors
  /// (net/descriptor_watch.hpp), unless `freed_descriptor` is false (a reservation that held none).
  void count_connection(bool opened, bool freed_descriptor = true) noexcept;

private:
  void run();

  struct impl;
  std::string name_;
  io_pool* pool_;
  std::atomic<size_t> connections_{0};
  std::atomic<uint64_t> escaped_{0};
  std::unique_ptr<impl> impl_; // last: its handlers (and their streams) go before the counters
};

} // namespace cafmq::net
