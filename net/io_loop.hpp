// The I/O thread: one Asio io_context run by one thread. Every engine, listener and dialer of a
// context runs its handlers here, so per-connection state needs no locks.
#pragma once

#include "net/kick_queue.hpp"

#include <functional>
#include <memory>

namespace cafmq::net {

/// Owns the io_context and the thread that runs it.
class io_loop {
public:
  io_loop();
  ~io_loop();
  io_loop(const io_loop&) = delete;
  io_loop& operator=(const io_loop&) = delete;

  /// Runs `fn` on the I/O thread (any thread may call).
  void post(std::function<void()> fn);
  /// Where user threads kick engines (cheaper than post for that: see kick_queue.hpp).
  kick_queue& kicks() noexcept;
  /// Stops the thread after closing whatever is still open; idempotent, never hangs.
  void stop();
  /// The Asio io_context, as an opaque pointer for net/ internals.
  void* native() noexcept;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace cafmq::net
